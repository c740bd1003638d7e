from datetime import date

import pytest
from pydantic import ValidationError

from kiban.standard.codes import ResidenceStatus, Sex
from kiban.standard.schemas import Address, ChangeRecord, Household, Resident

ADDRESS = {
    "postal_code": "1000001",
    "local_government_code": "131016",
    "prefecture": "東京都",
    "municipality": "千代田区",
    "town": "千代田",
    "house_number": "1番1号",
    "building": "千代田ハイツ101号室",
}


def japanese(**changes):
    record = {
        "resident_type": "日本人住民",
        "addressee_number": "0000001",
        "household_number": "0000100",
        "individual_number": "123456789018",
        "resident_record_code": "12345678901",
        "name": "青木 太郎",
        "name_kana": "アオキ タロウ",
        "birth_date": "2003-01-07",
        "sex": "1",
        "householder_name": "青木 太郎",
        "relationship": "世帯主",
        "permanent_domicile": "東京都千代田区千代田1番地",
        "head_of_family_register": "青木 一郎",
        "became_resident_on": "2024-04-01",
        "address": ADDRESS,
        "address_set_on": "2024-04-01",
        "notified_on": "2024-04-05",
    }
    return {**record, **changes}


def foreign(**changes):
    record = {
        "resident_type": "外国人住民",
        "addressee_number": "0000002",
        "household_number": "0000100",
        "name": "NGUYEN VAN AN",
        "birth_date": "1998-05-05",
        "sex": "1",
        "householder_name": "青木 太郎",
        "relationship": "同居人",
        "address": ADDRESS,
        "nationality": "704",
        "foreign_resident_category": "中長期在留者",
        "residence_status": "技術・人文知識・国際業務",
        "period_of_stay": "3年",
        "period_of_stay_expires_on": "2027-03-31",
        "residence_card_number": "AB12345678CD",
        "became_foreign_resident_on": "2024-04-01",
    }
    return {**record, **changes}


def errors(model, data):
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return str(caught.value)


def test_a_japanese_national_and_a_foreign_resident_validate():
    taro = Resident.model_validate(japanese())
    assert taro.birth_date == date(2003, 1, 7)
    assert taro.sex is Sex.MALE
    assert taro.address.building == "千代田ハイツ101号室"
    an = Resident.model_validate(foreign())
    assert an.residence_status is ResidenceStatus.ENGINEER_HUMANITIES_INTERNATIONAL


def test_bad_individual_number_check_digit_is_refused():
    assert "個人番号 (individual number): check digit is 7, expected 8" in errors(
        Resident, japanese(individual_number="123456789017")
    )


def test_unknown_codes_are_refused():
    assert "Input should be '0', '1', '2' or '9'" in errors(Resident, japanese(sex="M"))
    assert "続柄 (relationship to householder) '孫' is not allowed" in errors(Resident, japanese(relationship="孫"))
    assert "residence_status" in errors(Resident, foreign(residence_status="ビザ"))
    assert "ISO 3166-1 numeric" in errors(Resident, foreign(nationality="VN"))


def test_missing_required_items_are_named():
    data = japanese()
    del data["name"], data["birth_date"]
    message = errors(Resident, data)
    assert "name\n  Field required" in message
    assert "birth_date\n  Field required" in message


def test_unknown_items_are_refused_not_dropped():
    assert "Extra inputs are not permitted" in errors(Resident, japanese(nickname="タロ"))


def test_a_foreign_resident_needs_nationality_and_residence_status():
    assert "国籍・地域 (nationality)" in errors(Resident, foreign(nationality=None))
    message = errors(Resident, foreign(residence_status=None))
    assert "在留資格 (residence_status): required for a 中長期在留者" in message


def test_a_japanese_record_with_a_residence_card_number_is_refused():
    message = errors(Resident, japanese(residence_card_number="AB12345678CD"))
    assert "在留カードの番号 (residence_card_number): only on a foreign resident's record" in message


def test_a_foreign_record_with_a_permanent_domicile_is_refused():
    assert "本籍 (permanent_domicile): only on a Japanese national's record" in errors(
        Resident, foreign(permanent_domicile="東京都千代田区千代田1番地")
    )


def test_special_permanent_residents_have_a_certificate_not_a_residence_status():
    special = foreign(
        foreign_resident_category="特別永住者",
        residence_status=None,
        period_of_stay=None,
        period_of_stay_expires_on=None,
        residence_card_number=None,
        special_permanent_resident_certificate_number="XY87654321ZW",
    )
    assert Resident.model_validate(special).special_permanent_resident_certificate_number == "XY87654321ZW"
    assert "only for a 中長期在留者" in errors(Resident, {**special, "residence_status": "永住者"})
    assert "required for a 特別永住者" in errors(
        Resident, {**special, "special_permanent_resident_certificate_number": None}
    )


def test_a_temporary_visitor_is_never_a_mid_to_long_term_resident():
    assert "入管法 19条の3" in errors(Resident, foreign(residence_status="短期滞在"))


def test_the_householder_is_named_as_householder():
    assert "must be the householder's own 氏名" in errors(Resident, japanese(householder_name="青木 花子"))


def test_bad_local_government_code_in_an_address_is_refused():
    assert "check digit is 7, expected 6" in errors(Address, {**ADDRESS, "local_government_code": "131017"})


def household(*members):
    return {"household_number": "0000100", "householder_name": "青木 太郎", "address": ADDRESS, "members": members}


def test_a_household_has_exactly_one_householder():
    hanako = japanese(addressee_number="0000003", name="青木 花子", relationship="妻", sex="2")
    assert len(Household.model_validate(household(japanese(), hanako, foreign())).members) == 3
    assert "exactly one 世帯主, found 0" in errors(Household, household(hanako))
    assert "exactly one 世帯主, found 2" in errors(Household, household(japanese(), japanese(addressee_number="9")))
    assert "世帯番号 '0000200' is not the household's" in errors(
        Household, household(japanese(), {**hanako, "household_number": "0000200"})
    )


def change(**changes):
    record = {
        "history_number": 1,
        "kind": "記載",
        "reason": "国内転入",
        "effective_on": "2024-04-01",
        "processed_on": "2024-04-05",
        "notified_on": "2024-04-05",
        "resident": japanese(),
    }
    return {**record, **changes}


def test_a_move_in_record_validates():
    record = ChangeRecord.model_validate(change())
    assert record.effective_on == date(2024, 4, 1)
    assert record.notified_on == date(2024, 4, 5)


def test_the_reason_must_fit_the_kind_of_change():
    assert "国内転入 is a 記載 reason, not 消除" in errors(ChangeRecord, change(kind="消除"))
    assert ChangeRecord.model_validate(change(kind="消除", reason="改製", notified_on=None))


def test_unknown_reason_is_refused():
    assert "reason\n  Input should be" in errors(ChangeRecord, change(reason="引越し"))


def test_reasons_only_for_one_kind_of_resident():
    message = errors(ChangeRecord, change(kind="記載", reason="職権記載（国籍喪失）", notified_on=None))
    assert "applies only to 外国人住民" in message


def test_a_notified_change_needs_the_notification_date():
    assert "届出日 (notified_on) is required for 国内転入" in errors(ChangeRecord, change(notified_on=None))


def test_only_a_move_out_may_take_effect_after_processing():
    assert "only a 転出 may be recorded in advance" in errors(ChangeRecord, change(effective_on="2024-04-06"))
    move_out = change(kind="消除", reason="国内転出", effective_on="2024-04-20")
    assert ChangeRecord.model_validate(move_out).effective_on == date(2024, 4, 20)


def test_notification_cannot_postdate_processing():
    assert "is after 処理日" in errors(ChangeRecord, change(notified_on="2024-04-06"))


def test_every_field_has_its_japanese_item_name_as_title():
    for model in (Address, Resident, Household, ChangeRecord):
        missing = [name for name, field in model.model_fields.items() if not field.title or field.title.isascii()]
        assert not missing, f"{model.__name__}: fields without a Japanese title: {missing}"
