"""What a certificate shows, as plain data: the contract between the registry and the printing layer.

The registry (``kiban.apps.residents.certificates``) decides what may be shown — which persons, which optional
items (住民基本台帳法12条, 12条の2, 12条の3) — and fills these dataclasses; this package only lays them out,
so a ``None`` here means "not printed", never "unknown". Nothing in here touches Django or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Kind = Literal["resident_copy", "removed_copy", "recorded_items", "removed_items", "move_out", "move_out_equivalent"]
MOVE_OUT_KINDS = ("move_out", "move_out_equivalent")  # 転出証明書 / 転出証明書に準ずる証明書 (標準仕様書 4.1.3.0.3)
Layout = Literal["household", "individual"]


@dataclass(frozen=True)
class HistoryLine:
    """One entry of the record's history (異動履歴), printed when the requester asked for history."""

    effective_on: date  # 異動日
    notified_on: date | None  # 届出日
    reason: str  # 異動事由, e.g. "転居", "転入"
    text: str  # e.g. "千代田区九段南1-2-1 から転居"
    notes: tuple[str, ...] = ()  # 統合記載欄 留意事項 (B類型) tied to this entry (標準仕様書 1.1.14)


@dataclass(frozen=True)
class PersonEntry:
    """One person on the certificate. Optional items are ``None`` unless the requester chose them."""

    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    birth_date: date
    sex: str  # "男" / "女"
    relationship: str | None = None  # 続柄
    became_resident_on: date | None = None  # 住民となった年月日
    moved_in_on: date | None = None  # 住定日
    previous_address: str | None = None  # 前住所
    domicile: str | None = None  # 本籍
    domicile_head: str | None = None  # 筆頭者
    resident_code: str | None = None  # 住民票コード
    individual_number: str | None = None  # 個人番号 (12 digits)
    removed_on: date | None = None  # 除票: 消除日
    removal_reason: str | None = None  # 除票: 消除事由
    nationality: str | None = None  # 国籍・地域 (foreign residents)
    residence_status: str | None = None  # 在留資格
    period_of_stay_until: date | None = None  # 在留期間等の満了の日
    residence_card_number: str | None = None  # 在留カード等番号
    alias: str | None = None  # 通称
    alias_kana: str | None = None  # 通称のフリガナ (katakana), printed only when the certificate has furigana
    former_surname: str | None = None  # 旧氏 (施行令30条の13), printed with the name when recorded
    former_surname_kana: str | None = None
    history: tuple[HistoryLine, ...] = ()
    remarks: tuple[str, ...] = ()  # 統合記載欄 備考 (C類型), printed with the history (標準仕様書 1.1.14)

    @property
    def is_foreign(self) -> bool:
        """Foreign residents (法30条の45) have a nationality; their birth date is printed in the Western calendar."""
        return bool(self.nationality) and self.nationality != "日本"


@dataclass(frozen=True)
class CertificateContent:
    """Everything printed on one certificate (住民票の写し, 除票の写し, 住民票記載事項証明書, 転出証明書 or the
    転出証明書に準ずる証明書)."""

    kind: Kind  # resident_copy 住民票の写し / removed_copy 除票の写し / recorded_items 記載事項証明書 /
    # removed_items 除票記載事項証明書
    layout: Layout  # household 世帯連記式 (up to 4 persons a sheet) / individual 個人票 (one person)
    municipality_name: str  # e.g. "東京都千代田区"
    # The certifier in force on the issue date, title and name (標準仕様書 1.3.9, j310), e.g. "千代田区長　樋口　高顕"
    # or a deputy's "千代田区長職務代理者　千代田区副区長　山田　一郎"; the prefecture is added when missing (5.6).
    mayor: str
    address: str  # 住所 (with 方書)
    householder_name: str | None  # 世帯主 (shown if chosen)
    persons: tuple[PersonEntry, ...]
    issued_on: date
    issue_number: str  # 発行番号
    verification_code: str  # printed; typed on the public verification page
    verification_url: str  # encoded in the QR code
    omitted_items: tuple[str, ...] = ()  # e.g. ("本籍・筆頭者", "個人番号"): listed in the 省略 notice
    # 標準仕様書 5.3 (j1020): names and 通称 followed by their katakana in parentheses,
    # 「住民　太郎　（ジュウミン　タロウ）」; never above the name, never in hiragana, never for other items.
    furigana: bool = False
    # 転出証明書 (施行令23条; 標準仕様書 4.1.3.0.3, j660): where to and when, and whether this is a reissue (再交付)
    destination_address: str | None = None  # 転出先
    planned_on: date | None = None  # 転出の予定年月日
    reissue: bool = False
    # 標準仕様書 5.7 (j1060): 「公用」 printed on a certificate issued to a public office (法12条の2); never
    # 「附票通知」 or 「規定により免除」 (実装しない機能).
    official_use: bool = False
    seal_title: str = ""  # the office whose seal is printed (「…長之印」); default: the certifier's title


NoticeKind = Literal["assigned", "changed", "corrected"]


@dataclass(frozen=True)
class NoticeContent:
    """A 住民票コード通知票 (assigned: 法30条の3第3項), 住民票コード変更通知票 (changed: 法30条の4第3項) or 住民票コード
    修正通知票 (corrected) — 標準仕様書 4.3.3 (j890). A notice to the person, not a certificate: no seal, no
    verification code (公印省略); the municipality and its mayor (the certifier in force on the day printed) issue
    it."""

    kind: NoticeKind
    municipality_name: str
    mayor: str  # e.g. "千代田区長　樋口　高顕" (the prefecture is added when missing, as on certificates)
    address: str  # the person's address (with 方書) when the code was written
    name: str
    name_kana: str
    birth_date: date
    birth_in_western: bool  # a foreign resident's birth date is in the Western calendar (標準仕様書 1.1.9)
    resident_code: str  # the code written
    recorded_on: date  # the date it was written (異動日)
    issued_on: date  # the date printed
    previous_code: str = ""  # the code replaced (changed, corrected)
    requested_on: date | None = None  # 請求日 (changed)
    reprint: bool = False  # 再出力 from the record, later (marked)


@dataclass(frozen=True)
class Letter:
    """A notice sent to a person (通知票・通知書): what ``notice.render_letter`` lays out on one A4 page — the date,
    the addressee, the issuer (the mayor, 公印省略), the title, the body and the items below 「記」."""

    title: str
    municipality_name: str
    mayor: str
    address: str
    name: str
    issued_on: date
    body: str
    items: tuple[tuple[str, str], ...]
    note: str = ""
