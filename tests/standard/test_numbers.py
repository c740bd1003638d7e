import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiban.standard.numbers import (
    individual_number_check_digit,
    validate_individual_number,
    validate_residence_card_number,
    validate_resident_record_code,
)


def test_check_digit_follows_the_ordinance_formula_worked_by_hand():
    # 12345678901, digits from the right × weights 2,3,4,5,6,7,2,3,4,5,6:
    # 1·2 + 0·3 + 9·4 + 8·5 + 7·6 + 6·7 + 5·2 + 4·3 + 3·4 + 2·5 + 1·6 = 212; 212 mod 11 = 3; 11 − 3 = 8.
    assert individual_number_check_digit("12345678901") == 8
    assert validate_individual_number("123456789018") == "123456789018"


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_check_digit_is_the_ordinances_sum_for_any_eleven_digits(digits):
    # 総務省令第85号 5条 transcribed term by term: Pn the n-th digit from the right, Qn = n + 1 (n ≤ 6) or n − 5.
    total = sum(int(digits[11 - n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    expected = 0 if total % 11 <= 1 else 11 - total % 11
    assert individual_number_check_digit(digits) == expected
    assert validate_individual_number(digits + str(expected)) == digits + str(expected)
    with pytest.raises(ValueError, match="check digit"):
        validate_individual_number(digits + str((expected + 1) % 10))


def test_remainder_zero_or_one_gives_check_digit_zero():
    # 00000000000 sums to 0; 10000000000 sums to 6 (→ 5); 00000000050 sums to 5·3 = 15, remainder 4 (→ 7).
    assert individual_number_check_digit("00000000000") == 0
    assert individual_number_check_digit("10000000000") == 5
    assert individual_number_check_digit("00000000050") == 7
    # 00000000400: 4·4 = 16, remainder 5 → 6;  00000004000: 4·5 = 20, remainder 9 → 2;
    # 00000000006: 6·2 = 12, remainder 1 → 0 (the "≤ 1" rule).
    assert individual_number_check_digit("00000000400") == 6
    assert individual_number_check_digit("00000004000") == 2
    assert individual_number_check_digit("00000000006") == 0


def test_published_example_is_valid():
    # The example in a public write-up of the 総務省令 formula (Qiita, "マイナンバーの検査用数字の確認方法").
    assert validate_individual_number("983205673214")


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("123456789017", "check digit is 7, expected 8"),
        ("983205673210", "check digit is 0, expected 4"),
        ("12345678901", "must be 12 ASCII digits"),
        ("1234567890123", "must be 12 ASCII digits"),
        ("１２３４５６７８９０１８", "must be 12 ASCII digits"),
        ("12345678901a", "must be 12 ASCII digits"),
    ],
)
def test_bad_individual_numbers_are_refused_with_the_reason(number, message):
    with pytest.raises(ValueError, match=message):
        validate_individual_number(number)


def test_resident_record_code_is_checked_for_form_only():
    assert validate_resident_record_code("12345678901") == "12345678901"
    for bad in ("1234567890", "123456789012", "1234567890x"):
        with pytest.raises(ValueError, match="住民票コード"):
            validate_resident_record_code(bad)


def test_residence_card_number_form():
    assert validate_residence_card_number("AB12345678CD") == "AB12345678CD"
    for bad in ("ab12345678cd", "AB1234567CD", "AB12345678C1", "1B12345678CD"):
        with pytest.raises(ValueError, match="AB12345678CD"):
            validate_residence_card_number(bad)
