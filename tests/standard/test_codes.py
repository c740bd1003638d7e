import pytest

from kiban.standard.codes import (
    REASON_KINDS,
    ChangeKind,
    ChangeReason,
    KinTerm,
    validate_nationality,
    validate_relationship,
)


@pytest.mark.parametrize(
    "relationship",
    ["世帯主", "縁故者", "同居人", "妻", "妻（未届）", "子", "子の妻", "子の子の子の子", "妻の父", "夫（未届）の子"],
)
def test_relationships_the_standard_allows(relationship):
    assert validate_relationship(relationship) == relationship


@pytest.mark.parametrize(
    "relationship",
    ["孫", "祖父", "子の子の子の子の子", "世帯主の子", "子の縁故者", "妻(未届)", "", "子の", "の子"],
)
def test_relationships_the_standard_forbids(relationship):
    with pytest.raises(ValueError, match="続柄"):
        validate_relationship(relationship)


def test_every_reason_belongs_to_a_group_and_only_remake_and_reconstruction_to_two():
    assert set(REASON_KINDS) == set(ChangeReason)
    both = {reason for reason, kinds in REASON_KINDS.items() if len(kinds) == 2}
    assert both == {ChangeReason.REMAKE, ChangeReason.RECONSTRUCTION}
    assert REASON_KINDS[ChangeReason.MOVE_WITHIN] == {ChangeKind.CORRECTION}
    assert REASON_KINDS[ChangeReason.DEATH] == {ChangeKind.REMOVAL}


def test_kin_terms_are_those_of_section_1_1_11():
    assert [t.value for t in KinTerm] == [
        "夫",
        "妻",
        "夫（未届）",
        "妻（未届）",
        "子",
        "父",
        "母",
        "兄",
        "姉",
        "弟",
        "妹",
    ]


def test_nationality_is_a_three_digit_code():
    assert validate_nationality("156") == "156"
    for bad in ("CN", "CHN", "15", "1560"):
        with pytest.raises(ValueError, match="ISO 3166-1 numeric"):
            validate_nationality(bad)
