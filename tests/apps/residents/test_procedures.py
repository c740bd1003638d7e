"""Every procedure of the register, with its success and failure cases: nothing is written on a failure."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from kiban.apps.residents import selectors, services
from kiban.apps.residents.models import Household, Procedure, Resident, ResidentHistory
from kiban.apps.residents.validation import PersonData, ProcedureError
from kiban.platform.events.models import ChannelMessage, Event
from kiban.platform.tenants.context import tenant_context
from kiban.standard.numbers import make_resident_code

D = datetime.date
_ids = itertools.count(1)


def n(effective: datetime.date, notified: datetime.date | None = None, request_id: str = "") -> services.Notification:
    return services.Notification(request_id or f"req-{next(_ids)}", effective, notified or effective)


def person(given: str = "太郎", relationship: str = "世帯主", **kw: Any) -> PersonData:
    values: dict[str, Any] = {
        "family_name": "山田", "given_name": given, "family_name_kana": "ヤマダ", "given_name_kana": "タロウ",
        "birth_date": D(1980, 5, 5), "sex": "1", "relationship": relationship, "domicile": "東京都千代田区千代田1番",
        "domicile_head": "山田　太郎", "resident_code": make_resident_code(f"{next(_ids) + 1000000:010d}"),
    }  # fmt: skip
    return PersonData(**(values | kw))


def codes(err: pytest.ExceptionInfo[ProcedureError]) -> set[str]:
    return {e.code for e in err.value.errors}


def counts() -> tuple[int, int, int, int]:
    return (
        Resident.objects.count(),
        Household.objects.count(),
        ResidentHistory.objects.count(),
        Procedure.objects.count(),
    )


@pytest.fixture
def chiyoda(tenant_a: Any) -> Iterator[Any]:
    with tenant_context(tenant_a.code):
        yield tenant_a


def family(on: datetime.date | None = None) -> tuple[int, list[int]]:
    """A household of four who moved in from another municipality: householder, wife, two children."""
    result = services.move_in(
        n(on or D(2020, 4, 1)),
        address=services.AddressData("東京都千代田区九段南1丁目2番1号", "1020074", "九段南一丁目", "九段ハイツ101"),
        persons=[
            person("太郎"),
            person("花子", "妻", given_name_kana="ハナコ", sex="2", birth_date=D(1982, 2, 3)),
            person("一郎", "子", given_name_kana="イチロウ", birth_date=D(2010, 7, 7)),
            person("次郎", "子", given_name_kana="ジロウ", birth_date=D(2013, 8, 8)),
        ],
        previous_address="神奈川県横浜市中区1番",
    )  # fmt: skip
    return result.household_ids[0], result.resident_ids


# --- move-in (転入) ---------------------------------------------------------------------------------------------


def test_move_in_records_a_household_with_history_audit_and_events(chiyoda: Any) -> None:
    household_id, ids = family()
    members = Resident.objects.filter(household_id=household_id)
    assert members.count() == 4 and members.filter(relationship="世帯主").count() == 1
    head = members.get(relationship="世帯主")
    assert head.became_resident_on == D(2020, 4, 1) and head.moved_in_on == D(2020, 4, 1)
    assert head.previous_address == "神奈川県横浜市中区1番" and head.version == 1
    assert ResidentHistory.objects.filter(resident_id__in=ids, kind="国内転入").count() == 4
    assert Event.objects.filter(type="residents.resident.changed").count() == 4
    assert selectors.household_members(household_id, "test")[0].relationship == "世帯主"


def test_move_in_with_the_same_request_id_is_made_once(chiyoda: Any) -> None:
    args = {"address": services.AddressData("千代田区1番"), "persons": [person()], "previous_address": "横浜市"}
    first = services.move_in(n(D(2024, 1, 5), request_id="same"), **args)
    again = services.move_in(n(D(2024, 1, 5), request_id="same"), **args)
    assert again.replayed and again.procedure_id == first.procedure_id and Resident.objects.count() == 1
    with pytest.raises(ProcedureError) as err:
        services.death(n(D(2024, 1, 6), request_id="same"), resident_id=first.resident_ids[0])
    assert codes(err) == {"reused"}


def test_move_in_refuses_bad_input_and_writes_nothing(chiyoda: Any) -> None:
    before = counts()
    with pytest.raises(ProcedureError) as err:
        services.move_in(
            n(D(2030, 1, 1)),
            address=services.AddressData("", "12345"),
            persons=[person(family_name_kana="やまだ1"), person("花子", "世帯主"), person("三郎", "おい", sex="3")],
        )  # fmt: skip
    assert {"future_date", "required", "invalid", "not_katakana", "householder_doubled"} <= codes(err)
    fields = {e.field for e in err.value.errors}
    assert {
        "address.address",
        "address.postal_code",
        "previous_address",
        "persons.2.relationship",
        "persons.2.sex",
    } <= fields
    assert counts() == before


def test_move_in_checks_dates_against_birth_and_notification(chiyoda: Any) -> None:
    with pytest.raises(ProcedureError) as err:
        services.move_in(n(D(2020, 1, 1), D(2019, 12, 1)), address=services.AddressData("千代田区1番"),
                         persons=[person(birth_date=D(2020, 2, 1))], previous_address="横浜市")  # fmt: skip
    assert codes(err) == {"before_change", "after_change"}


def test_late_move_in_is_accepted_and_flagged(chiyoda: Any) -> None:
    result = services.move_in(n(D(2024, 3, 1), D(2024, 3, 16)), address=services.AddressData("千代田区1番"),
                              persons=[person()], previous_address="横浜市")  # fmt: skip
    assert result.flags == ["late_notification"]  # 法22条: 14 days; the 15th day is late
    on_time = services.move_in(n(D(2024, 3, 1), D(2024, 3, 15)), address=services.AddressData("千代田区2番"),
                               persons=[person()], previous_address="横浜市")  # fmt: skip
    assert on_time.flags == []


def test_move_in_refuses_a_person_already_registered_and_invalid_numbers(chiyoda: Any) -> None:
    _, ids = family()
    code = Resident.objects.get(id=ids[0]).resident_code
    with pytest.raises(ProcedureError) as err:
        services.move_in(n(D(2024, 1, 1)), address=services.AddressData("千代田区1番"),
                         persons=[person(resident_code=code, individual_number="123456789012")],
                         previous_address="横浜市")  # fmt: skip
    assert codes(err) == {"already_registered", "invalid"}


def test_foreign_resident_move_in_from_abroad_gets_a_resident_code(chiyoda: Any) -> None:
    foreign = person("ミン", kind="foreign", family_name="グエン", family_name_kana="グエン", given_name_kana="ミン",
                     domicile="", domicile_head="", nationality="704", residence_status="技術・人文知識・国際業務",
                     period_of_stay_until=D(2027, 4, 1), residence_card_number="AB12345678CD", resident_code="")  # fmt: skip
    result = services.move_in(n(D(2024, 4, 1)), address=services.AddressData("千代田区1番"), persons=[foreign],
                              origin="abroad")  # fmt: skip
    r = Resident.objects.get(id=result.resident_ids[0])
    assert len(r.resident_code) == 11 and r.previous_address == "国外" and r.kind == "foreign"
    with pytest.raises(ProcedureError) as err:
        services.move_in(n(D(2024, 4, 1)), address=services.AddressData("千代田区2番"), origin="abroad",
                         persons=[PersonData(**(foreign.__dict__ | {"nationality": "Vietnam", "residence_status": "短期滞在",
                                                                    "residence_card_number": "12", "resident_code": ""}))])  # fmt: skip
    assert {e.field for e in err.value.errors} == {
        "persons.0.nationality", "persons.0.residence_status", "persons.0.residence_card_number"
    }  # fmt: skip


def test_individual_number_is_encrypted_unique_masked_and_revealed_with_audit(chiyoda: Any) -> None:
    from kiban.platform.audit.models import AuditEntry

    number = "123456789018"
    result = services.move_in(n(D(2024, 4, 1)), address=services.AddressData("千代田区1番"), origin="abroad",
                              persons=[person(individual_number=number, resident_code="")])  # fmt: skip
    r = Resident.objects.get(id=result.resident_ids[0])
    assert number.encode() not in bytes(r.individual_number_cipher)
    assert selectors.open_resident(r.id, "x").individual_number_masked == "************"
    assert selectors.reveal_individual_number(r.id, "児童手当の認定") == number
    assert AuditEntry.objects.filter(action="resident.individual_number_read", object_id=str(r.id)).exists()
    assert number not in str(ResidentHistory.objects.get(resident_id=r.id).snapshot)
    assert number not in str(Procedure.objects.get(id=result.procedure_id).payload)
    with pytest.raises(ProcedureError) as err:
        services.move_in(n(D(2024, 4, 2)), address=services.AddressData("千代田区2番"), origin="abroad",
                         persons=[person(individual_number=number, resident_code="")])  # fmt: skip
    assert codes(err) == {"duplicate"}


# --- births, deaths, moves --------------------------------------------------------------------------------------


def test_birth_adds_a_child_to_the_household(chiyoda: Any) -> None:
    household_id, _ = family()
    baby = person("三郎", "子", given_name_kana="サブロウ", birth_date=D(2024, 6, 1), resident_code="")
    result = services.birth(n(D(2024, 6, 1), D(2024, 6, 10)), household_id=household_id, person=baby)
    r = Resident.objects.get(id=result.resident_ids[0])
    assert r.household_id == household_id and r.became_resident_on == D(2024, 6, 1)
    with pytest.raises(ProcedureError) as err:
        services.birth(n(D(2024, 6, 2)), household_id=household_id, person=baby)
    assert codes(err) == {"mismatch"}
    with pytest.raises(ProcedureError) as err:
        services.birth(n(D(2024, 6, 1)), household_id=999999, person=baby)
    assert codes(err) == {"not_found"}


def test_death_of_a_householder_needs_the_new_householder_when_several_remain(chiyoda: Any) -> None:
    _, (head, wife, son, younger) = family()
    before = counts()
    with pytest.raises(ProcedureError) as err:
        services.death(n(D(2024, 2, 1)), resident_id=head)
    assert codes(err) == {"required"} and counts() == before
    with pytest.raises(ProcedureError) as err:
        services.death(n(D(1970, 2, 1)), resident_id=head)
    assert "before_birth" in codes(err)
    services.death(n(D(2024, 2, 1), D(2024, 2, 3)), resident_id=head, new_householder_id=wife,
                   relationships={son: "子", younger: "子"})  # fmt: skip
    dead = Resident.objects.get(id=head)
    assert dead.status == "removed" and dead.removed_on == D(2024, 2, 1) and dead.removal_reason == "死亡"
    assert Resident.objects.get(id=wife).relationship == "世帯主"
    with pytest.raises(ProcedureError) as err:
        services.death(n(D(2024, 3, 1)), resident_id=head)
    assert codes(err) == {"removed"}


def test_single_remaining_member_becomes_householder_by_authority(chiyoda: Any) -> None:
    result = services.move_in(n(D(2020, 1, 1)), address=services.AddressData("千代田区1番"), previous_address="横浜市",
                              persons=[person(), person("花子", "妻", sex="2", given_name_kana="ハナコ")])  # fmt: skip
    head, wife = result.resident_ids
    services.death(n(D(2024, 1, 1)), resident_id=head)
    assert Resident.objects.get(id=wife).relationship == "世帯主"


def test_move_within_moves_a_whole_household_and_keeps_its_number(chiyoda: Any) -> None:
    household_id, ids = family()
    result = services.move_within(n(D(2024, 5, 1)), resident_ids=ids,
                                  address=services.AddressData("東京都千代田区一番町5番", building="一番町ハイム"))  # fmt: skip
    assert result.household_ids == [household_id]
    assert Household.objects.get(id=household_id).full_address == "東京都千代田区一番町5番　一番町ハイム"
    assert Resident.objects.get(id=ids[0]).previous_address.startswith("東京都千代田区九段南")
    with pytest.raises(ProcedureError) as err:
        services.move_within(n(D(2024, 5, 2)), resident_ids=ids,
                             address=services.AddressData("東京都千代田区一番町5番", building="一番町ハイム"))  # fmt: skip
    assert codes(err) == {"same_address"}
    with pytest.raises(ProcedureError) as err:
        services.move_within(n(D(2024, 4, 1)), resident_ids=ids, address=services.AddressData("千代田区3番"))
    assert codes(err) == {"before_last_change"}


def test_part_of_a_household_moves_into_a_new_household(chiyoda: Any) -> None:
    household_id, (head, _wife, son, _younger) = family()
    with pytest.raises(ProcedureError) as err:
        services.move_within(n(D(2024, 5, 1)), resident_ids=[son], address=services.AddressData("千代田区3番"),
                             relationships={son: "子"})  # fmt: skip
    assert codes(err) == {"householder_missing"}
    with pytest.raises(ProcedureError) as err:  # the householder leaves, nobody left in charge
        services.move_within(n(D(2024, 5, 1)), resident_ids=[head], address=services.AddressData("千代田区3番"),
                             relationships={head: "世帯主"})  # fmt: skip
    assert codes(err) == {"householder_missing"}
    result = services.move_within(n(D(2024, 5, 1)), resident_ids=[son], address=services.AddressData("千代田区3番"),
                                  relationships={son: "世帯主"})  # fmt: skip
    assert len(result.household_ids) == 2 and Resident.objects.get(id=son).household_id != household_id


def test_move_out_removes_and_notifies_the_destination_municipality(chiyoda: Any, tenant_b: Any) -> None:
    _, (head, wife, son, younger) = family()
    before = counts()
    with pytest.raises(ProcedureError) as err:
        services.move_out(n(D(2024, 3, 1)), resident_ids=[head, wife, son, younger], destination_address="",
                          destination_code="131016")  # fmt: skip
    assert codes(err) == {"required", "same_municipality"} and counts() == before
    with pytest.raises(ProcedureError) as err:
        services.move_out(n(datetime.date.today() + datetime.timedelta(days=90)), resident_ids=[head],
                          destination_address="新宿区")  # fmt: skip
    assert "too_far_ahead" in codes(err)
    services.move_out(n(D(2024, 3, 1), D(2024, 2, 20)), resident_ids=[head, wife, son, younger],
                      destination_address="東京都新宿区西新宿2丁目8番1号", destination_code=tenant_b.code)  # fmt: skip
    assert set(Resident.objects.filter(id__in=[head, wife]).values_list("status", flat=True)) == {"removed"}
    message = ChannelMessage.objects.get()
    assert message.to_tenant == tenant_b.code and len(message.data["persons"]) == 4
    assert "individual_number" not in message.data["persons"][0]


def test_household_split_merge_composition_and_householder_change(chiyoda: Any) -> None:
    household_id, (head, wife, son, younger) = family()
    split = services.split_household(n(D(2024, 1, 10)), resident_ids=[son], relationships={son: "世帯主"})
    new_household = next(h for h in split.household_ids if h != household_id)
    assert Resident.objects.get(id=son).household_id == new_household
    with pytest.raises(ProcedureError) as err:
        services.split_household(n(D(2024, 1, 11)), resident_ids=[head, wife, younger],
                                 relationships={head: "世帯主", wife: "妻", younger: "子"})  # fmt: skip
    assert codes(err) == {"whole_household"}
    services.change_composition(n(D(2024, 2, 1)), resident_ids=[younger], into_household_id=new_household,
                                relationships={younger: "弟"})  # fmt: skip
    assert Resident.objects.get(id=younger).household_id == new_household
    services.change_householder(n(D(2024, 3, 1)), household_id=household_id, relationships={head: "夫", wife: "世帯主"})
    assert Resident.objects.get(id=wife).relationship == "世帯主"
    with pytest.raises(ProcedureError) as err:
        services.change_householder(n(D(2024, 3, 2)), household_id=household_id,
                                    relationships={head: "世帯主", wife: "世帯主"})  # fmt: skip
    assert "householder_doubled" in codes(err)
    services.merge_households(n(D(2024, 4, 1)), from_household_id=new_household, into_household_id=household_id,
                              relationships={son: "子", younger: "子"})  # fmt: skip
    assert Resident.objects.filter(household_id=household_id, status="registered").count() == 4
    assert Resident.objects.filter(household_id=household_id, relationship="世帯主").count() == 1


def test_merging_households_at_different_addresses_is_refused(chiyoda: Any) -> None:
    a, _ = family()
    other = services.move_in(n(D(2020, 1, 1)), address=services.AddressData("千代田区別の住所"), persons=[person()],
                             previous_address="横浜市")  # fmt: skip
    with pytest.raises(ProcedureError) as err:
        services.merge_households(n(D(2024, 1, 1)), from_household_id=other.household_ids[0], into_household_id=a,
                                  relationships={other.resident_ids[0]: "同居人"})  # fmt: skip
    assert codes(err) == {"different_address"}


def test_corrections_keep_the_previous_value_in_history(chiyoda: Any) -> None:
    _, (_head, wife, *_) = family()
    with pytest.raises(ProcedureError) as err:
        services.correct(n(D(2024, 1, 1)), resident_id=wife, changes={"resident_code": "1"}, reason="")
    assert codes(err) == {"required", "not_correctable"}
    with pytest.raises(ProcedureError) as err:
        services.correct(n(D(2024, 1, 1)), resident_id=wife, changes={"given_name_kana": "hanako"}, reason="誤記")
    assert codes(err) == {"not_katakana"}
    services.correct(n(D(2024, 1, 1)), resident_id=wife, changes={"family_name": "佐藤", "family_name_kana": "サトウ"},
                     reason="戸籍届出（離婚）による氏の変更")  # fmt: skip
    snapshots = [h.snapshot["family_name"] for h in ResidentHistory.objects.filter(resident_id=wife).order_by("seq")]
    assert snapshots == ["山田", "佐藤"]
    assert selectors.search(selectors.SearchCriteria(kana="さとう"), "x")[0].id == wife


def test_residence_status_change_for_foreign_residents_only(chiyoda: Any) -> None:
    _, (head, *_) = family()
    foreign = services.move_in(n(D(2024, 4, 1)), address=services.AddressData("千代田区1番"), origin="abroad",
                               persons=[person(kind="foreign", domicile="", domicile_head="", nationality="156",
                                               residence_status="留学", residence_card_number="AB12345678CD",
                                               resident_code="")])  # fmt: skip
    rid = foreign.resident_ids[0]
    services.change_residence_status(n(D(2024, 10, 1)), resident_id=rid, residence_status="技術・人文知識・国際業務",
                                     period_of_stay_until=D(2029, 10, 1), residence_card_number="CD87654321EF")  # fmt: skip
    assert Resident.objects.get(id=rid).residence_status == "技術・人文知識・国際業務"
    assert Event.objects.filter(type="residents.foreign_resident.card_changed").count() == 1
    with pytest.raises(ProcedureError) as err:
        services.change_residence_status(n(D(2024, 10, 2)), resident_id=head, residence_status="留学",
                                         period_of_stay_until=D(2020, 1, 1), residence_card_number="")  # fmt: skip
    assert codes(err) == {"not_foreign", "expired"}


def test_authority_entry_and_removal_need_a_reason(chiyoda: Any) -> None:
    with pytest.raises(ProcedureError) as err:
        services.register_by_authority(n(D(2024, 1, 1)), address=services.AddressData("千代田区1番"),
                                       persons=[person()], reason=" ")  # fmt: skip
    assert codes(err) == {"required"}
    result = services.register_by_authority(n(D(2024, 1, 1)), address=services.AddressData("千代田区1番"),
                                            persons=[person()], reason="実態調査により居住を確認")  # fmt: skip
    services.remove_by_authority(n(D(2024, 6, 1)), resident_ids=result.resident_ids, reason="実態調査により居住なし")
    r = Resident.objects.get(id=result.resident_ids[0])
    assert r.status == "removed" and r.removal_reason == "職権消除"


def test_an_authority_action_on_an_application_is_marked_with_its_date(chiyoda: Any) -> None:
    """申出を受けた職権記載等 (標準仕様書 4.2.0.5, j790): marked as taken on an application, the 申出日 kept as the 届出日;
    only an authority action can be so marked, and a refused one writes nothing."""
    from kiban.apps.residents.validation import ON_APPLICATION

    _, ids = family()
    applied = services.Notification("app-1", D(2024, 6, 1), D(2024, 5, 28), on_application=True)
    removed = services.remove_by_authority(applied, resident_ids=[ids[3]], reason="本人の申出により実態調査、居住なし")
    procedure = Procedure.objects.get(id=removed.procedure_id)
    assert ON_APPLICATION in procedure.flags and procedure.notified_on == D(2024, 5, 28)
    assert ON_APPLICATION in removed.flags
    correction = services.correct(services.Notification("app-2", D(2024, 6, 2), D(2024, 6, 2), on_application=True),
                                  resident_id=ids[0], changes={"given_name": "太朗"}, reason="本人申出（戸籍照会済み）")  # fmt: skip
    assert ON_APPLICATION in Procedure.objects.get(id=correction.procedure_id).flags
    plain = services.remove_by_authority(n(D(2024, 6, 3)), resident_ids=[ids[2]], reason="実態調査により居住なし")
    assert ON_APPLICATION not in Procedure.objects.get(id=plain.procedure_id).flags
    before = counts()
    with pytest.raises(ProcedureError) as err:  # a notification (届出) is not an authority action
        services.move_within(services.Notification("app-3", D(2024, 6, 4), D(2024, 6, 4), on_application=True),
                             resident_ids=[ids[0], ids[1]], address=services.AddressData("千代田区2番"))  # fmt: skip
    assert [(e.field, e.code) for e in err.value.errors] == [("on_application", "not_authority")]
    assert "職権" in err.value.errors[0].message and counts() == before


def test_an_unnotified_move_in_notes_it_on_each_persons_entry(chiyoda: Any) -> None:
    """未届転入 (標準仕様書 4.1.1.4, j620)."""
    from kiban.apps.residents.models import ResidentRemark

    before = counts()
    with pytest.raises(ProcedureError) as err:
        services.move_in(n(D(2024, 4, 1)), address=services.AddressData("千代田区1番"), origin="abroad",
                         persons=[person()], unnotified=True)  # fmt: skip
    assert codes(err) == {"domestic_only"} and counts() == before
    result = services.move_in(n(D(2024, 4, 1)), address=services.AddressData("千代田区1番"), persons=[
        person(), person("花子", "妻", sex="2")], previous_address="大阪市北区1番", unnotified=True,
        last_registered_address="横浜市中区1番")  # fmt: skip
    people = list(Resident.objects.filter(id__in=result.resident_ids))
    assert {p.previous_address for p in people} == {"大阪市北区1番（未届）"}
    notes = list(ResidentRemark.objects.filter(kind="note").order_by("resident_id"))
    assert [(r.resident_id, r.text) for r in notes] == [
        (rid, "未届転入　転入前住所（未届）　大阪市北区1番") for rid in sorted(result.resident_ids)
    ]
    entries = {h.resident_id: h.seq for h in ResidentHistory.objects.filter(procedure_id=result.procedure_id)}
    assert all(r.history_seq == entries[r.resident_id] for r in notes)
    assert Procedure.objects.get(id=result.procedure_id).payload["last_registered_address"] == "横浜市中区1番"
    plain = services.move_in(n(D(2024, 4, 2)), address=services.AddressData("千代田区2番"), persons=[person("三郎")],
                             previous_address="大阪市北区2番")  # fmt: skip
    assert not ResidentRemark.objects.filter(resident_id__in=plain.resident_ids).exists()


def test_a_foreign_resident_who_acquires_a_status_here_is_registered_like_a_move_in_from_abroad(chiyoda: Any) -> None:
    """法30条の47 (標準仕様書 4.5.2, j920): 国外転入に準じた情報, the previous address may stay empty; only a foreign
    national can be so registered (refused otherwise, nothing written)."""
    foreign = person("ミン", kind="foreign", family_name="グエン", family_name_kana="グエン", given_name_kana="ミン",
                     domicile="", domicile_head="", nationality="704", residence_status="技術・人文知識・国際業務",
                     period_of_stay_until=D(2027, 3, 31), residence_card_number="AB12345678CD")  # fmt: skip
    result = services.move_in(n(D(2024, 4, 1)), address=services.AddressData("千代田区1番"), persons=[foreign],
                              origin="status_acquired")  # fmt: skip
    registered = Resident.objects.get(id=result.resident_ids[0])
    assert result.kind == "国外転入等" and registered.previous_address == ""
    before = counts()
    with pytest.raises(ProcedureError) as err:
        services.move_in(n(D(2024, 4, 2)), address=services.AddressData("千代田区2番"), persons=[person()],
                         origin="status_acquired")  # fmt: skip
    assert codes(err) == {"not_foreign"} and counts() == before


def test_a_notifications_procedure_done_by_authority(chiyoda: Any) -> None:
    """届出の準用 (標準仕様書 4.2.0.2, j760): 転居 etc. by authority where nobody notified — the notification's rules
    except the 届出日's (no 届出期間経過); marked in the history; refused for any other procedure, nothing written."""
    from kiban.apps.residents.validation import BY_AUTHORITY, LATE_NOTIFICATION, ON_APPLICATION

    _, ids = family()
    late = services.Notification("auth-1", D(2024, 4, 1), D(2024, 6, 1), by_authority=True)  # 2 months on
    moved = services.move_within(late, resident_ids=ids, address=services.AddressData("千代田区2番"))
    assert BY_AUTHORITY in moved.flags and LATE_NOTIFICATION not in moved.flags
    assert Procedure.objects.get(id=moved.procedure_id).flags == [BY_AUTHORITY]
    applied = services.Notification("auth-2", D(2024, 7, 1), D(2024, 7, 1), by_authority=True, on_application=True)
    again = services.move_within(applied, resident_ids=ids, address=services.AddressData("千代田区3番"))
    assert set(again.flags) == {BY_AUTHORITY, ON_APPLICATION}
    before = counts()
    with pytest.raises(ProcedureError) as err:  # a death is recorded on the 戸籍 notice, not "by authority" so
        services.death(services.Notification("auth-3", D(2024, 8, 1), D(2024, 8, 1), by_authority=True),
                       resident_id=ids[3])  # fmt: skip
    assert [(e.field, e.code) for e in err.value.errors] == [("by_authority", "not_a_notification")]
    assert counts() == before


def test_history_is_append_only_in_the_database(chiyoda: Any) -> None:
    from django.db import DatabaseError, transaction

    _, ids = family()
    with pytest.raises(DatabaseError), transaction.atomic():
        ResidentHistory.objects.filter(resident_id=ids[0]).update(kind="改ざん")
    with pytest.raises(DatabaseError), transaction.atomic():
        Procedure.objects.all().delete()


def test_a_person_who_comes_back_keeps_their_number_and_gets_a_new_record(chiyoda: Any) -> None:
    """再転入 (標準仕様書 4.1.1.2, j600): the 除票 is matched on the 住民票コード and the 宛名番号 (resident id) is kept;
    the new stay is a new 住民票 whose history starts at the re-entry (2.2.1, j350: no history across both)."""
    first = services.move_in(n(D(2018, 4, 1)), address=services.AddressData("千代田区1番"), previous_address="横浜市",
                             persons=[person(individual_number="123456789018")])  # fmt: skip
    rid = first.resident_ids[0]
    code = Resident.objects.get(id=rid).resident_code
    services.move_out(n(D(2020, 3, 31), D(2020, 3, 20)), resident_ids=[rid], destination_address="大阪市")
    with pytest.raises(ProcedureError) as err:
        services.move_in(n(D(2020, 3, 1)), address=services.AddressData("千代田区2番"), previous_address="大阪市",
                         persons=[person(resident_code=code)])  # fmt: skip
    assert codes(err) == {"before_last_change"}
    back = services.move_in(n(D(2024, 4, 1)), address=services.AddressData("千代田区2番"), previous_address="大阪市",
                            persons=[person(resident_code=code, individual_number="123456789018")])  # fmt: skip
    assert back.resident_ids == [rid] and Resident.objects.filter(resident_code=code).count() == 1
    r = Resident.objects.get(id=rid)
    assert r.status == "registered" and r.removed_on is None and r.became_resident_on == D(2024, 4, 1)
    assert [h.kind for h in ResidentHistory.objects.filter(resident_id=rid).order_by("seq")] == [
        "国内転入",
        "国内転出",
        "国内転入",
    ]
    spans = selectors.records_of(rid)
    assert [(s.number, s.began_on, s.removed_on) for s in spans] == [
        (1, D(2018, 4, 1), D(2020, 3, 31)),
        (2, D(2024, 4, 1), None),
    ]
    assert [h.kind for h in selectors.history(rid, "x")] == ["国内転入"]  # the current 住民票 only
    assert [(h.kind, h.effective_on) for h in selectors.history(rid, "x", 1)] == [
        ("国内転入", D(2018, 4, 1)),
        ("国内転出", D(2020, 3, 31)),
    ]
    assert selectors.history(rid, "x", 3) == []
    assert selectors.open_resident(rid, "x", as_of=D(2022, 1, 1)) is None  # away in between
    assert selectors.open_resident(rid, "x", as_of=D(2019, 1, 1)) is not None
