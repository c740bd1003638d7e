"""郵便物送付コード (住民記録システム標準仕様書 1.1.19, j190): a foreign resident's choice of the name on the
municipality's mail (本名のみ・通称のみ・本名と通称), every choice kept, used by the letters and labels addressed to
the person, never by certificates; refusals write nothing; another municipality's choices are out of reach."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import extracts, mail_names, personal_notice
from kiban.apps.residents.models import MailName, Resident
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context

D = datetime.date
Code = MailName.Code


@pytest.fixture
def with_alias(tenant_a: Any, make_resident: Any) -> Resident:
    return make_resident(tenant_a, "キム", family_name="KIM", given_name="MINJI", given_name_kana="ミンジ",
                         kind="foreign", nationality="410", residence_status="永住者", alias="金田美智",
                         alias_kana="カネダミチ", residence_card_number="AB12345678CD", domicile="")  # fmt: skip


def _codes(err: pytest.ExceptionInfo[ProcedureError]) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in err.value.errors]


def test_the_newest_choice_names_the_mail_and_every_choice_is_kept(tenant_a: Any, with_alias: Resident) -> None:
    with tenant_context(tenant_a.code):
        person = Resident.objects.get(id=with_alias.id)
        assert mail_names.names_on_mail([person]) == {person.id: "KIM　MINJI"}  # none chosen: 本名
        assert mail_names.label(mail_names.in_force([person.id]).get(person.id)) == ""
        mail_names.set_code(person.id, Code.ALIAS, D(2024, 4, 1))
        assert mail_names.names_on_mail([person]) == {person.id: "金田美智"}
        mail_names.set_code(person.id, Code.BOTH, D(2024, 5, 1))
        assert mail_names.names_on_mail([person]) == {person.id: "KIM　MINJI（金田美智）"}
        assert mail_names.label(mail_names.in_force([person.id]).get(person.id)) == "本名と通称"
        assert [(m.code, m.requested_on) for m in mail_names.history(person.id)] == [
            (Code.BOTH, D(2024, 5, 1)), (Code.ALIAS, D(2024, 4, 1))]  # fmt: skip
        assert all(m.recorded_by for m in mail_names.history(person.id))
        assert AuditEntry.objects.filter(action="residents.mail_name.set", object_id=str(person.id)).count() == 2
        # The 通称 deleted later: mail falls back to 本名 whatever the code says.
        person.alias = ""
        assert mail_names.name_on_mail(person, Code.ALIAS) == "KIM　MINJI"
        assert mail_names.name_on_mail(person, Code.BOTH) == "KIM　MINJI"


def test_refused_choices_write_nothing_and_say_why(
    tenant_a: Any, with_alias: Resident, foreigner: Resident, person: Resident
) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    cases = [
        (with_alias.id, "nickname", D(2024, 4, 1), [("code", "invalid")]),
        (with_alias.id, "", D(2024, 4, 1), [("code", "invalid")]),
        (with_alias.id, Code.ALIAS, tomorrow, [("requested_on", "future_date")]),
        (999_999, Code.REAL, D(2024, 4, 1), [("resident", "not_found")]),
        (person.id, Code.REAL, D(2024, 4, 1), [("resident", "not_foreign")]),  # a Japanese resident
        (foreigner.id, Code.ALIAS, D(2024, 4, 1), [("code", "no_alias")]),  # a foreign resident without a 通称
        (foreigner.id, Code.BOTH, D(2024, 4, 1), [("code", "no_alias")]),
    ]
    with tenant_context(tenant_a.code):
        for resident_id, code, on, expected in cases:
            with pytest.raises(ProcedureError) as err:
                mail_names.set_code(resident_id, code, on)
            assert _codes(err) == expected, (resident_id, code)
        assert MailName.objects.count() == 0
        mail_names.set_code(foreigner.id, Code.REAL, D(2024, 4, 1))  # the person's own wish, though 本名 is the default
        with pytest.raises(ProcedureError) as twice:
            mail_names.set_code(foreigner.id, Code.REAL, D(2024, 4, 2))
        assert _codes(twice) == [("code", "unchanged")]
        assert MailName.objects.count() == 1


def test_labels_and_letters_to_the_person_use_the_name_on_mail_certificates_do_not(
    tenant_a: Any, with_alias: Resident, person: Resident
) -> None:
    from kiban.apps.residents import certificates
    from tests.apps.residents.printing.pdftext import text

    today = timezone.localdate()
    with tenant_context(tenant_a.code):
        mail_names.set_code(with_alias.id, Code.ALIAS, D(2024, 4, 1))
        drawn = extracts.random_sample(extracts.SampleCriteria(count=10, seed=1), "市民意識調査")
        labelled = {r.resident_id: r.name for r in mail_names.addressed(drawn)}
        assert labelled == {with_alias.id: "金田美智", person.id: "山田　花子"}
        labels = text(extracts.address_labels_pdf(mail_names.addressed(drawn)))
        assert "金田美智" in labels and "KIM" not in labels
        # A 本人通知 registration ending within the month: the expiry letter is addressed by the name on mail.
        personal_notice.register(with_alias.id, today.replace(year=today.year - 1) + datetime.timedelta(days=10), 1)
        letter = text(personal_notice.expiry_letters_pdf(today, today + datetime.timedelta(days=40), "満了のお知らせ"))
        assert "金田美智" in letter
        request = certificates.Request(kind="resident_copy", resident_ids=[with_alias.id], requester="self",
                                       requester_name="本人", purpose="確認", layout="individual",
                                       requester_resident_id=with_alias.id, items=())  # fmt: skip
        copy = text(certificates.issue(request).pdf)
        assert "KIM" in copy  # the 住民票の写し states the record: the 本名 stays


def test_the_counter_page_records_a_choice_and_refuses_with_the_reason(
    clerk: Client, tenant_a: Any, with_alias: Resident, person: Resident
) -> None:
    url = f"/staff/residents/{with_alias.id}/mail-name/"
    record = clerk.get(f"/staff/residents/{with_alias.id}/", {"purpose": "確認"}).content.decode()
    assert url in record and "郵便物送付コード" in record and "未設定（本名）" in record
    japanese = clerk.get(f"/staff/residents/{person.id}/", {"purpose": "確認"}).content.decode()
    assert "mail-name-link" not in japanese  # kept for foreign residents only
    page = clerk.get(url, {"purpose": "郵便物送付コードの申出"})
    assert page.status_code == 200 and "KIM MINJI" in page.content.decode()
    refused = clerk.post(url, {"purpose": "郵便物送付コードの申出", "action": "set", "code": ""})
    assert refused.status_code == 400 and "郵便物送付コードを選んでください" in refused.content.decode()
    bad_date = clerk.post(url, {"purpose": "郵便物送付コードの申出", "action": "set", "code": "alias",
                                "requested_on": "令和99年13月1日"})  # fmt: skip
    assert bad_date.status_code == 400
    done = clerk.post(url, {"purpose": "郵便物送付コードの申出", "action": "set", "code": "alias",
                            "requested_on": "R6.4.1"})  # fmt: skip
    assert done.status_code == 302
    shown = clerk.get(url, {"purpose": "郵便物送付コードの申出"}).content.decode()
    assert "金田美智 様" in shown and "通称のみ" in shown
    with tenant_context(tenant_a.code):
        assert [(m.code, m.requested_on) for m in MailName.objects.all()] == [(Code.ALIAS, D(2024, 4, 1))]
    assert clerk.get(f"/staff/residents/{person.id}/mail-name/", {"purpose": "x"}).status_code == 200
    no_purpose = clerk.get(url)
    assert no_purpose.status_code == 200 and "mail-name-history" not in no_purpose.content.decode()


def test_another_municipalitys_choices_are_out_of_reach(
    tenant_a: Any, tenant_b: Any, with_alias: Resident, make_staff: Any
) -> None:
    from kiban.apps.residents.permissions import CLERK
    from tests.conftest import sign_in

    with tenant_context(tenant_a.code):
        mail_names.set_code(with_alias.id, Code.ALIAS, D(2024, 4, 1))
    with tenant_context(tenant_b.code):
        assert mail_names.in_force([with_alias.id]) == {}
        assert MailName.objects.count() == 0
        with pytest.raises(ProcedureError) as err:
            mail_names.set_code(with_alias.id, Code.BOTH, D(2024, 4, 2))
        assert _codes(err) == [("resident", "not_found")]
    other = sign_in(make_staff(tenant_b, "other-clerk", [CLERK.code]))
    assert other.get(f"/staff/residents/{with_alias.id}/mail-name/", {"purpose": "x"}).status_code == 404
    with tenant_context(tenant_a.code):
        assert MailName.objects.count() == 1
