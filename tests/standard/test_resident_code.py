"""住民票コード (resident record code) check digit. The formula is unverified: see
kiban.standard.numbers.resident_code_check_digit."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kiban.standard.numbers import (
    individual_number_check_digit,
    is_valid_resident_code,
    make_resident_code,
    resident_code_check_digit,
    validate_resident_code,
    validate_resident_record_code,
)


def test_check_digit_worked_by_hand():
    # 1234567890, digits from the right × weights 2,3,4,5,6,7,2,3,4,5:
    # 0·2 + 9·3 + 8·4 + 7·5 + 6·6 + 5·7 + 4·2 + 3·3 + 2·4 + 1·5 = 195; 195 mod 11 = 8; 11 − 8 = 3.
    assert resident_code_check_digit("1234567890") == 3
    assert make_resident_code("1234567890") == "12345678903"
    assert validate_resident_code("12345678903") == "12345678903"


@pytest.mark.parametrize(
    ("first_ten", "digit"),
    [
        ("0000000000", 0),  # sum 0, remainder 0 → 0
        ("0000000006", 0),  # 6·2 = 12, remainder 1 → 0
        ("0000000001", 9),  # 1·2 = 2 → 9
        ("0000000010", 8),  # 1·3 = 3 → 8
        ("0000100000", 4),  # 1·7 = 7 → 4 (the sixth digit from the right has weight 7)
        ("0001000000", 9),  # 1·2 → 9 (weights start again at 2 on the seventh)
        ("1000000000", 6),  # 1·5 = 5 → 6
        ("9999999999", 5),  # 9·(2+3+4+5+6+7+2+3+4+5) = 9·41 = 369 = 33·11 + 6 → 11 − 6 = 5
    ],
)
def test_weights_and_the_zero_rule(first_ten, digit):
    assert resident_code_check_digit(first_ten) == digit


@given(st.from_regex(r"[0-9]{10}", fullmatch=True))
def test_same_rule_as_the_individual_number_over_ten_digits(first_ten):
    # The assumed formula is the 個人番号 one (平成26年総務省令第85号 5条) on ten digits: a leading 0 adds nothing.
    assert resident_code_check_digit(first_ten) == individual_number_check_digit("0" + first_ten)


@given(st.from_regex(r"[0-9]{10}", fullmatch=True))
def test_made_codes_are_valid_and_any_other_last_digit_is_not(first_ten):
    code = make_resident_code(first_ten)
    assert is_valid_resident_code(code)
    assert validate_resident_code(code) == code
    assert validate_resident_record_code(code) == code
    for other in "0123456789":
        if other != code[-1]:
            assert not is_valid_resident_code(first_ten + other)


@given(st.from_regex(r"[0-9]{10}", fullmatch=True), st.integers(0, 10), st.integers(1, 9))
def test_a_single_mistyped_digit_is_caught_when_the_check_digit_is_not_0(first_ten, position, delta):
    code = make_resident_code(first_ten)
    assume(code[-1] != "0")
    mistyped = code[:position] + str((int(code[position]) + delta) % 10) + code[position + 1 :]
    assert not is_valid_resident_code(mistyped)


def test_check_digit_0_stands_for_two_remainders_so_some_typos_pass():
    # Remainders 0 and 1 both give 0: 0000000000 sums to 0 and 0000000006 to 6·2 = 12 (remainder 1), so both
    # 00000000000 and 00000000060 are valid, and a 6 typed for the 0 in the tenth digit goes unnoticed.
    assert is_valid_resident_code("00000000000")
    assert is_valid_resident_code("00000000060")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("12345678901", "check digit is 1, expected 3"),
        ("12345678900", "check digit is 0, expected 3"),
        ("1234567890", "must be 11 digits, got 10 characters"),
        ("123456789031", "must be 11 digits, got 12 characters"),
        ("", "must be 11 digits, got 0 characters"),
        ("１２３４５６７８９０３", "only the digits 0-9 \\(ASCII\\), got '１'"),
        ("1234567890a", "only the digits 0-9 \\(ASCII\\), got 'a'"),
        ("1234 567890", "only the digits 0-9 \\(ASCII\\), got ' '"),
        ("-1234567890", "only the digits 0-9 \\(ASCII\\), got '-'"),
        ("١٢٣٤٥٦٧٨٩٠٣", "only the digits 0-9"),  # Arabic-Indic digits pass str.isdigit but are not accepted
    ],
)
def test_bad_codes_are_refused_with_the_reason(code, message):
    with pytest.raises(ValueError, match=message) as err:
        validate_resident_code(code)
    assert "住民票コード (resident record code)" in str(err.value)
    assert not is_valid_resident_code(code)


def test_non_string_is_refused():
    with pytest.raises(ValueError, match="must be a string of 11 digits, got int"):
        validate_resident_code(12345678903)  # type: ignore[arg-type]
    assert not is_valid_resident_code(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("first_ten", ["123456789", "12345678901", "123456789a", "１２３４５６７８９０"])
def test_check_digit_needs_ten_ascii_digits(first_ten):
    with pytest.raises(ValueError, match="住民票コード \\(first ten digits\\)"):
        resident_code_check_digit(first_ten)
    with pytest.raises(ValueError):
        make_resident_code(first_ten)


def test_the_registry_validator_still_checks_the_form_only():
    # Until the 告示 is read, a code with another last digit is not refused where residents' records are written.
    assert validate_resident_record_code("12345678901") == "12345678901"
    with pytest.raises(ValueError, match="住民票コード"):
        validate_resident_record_code("1234567890")
