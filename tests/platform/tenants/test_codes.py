import pytest

from kiban.platform.tenants.codes import InvalidLocalGovernmentCode, check_digit, validate_code


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("131016", "千代田区"),
        ("131041", "新宿区"),
        ("011002", "札幌市"),
        ("141003", "横浜市"),
        ("134023", "青ヶ島村"),
        ("134210", "小笠原村"),
    ],
)
def test_published_codes_pass_their_check_digit(code: str, name: str) -> None:
    assert validate_code(code) == code
    assert check_digit(code[:5]) == int(code[5])


def test_remainder_zero_and_one_wrap_to_single_digits() -> None:
    # 13101: 1*6+3*5+1*4+0*3+1*2 = 27, 27 mod 11 = 5, 11-5 = 6
    assert check_digit("13101") == 6
    # a remainder of 0 gives 11 -> 1, a remainder of 1 gives 10 -> 0
    assert check_digit("00000") == 1
    assert check_digit("00300") == 0  # 3*4 = 12, 12 mod 11 = 1, 11-1 = 10 -> 0


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("131017", "check digit is 7, expected 6"),
        ("13101", "6 ASCII digits"),
        ("1310166", "6 ASCII digits"),
        ("１３１０１６", "6 ASCII digits"),  # full-width digits are not a code
        ("13101a", "6 ASCII digits"),
        ("481017", "prefecture part 48"),
        ("001015", "prefecture part 00"),
    ],
)
def test_malformed_codes_are_refused_with_the_reason(code: str, reason: str) -> None:
    with pytest.raises(InvalidLocalGovernmentCode, match=reason):
        validate_code(code)
