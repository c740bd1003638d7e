"""The local government code (全国地方公共団体コード) and its check digit.

Source: 総務省「全国地方公共団体コード」(昭和43年自治省行政局振興課長通知 自治振第164号, as amended),
検査数字の算出方法: the first five digits are weighted 6, 5, 4, 3, 2; the sum is taken modulo 11; the check
digit is 11 minus the remainder, keeping only its last digit (remainder 0 gives 11 → 1, remainder 1 gives 10 → 0).
Worked examples from the ministry's list: 千代田区 13101-6, 新宿区 13104-1, 札幌市 01100-2.
"""

from __future__ import annotations

_WEIGHTS = (6, 5, 4, 3, 2)


class InvalidLocalGovernmentCode(ValueError):
    """A code that is not a well-formed local government code; the message says why."""


def check_digit(first_five: str) -> int:
    """Return the check digit for the first five digits of a local government code."""
    if len(first_five) != 5 or not first_five.isascii() or not first_five.isdigit():
        raise InvalidLocalGovernmentCode(f"expected 5 digits before the check digit, got {first_five!r}")
    remainder = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True)) % 11
    return (11 - remainder) % 10


def validate_code(code: str) -> str:
    """Return ``code`` if it is a valid 6-digit local government code, else raise with the reason."""
    if not isinstance(code, str) or len(code) != 6 or not code.isascii() or not code.isdigit():
        raise InvalidLocalGovernmentCode(
            f"local government code must be 6 ASCII digits (2 prefecture + 3 municipality + check digit), got {code!r}"
        )
    prefecture = int(code[:2])
    if not 1 <= prefecture <= 47:
        raise InvalidLocalGovernmentCode(f"{code}: prefecture part {code[:2]} is not 01-47")
    expected = check_digit(code[:5])
    if int(code[5]) != expected:
        raise InvalidLocalGovernmentCode(f"{code}: check digit is {code[5]}, expected {expected} for {code[:5]}")
    return code
