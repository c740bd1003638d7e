"""Identifying numbers of the resident record and their check digits: 個人番号 and 住民票コード.

Each ``validate_*`` function returns the number unchanged if it is well formed, and otherwise raises
``ValueError`` with a message that names the item and says what is wrong (Pydantic shows it as is).
Only ASCII digits are accepted: converting full-width input (全角数字) is the job of the form, not the standard.
"""

from __future__ import annotations

from operator import mul


def _require_digits(value: str, length: int, item: str) -> None:
    if not isinstance(value, str) or len(value) != length or not value.isascii() or not value.isdigit():
        raise ValueError(f"{item} must be {length} ASCII digits, got {value!r}")


def individual_number_check_digit(first_eleven: str) -> int:
    """The check digit (検査用数字) of an individual number (個人番号, My Number), from its first 11 digits.

    Source: 行政手続における特定の個人を識別するための番号の利用等に関する法律施行令 (平成26年政令第155号) 8条
    delegates the formula to a ministerial ordinance; 平成26年総務省令第85号 5条 fixes it as

        11 − (Σ_{n=1..11} Pn × Qn mod 11), or 0 when (Σ Pn × Qn mod 11) ≤ 1
        Pn: the n-th digit counted from the lowest (rightmost) of the 11 digits before the check digit
        Qn: n + 1 for 1 ≤ n ≤ 6, n − 5 for 7 ≤ n ≤ 11   (weights 2,3,4,5,6,7,2,3,4,5,6 from the right)

    Read in the ordinance's text as quoted from e-Gov, and in J-LIS's own explanation (月刊J-LIS 2015年7月号,
    番号移行サポートセンター Q&A 問1), which adds the worked rule "remainder 0 or 1 gives check digit 0".
    """
    _require_digits(first_eleven, 11, "個人番号 (individual number) without its check digit")
    return _individual_number_check_digit(first_eleven)


# Qn of the 11 digits read from the left (the 11th digit from the right first): 6,5,4,3,2,7 then 6,5,4,3,2.
_WEIGHTS = tuple(n + 1 if n <= 6 else n - 5 for n in range(11, 0, -1))


def _individual_number_check_digit(first_eleven: str) -> int:
    """The formula of ``individual_number_check_digit`` on 11 ASCII digits already checked (a migration checks a
    million numbers: the sum is taken in C)."""
    remainder = sum(map(mul, map(int, first_eleven), _WEIGHTS)) % 11
    return 0 if remainder <= 1 else 11 - remainder


def validate_individual_number(number: str) -> str:
    """Return ``number`` if it is a 12-digit individual number whose last digit is its check digit."""
    _require_digits(number, 12, "個人番号 (individual number)")
    expected = _individual_number_check_digit(number[:11])
    if int(number[11]) != expected:
        raise ValueError(f"個人番号 (individual number): check digit is {number[11]}, expected {expected}")
    return number


def validate_resident_record_code(code: str) -> str:
    """Return ``code`` if it is a well-formed resident record code (住民票コード): 11 ASCII digits.

    Source: 住民基本台帳法 (昭和42年法律第81号) 7条13号; 住民基本台帳法施行規則 (平成11年自治省令第35号) 1条: ten digits
    made at random (無作為に作成された十けたの数字) followed by one check digit (検査数字) computed "by the formula the
    Minister for Internal Affairs and Communications sets" (総務大臣が定める算式). An earlier note here named that 告示
    平成14年総務省告示第436号 (官報 2002-07-25); neither the number nor the text could be confirmed.

    The check digit is NOT verified here. The text of that 告示 could not be read from any source available while this
    was written (see ``resident_code_check_digit``), and rejecting a real resident's valid code would be worse than
    accepting a mistyped one. ``validate_resident_code`` does check it, under the assumed formula; switch this function
    to it once the 告示 has been read (and update the fixtures that use made-up codes such as 12345678901).
    """
    _require_digits(code, 11, "住民票コード (resident record code)")
    return code


def validate_residence_card_number(number: str) -> str:
    """Return ``number`` if it has the form of a residence card (在留カード) or special permanent resident
    certificate (特別永住者証明書) number: 12 characters, 2 capital letters, 8 digits, 2 capital letters.

    Source: the form printed on the cards and used by 出入国在留管理庁's 在留カード等番号失効情報照会; there is no
    public check digit, so only the form is checked.
    """
    if (
        not isinstance(number, str)
        or len(number) != 12
        or not number.isascii()
        or not (number[:2].isalpha() and number[:2].isupper())
        or not number[2:10].isdigit()
        or not (number[10:].isalpha() and number[10:].isupper())
    ):
        raise ValueError(f"在留カード等番号 (residence card number) must be like AB12345678CD, got {number!r}")
    return number


def resident_code_check_digit(first_ten: str) -> int:
    """The check digit (検査数字) of a resident record code (住民票コード), from its first ten digits.

    UNVERIFIED. 住民基本台帳法施行規則 1条2号 (text read in a reproduction of the 省令) leaves the formula to the
    Minister (総務大臣が定める算式); the 告示 that sets it could not be found in any source searched. This is the
    formula most widely assumed: the 個人番号 formula of 平成26年総務省令第85号 5条 applied to ten digits,

        11 − (Σ_{n=1..10} Pn × Qn mod 11), or 0 when (Σ Pn × Qn mod 11) ≤ 1
        Pn: the n-th digit counted from the lowest (rightmost) of the ten digits
        Qn: n + 1 for 1 ≤ n ≤ 6, n − 5 for 7 ≤ n ≤ 10   (weights 2,3,4,5,6,7,2,3,4,5 from the right)

    The only public statements found: a generator of test data (C#, "マイナンバーと住民票コードのチェックデジット計算")
    that uses these weights for both numbers, and a DLP vendor's "position weighted Mod11 checksum" for the 11-digit
    code (Trellix, "Residence Card Code (Japan)"); Microsoft Purview's "Japan resident registration number" checks no
    checksum. Used to make codes for new records and sample data, and by ``validate_resident_code``.
    """
    _require_digits(first_ten, 10, "住民票コード (first ten digits)")
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(first_ten)))
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def make_resident_code(first_ten: str) -> str:
    """A resident record code: ``first_ten`` followed by its check digit (``resident_code_check_digit``)."""
    return first_ten + str(resident_code_check_digit(first_ten))


def validate_resident_code(code: str) -> str:
    """Return ``code`` if it is 11 ASCII digits whose last is the check digit of the first ten; otherwise raise
    ``ValueError`` saying which: wrong length, a character that is not a digit, or the wrong check digit.

    The check digit formula is unverified (see ``resident_code_check_digit``); ``validate_resident_record_code`` is
    the one the registry and the schemas use until it is.
    """
    item = "住民票コード (resident record code)"
    if not isinstance(code, str):
        raise ValueError(f"{item} must be a string of 11 digits, got {type(code).__name__}")
    if len(code) != 11:
        raise ValueError(f"{item} must be 11 digits, got {len(code)} characters: {code!r}")
    bad = [c for c in code if c not in "0123456789"]
    if bad:
        raise ValueError(f"{item} must contain only the digits 0-9 (ASCII), got {bad[0]!r} in {code!r}")
    expected = resident_code_check_digit(code[:10])
    if int(code[10]) != expected:
        raise ValueError(f"{item}: check digit is {code[10]}, expected {expected}")
    return code


def is_valid_resident_code(code: str) -> bool:
    """Whether ``validate_resident_code`` accepts ``code``."""
    try:
        validate_resident_code(code)
    except ValueError:
        return False
    return True
