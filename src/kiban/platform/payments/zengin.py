"""The Zengin (全銀協) 総合振込 (general transfer) file: fixed-length 120-byte records.

Source: 全国銀行協会 「全銀協規定フォーマット」 総合振込 (the record layout every Japanese bank's internet banking
and data-transmission service accepts for bulk transfers; e.g. the banks' published "総合振込 全銀協規定
フォーマット" specifications). One file is:

- one header record (ヘッダー・レコード, データ区分 1),
- one data record per transfer (データ・レコード, データ区分 2),
- one trailer record (トレーラ・レコード, データ区分 8) with the count and total,
- one end record (エンド・レコード, データ区分 9).

Every record is exactly 120 bytes in Shift_JIS (code区分 0; we encode with CP932). Numeric fields (N) are
right-aligned and zero-padded, character fields (C) left-aligned and space-padded. Names are written in the
bank character set: half-width katakana (with ﾞ and ﾟ as separate characters), upper-case letters, digits, space
and ``( ) - . / \\ , ｢ ｣`` (:func:`zengin_kana` converts and refuses anything else). Records are separated by
CR LF by default, as internet-banking uploads accept; pass ``separator=b""`` for a stream without separators.

The layouts are data (:data:`HEADER`, :data:`DATA`, :data:`TRAILER`, :data:`END`), so :func:`read` parses a file
with the same tables and tests check each field's position against the published layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import jaconv

RECORD_LENGTH = 120
ENCODING = "cp932"
CRLF = b"\r\n"

# 種別コード: 21 総合振込 (11/71 are 給与/賞与振込, same layout). コード区分: 0 JIS/Shift_JIS, 1 EBCDIC.
KIND_GENERAL_TRANSFER = "21"
CODE_DIVISION_SJIS = "0"

# 預金種目 (deposit type)
ACCOUNT_TYPES = {"1": "普通", "2": "当座", "4": "貯蓄", "9": "その他"}


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    length: int
    numeric: bool  # N: zero-padded right-aligned digits; C: space-padded left-aligned text
    blank: bool = False  # a numeric field that may be left as spaces (unused)


def _layout(*fields: Field) -> tuple[Field, ...]:
    assert sum(f.length for f in fields) == RECORD_LENGTH, [f.name for f in fields]
    return fields


N = True
C = False
HEADER = _layout(
    Field("データ区分", 1, N),
    Field("種別コード", 2, N),
    Field("コード区分", 1, N),
    Field("振込依頼人コード", 10, N),
    Field("振込依頼人名", 40, C),
    Field("振込指定日", 4, N),  # MMDD
    Field("仕向銀行番号", 4, N),
    Field("仕向銀行名", 15, C),
    Field("仕向支店番号", 3, N),
    Field("仕向支店名", 15, C),
    Field("預金種目（依頼人）", 1, N),
    Field("口座番号（依頼人）", 7, N),
    Field("ダミー", 17, C),
)
DATA = _layout(
    Field("データ区分", 1, N),
    Field("被仕向銀行番号", 4, N),
    Field("被仕向銀行名", 15, C),
    Field("被仕向支店番号", 3, N),
    Field("被仕向支店名", 15, C),
    Field("手形交換所番号", 4, N, blank=True),
    Field("預金種目", 1, N),
    Field("口座番号", 7, N),
    Field("受取人名", 30, C),
    Field("振込金額", 10, N),
    Field("新規コード", 1, N),
    Field("顧客コード1", 10, N, blank=True),
    Field("顧客コード2", 10, N, blank=True),
    Field("振込指定区分", 1, N, blank=True),
    Field("識別表示", 1, C),
    Field("ダミー", 7, C),
)
TRAILER = _layout(
    Field("データ区分", 1, N),
    Field("合計件数", 6, N),
    Field("合計金額", 12, N),
    Field("ダミー", 101, C),
)
END = _layout(Field("データ区分", 1, N), Field("ダミー", 119, C))

MAX_AMOUNT = 9_999_999_999  # 振込金額 is 10 digits
MAX_TOTAL = 999_999_999_999  # 合計金額 is 12 digits
MAX_COUNT = 999_999  # 合計件数 is 6 digits

_ALLOWED = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ ()-./\\,｢｣ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝﾞﾟ")
# Small kana are written large in bank names (ｯ -> ﾂ), and the long vowel mark as a hyphen.
_LARGE = str.maketrans({"ｧ": "ｱ", "ｨ": "ｲ", "ｩ": "ｳ", "ｪ": "ｴ", "ｫ": "ｵ", "ｬ": "ﾔ", "ｭ": "ﾕ", "ｮ": "ﾖ", "ｯ": "ﾂ",
                        "ｰ": "-", "－": "-", "‐": "-", "―": "-", "･": "."})  # fmt: skip


class ZenginError(ValueError):
    """A value that cannot be written in the Zengin format."""


def zengin_kana(text: str, max_length: int | None = None, *, what: str = "name") -> str:
    """``text`` (katakana or hiragana, any width) in the bank character set, e.g. ``ヤマダ　ハナコ`` -> ``ﾔﾏﾀﾞ ﾊﾅｺ``.

    Raises ZenginError for characters banks do not accept (kanji, most symbols) or if longer than ``max_length``
    (voiced marks count as characters of their own, as in the file)."""
    if _ALLOWED.issuperset(text) and "  " not in text and text == text.strip():
        converted = text  # already in the bank character set (stored that way): the fast path for big files
    else:
        converted = _convert(text, what)
    if max_length is not None and len(converted) > max_length:
        raise ZenginError(f"{what}: {len(converted)} half-width characters, at most {max_length}: {converted!r}")
    return converted


def _convert(text: str, what: str = "name") -> str:
    converted = jaconv.z2h(jaconv.hira2kata(text), kana=True, ascii=True, digit=True)
    converted = converted.replace("\u3000", " ").upper().translate(_LARGE)
    converted = " ".join(converted.split())
    bad = sorted({c for c in converted if c not in _ALLOWED})
    if bad:
        raise ZenginError(f"{what}: characters not allowed in a bank transfer file: {''.join(bad)!r}")
    return converted


def _check_digits(value: str, length: int, what: str) -> str:
    if not (value.isascii() and value.isdigit() and len(value) == length):
        raise ZenginError(f"{what} must be {length} digits, got {value!r}")
    return value


def account_number(value: str) -> str:
    """口座番号: up to 7 digits, written zero-padded to 7."""
    if not (value.isascii() and value.isdigit() and 1 <= len(value) <= 7):
        raise ZenginError(f"account number must be 1–7 digits, got {value!r}")
    return value.zfill(7)


@dataclass(frozen=True, slots=True)
class Requester:
    """振込依頼人: the paying municipality's contract with its bank (委託者コード) and the account paid from."""

    code: str  # 振込依頼人コード (委託者コード), 10 digits, assigned by the bank
    name_kana: str
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    bank_name_kana: str = ""
    branch_name_kana: str = ""


@dataclass(frozen=True, slots=True)
class Transfer:
    """One transfer (データ・レコード). ``customer_code`` links it back to the business record (顧客コード1)."""

    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    payee_kana: str
    amount: int
    customer_code: str = ""
    bank_name_kana: str = ""
    branch_name_kana: str = ""
    new_code: str = "0"  # 新規コード: 1 第1回振込分, 2 変更分, 0 その他


def _encode(layout: tuple[Field, ...], values: dict[str, Any]) -> bytes:
    out = bytearray()
    for f in layout:
        raw = values.get(f.name, "")
        if f.numeric:
            text = str(raw)
            if text == "" and f.blank:
                chunk = b" " * f.length
            else:
                if not (text.isascii() and text.isdigit()) or len(text) > f.length:
                    raise ZenginError(f"{f.name}: {text!r} is not a number of at most {f.length} digits")
                chunk = text.zfill(f.length).encode("ascii")
        else:
            chunk = str(raw).encode(ENCODING)
            if len(chunk) > f.length:
                raise ZenginError(f"{f.name}: {raw!r} is longer than {f.length} bytes")
            chunk = chunk.ljust(f.length, b" ")
        out += chunk
    assert len(out) == RECORD_LENGTH
    return bytes(out)


def header_record(requester: Requester, transfer_date: date) -> bytes:
    return _encode(HEADER, {
        "データ区分": "1", "種別コード": KIND_GENERAL_TRANSFER, "コード区分": CODE_DIVISION_SJIS,
        "振込依頼人コード": _check_digits(requester.code, 10, "振込依頼人コード"),
        "振込依頼人名": zengin_kana(requester.name_kana, 40, what="振込依頼人名"),
        "振込指定日": f"{transfer_date:%m%d}",
        "仕向銀行番号": _check_digits(requester.bank_code, 4, "bank code"),
        "仕向銀行名": zengin_kana(requester.bank_name_kana, 15, what="仕向銀行名"),
        "仕向支店番号": _check_digits(requester.branch_code, 3, "branch code"),
        "仕向支店名": zengin_kana(requester.branch_name_kana, 15, what="仕向支店名"),
        "預金種目（依頼人）": _account_type(requester.account_type),
        "口座番号（依頼人）": account_number(requester.account_number),
    })  # fmt: skip


def _account_type(value: str) -> str:
    if value not in ACCOUNT_TYPES:
        raise ZenginError(f"account type must be one of {', '.join(ACCOUNT_TYPES)} (預金種目), got {value!r}")
    return value


def data_record(t: Transfer) -> bytes:
    """One data record. Written field by field in the order of :data:`DATA` (a file has one per payee, so this is
    the hot path of a city-wide payment; tests check it against the table)."""
    if not 1 <= t.amount <= MAX_AMOUNT:
        raise ZenginError(f"transfer amount must be 1–{MAX_AMOUNT} yen, got {t.amount}")
    if t.new_code not in ("0", "1", "2"):
        raise ZenginError(f"新規コード must be 0, 1 or 2, got {t.new_code!r}")
    customer = t.customer_code
    if customer and not (customer.isascii() and customer.isdigit() and len(customer) <= 10):
        raise ZenginError(f"顧客コード1: {customer!r} is not a number of at most 10 digits")
    record = b"".join((
        b"2",
        _check_digits(t.bank_code, 4, "bank code").encode("ascii"),
        _text(zengin_kana(t.bank_name_kana, 15, what="被仕向銀行名"), 15),
        _check_digits(t.branch_code, 3, "branch code").encode("ascii"),
        _text(zengin_kana(t.branch_name_kana, 15, what="被仕向支店名"), 15),
        b"    ",  # 手形交換所番号 (unused)
        _account_type(t.account_type).encode("ascii"),
        account_number(t.account_number).encode("ascii"),
        _text(zengin_kana(t.payee_kana, 30, what="受取人名"), 30),
        b"%010d" % t.amount,
        t.new_code.encode("ascii"),
        customer.zfill(10).encode("ascii") if customer else b" " * 10,
        b" " * 10,  # 顧客コード2
        b" ",  # 振込指定区分
        b" ",  # 識別表示
        b" " * 7,  # ダミー
    ))  # fmt: skip
    if len(record) != RECORD_LENGTH:  # pragma: no cover - the lengths above are those of DATA
        raise AssertionError(f"data record of {len(record)} bytes")
    return record


def _text(value: str, length: int) -> bytes:
    """A C field: CP932 (one byte per half-width kana), left-aligned, space-padded."""
    return value.encode(ENCODING).ljust(length, b" ")


def trailer_record(count: int, total: int) -> bytes:
    if count > MAX_COUNT or total > MAX_TOTAL:
        raise ZenginError(f"a file holds at most {MAX_COUNT} transfers and {MAX_TOTAL} yen; split the payment")
    return _encode(TRAILER, {"データ区分": "8", "合計件数": str(count), "合計金額": str(total)})


def end_record() -> bytes:
    return _encode(END, {"データ区分": "9"})


@dataclass(frozen=True, slots=True)
class TransferFile:
    content: bytes
    count: int
    total: int


def write(
    requester: Requester, transfer_date: date, transfers: Iterable[Transfer], *, separator: bytes = CRLF
) -> TransferFile:
    """The whole file for ``transfers`` paid on ``transfer_date`` (振込指定日)."""
    records = [header_record(requester, transfer_date)]
    count = total = 0
    for t in transfers:
        records.append(data_record(t))
        count += 1
        total += t.amount
    records.append(trailer_record(count, total))
    records.append(end_record())
    return TransferFile(separator.join(records) + separator, count, total)


_LAYOUTS = {"1": HEADER, "2": DATA, "8": TRAILER, "9": END}


def read(content: bytes) -> list[dict[str, str]]:
    """Parse a file back into records (field name -> text, padding stripped): for checks and reconciliation."""
    body = content.replace(CRLF, b"")
    if len(body) % RECORD_LENGTH:
        raise ZenginError(f"{len(body)} bytes is not a whole number of {RECORD_LENGTH}-byte records")
    records = []
    for start in range(0, len(body), RECORD_LENGTH):
        raw = body[start : start + RECORD_LENGTH]
        layout = _LAYOUTS.get(chr(raw[0]))
        if layout is None:
            raise ZenginError(f"record {start // RECORD_LENGTH + 1}: unknown データ区分 {raw[:1]!r}")
        record, pos = {}, 0
        for f in layout:
            record[f.name] = raw[pos : pos + f.length].decode(ENCODING).strip()
            pos += f.length
        records.append(record)
    return records
