"""本籍入力補助 (標準仕様書 4.0.6, j510): the 本籍 field offers the registered 現住所, 転入前住所, 世帯主の本籍 and
世帯員の本籍 as choices (never to a user from whom the 戸籍の表示 is hidden), and a correction of one member's
本籍・筆頭者 is made for the members of the household who had the same ones in the same procedure."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from kiban.apps.residents import services
from kiban.apps.residents.models import Procedure, Resident, ResidentHistory
from kiban.apps.residents.permissions import SUPERVISOR
from kiban.apps.residents.validation import PersonData, ProcedureError
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.counter_helpers import _register, _state
from tests.conftest import sign_in

D = datetime.date
OLD = "東京都千代田区千代田1番"
NEW = "東京都千代田区千代田2番"
CORRECTION = "/staff/residents/procedures/correction/"
BIRTH = "/staff/residents/procedures/birth/"


def _person(given: str, kana: str, relationship: str, domicile: str = OLD, head: str = "山田　太郎") -> PersonData:
    from kiban.standard.numbers import make_resident_code

    code = make_resident_code(f"{ord(kana[0]):010d}")  # 国内転入: the code carried over from the 転出証明書
    return PersonData(family_name="山田", given_name=given, family_name_kana="ヤマダ", given_name_kana=kana,
                      birth_date=D(1980, 5, 5), sex="1", relationship=relationship, domicile=domicile,
                      domicile_head=head, resident_code=code)  # fmt: skip


@pytest.fixture
def family(tenant_a: Any) -> list[int]:
    """太郎 (世帯主), 花子 (妻) with the same 本籍・筆頭者; 次郎 (子) with another 本籍 (his own 戸籍)."""
    with tenant_context(tenant_a.code):
        services.move_in(
            services.Notification("dom-fam", D(2020, 4, 1), D(2020, 4, 1)),
            address=services.AddressData("東京都千代田区九段南1丁目2番1号"), origin="domestic",
            previous_address="大阪府大阪市北区中之島1丁目3番20号",
            persons=[_person("太郎", "タロウ", "世帯主"), _person("花子", "ハナコ", "妻"),
                     _person("次郎", "ジロウ", "子", domicile="大阪府大阪市北区中之島1丁目", head="山田　次郎")],
        )  # fmt: skip
        return [Resident.objects.get(given_name=name).id for name in ("太郎", "花子", "次郎")]


def _domiciles(tenant: Any, ids: list[int]) -> list[tuple[str, str]]:
    with tenant_context(tenant.code):
        found = {r.id: (r.domicile, r.domicile_head) for r in Resident.objects.filter(id__in=ids)}
        return [found[i] for i in ids]


def test_the_same_domicile_corrected_for_the_household_in_one_procedure(tenant_a: Any, family: list[int]) -> None:
    taro, hanako, _jiro = family
    with tenant_context(tenant_a.code):
        result = services.correct(services.Notification("dom-1", D(2024, 4, 1), D(2024, 4, 1)), resident_id=taro,
                                  changes={"domicile": NEW}, reason="転籍届", also=[hanako])  # fmt: skip
        entries = ResidentHistory.objects.filter(procedure_id=result.procedure_id)
        assert sorted(entries.values_list("resident_id", flat=True)) == sorted([taro, hanako])
    assert _domiciles(tenant_a, family) == [(NEW, "山田　太郎"), (NEW, "山田　太郎"),
                                            ("大阪府大阪市北区中之島1丁目", "山田　次郎")]  # fmt: skip


def test_refused_corrections_write_nothing(tenant_a: Any, family: list[int], make_resident: Any) -> None:
    taro, hanako, jiro = family
    stranger = make_resident(tenant_a, "サトウ", domicile=OLD, domicile_head="山田　太郎")  # same 本籍, other household
    cases = [
        ({"domicile": NEW, "given_name": "太朗"}, [hanako], "domicile_only"),  # only 本籍・筆頭者 go to others
        ({"domicile": NEW}, [jiro], "not_same"),  # another 本籍
        ({"domicile": NEW}, [stranger.id], "not_same"),  # another household
        ({"domicile": NEW}, [999_999], "not_found"),
    ]
    with tenant_context(tenant_a.code):
        before = Procedure.objects.count()
        for i, (changes, also, code) in enumerate(cases):
            with pytest.raises(ProcedureError) as err:
                services.correct(services.Notification(f"dom-bad-{i}", D(2024, 4, 1), D(2024, 4, 1)),
                                 resident_id=taro, changes=changes, reason="転籍届", also=also)  # fmt: skip
            assert code in {e.code for e in err.value.errors}, (changes, also, err.value.errors)
        assert Procedure.objects.count() == before
    assert _domiciles(tenant_a, [taro, hanako]) == [(OLD, "山田　太郎"), (OLD, "山田　太郎")]


def test_the_counter_offers_the_candidates_and_the_members_with_the_same_domicile(
    supervisor: Client, tenant_a: Any, family: list[int]
) -> None:
    taro, hanako, jiro = family
    start = supervisor.get(CORRECTION, {"resident": hanako})
    html = start.content.decode()
    assert start.status_code == 200 and 'list="domicile-candidates"' in html
    datalist = html.split('<datalist id="domicile-candidates">')[1].split("</datalist>")[0]
    # 現住所, 転入前住所, 世帯主の本籍, 世帯員の本籍 — in that order, each once.
    assert [o.split('"')[1] for o in datalist.split("<option value=")[1:]] == [
        "東京都千代田区九段南1丁目2番1号", "大阪府大阪市北区中之島1丁目3番20号", OLD, "大阪府大阪市北区中之島1丁目",
    ]  # fmt: skip
    assert f'name="also" value="{taro}"' in html and f'value="{jiro}"' not in html.split('name="also"')[-1][:200]
    data = {"state": _state(start), "action": "next", "effective_on": "R6.4.1", "notified_on": "R6.4.1",
            "reason": "転籍届", "family_name": "山田", "given_name": "花子", "family_name_kana": "ヤマダ",
            "given_name_kana": "ハナコ", "birth_date": "S55.5.5", "sex": "1", "relationship": "妻",
            "domicile": NEW, "domicile_head": "山田　太郎", "also": [taro]}  # fmt: skip
    confirm = supervisor.post(CORRECTION, data)
    assert confirm.status_code == 200 and "同じ本籍・筆頭者の世帯員にも同じ修正をする" in confirm.content.decode()
    assert supervisor.post(CORRECTION, {"state": _state(confirm), "action": "record"}).status_code == 302
    _register(supervisor)
    assert _domiciles(tenant_a, [taro, hanako, jiro])[:2] == [(NEW, "山田　太郎"), (NEW, "山田　太郎")]


def test_nothing_of_the_domicile_for_a_user_from_whom_it_is_hidden(
    supervisor: Client, tenant_a: Any, make_staff: Any, family: list[int]
) -> None:
    boss = make_staff(tenant_a, "boss-hidden", [SUPERVISOR.code])
    assert supervisor.post("/staff/residents/visibility/", {"user": boss.pk, "items": ["domicile"]}).status_code == 302
    client = sign_in(boss)
    html = client.get(CORRECTION, {"resident": family[1]}).content.decode()
    assert 'id="domicile-candidates"' not in html and 'name="also"' not in html and OLD not in html
    # The birth form keeps its (empty) 本籍 field for such a user: still no candidates naming the members' 本籍.
    with tenant_context(tenant_a.code):
        household = Resident.objects.get(id=family[0]).household_id
    assert 'id="domicile-candidates"' in supervisor.get(BIRTH, {"household": household}).content.decode()
    birth = client.get(BIRTH, {"household": household}).content.decode()
    assert 'name="domicile"' in birth and 'id="domicile-candidates"' not in birth and OLD not in birth


def test_the_api_corrects_the_household_s_domicile(tenant_a: Any, family: list[int], client_token: Any) -> None:
    taro, hanako, jiro = family
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/tenants/{tenant_a.code}/procedures/correction"
    body = {"request_id": "api-dom-1", "effective_on": "2024-04-01", "notified_on": "2024-04-01", "resident_id": taro,
            "changes": {"domicile": NEW}, "reason": "転籍届", "also": [hanako, jiro]}  # fmt: skip
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 422 and "not_same" in refused.content.decode()
    body |= {"request_id": "api-dom-2", "also": [hanako]}
    done = client.post(url, body, content_type="application/json")
    assert done.status_code == 200, done.content.decode()
    assert _domiciles(tenant_a, [taro, hanako]) == [(NEW, "山田　太郎"), (NEW, "山田　太郎")]
