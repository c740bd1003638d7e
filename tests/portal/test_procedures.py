"""Online procedures: prefilled drafts, submission, the clerk's draft, the supervisor's decision updating the
registry through its contract, rejection with a reason the resident reads, counter-assisted input."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from kiban.apps.residents import services as registry_services
from kiban.apps.residents.models import Resident
from kiban.apps.residents.validation import PersonData
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context
from kiban.portal.models import Submission
from tests.conftest import sign_in

D = datetime.date


@pytest.fixture
def family(tenant_a: Any) -> list[int]:
    with tenant_context(tenant_a.code):
        result = registry_services.move_in(
            registry_services.Notification("fam", D(2020, 4, 1), D(2020, 4, 1)),
            address=registry_services.AddressData("東京都千代田区九段南1丁目2番1号"),
            origin="abroad",
            persons=[
                PersonData(
                    family_name="山田",
                    given_name="花子",
                    family_name_kana="ヤマダ",
                    given_name_kana="ハナコ",
                    birth_date=D(1985, 6, 15),
                    sex="2",
                    relationship="世帯主",
                ),
                PersonData(
                    family_name="山田",
                    given_name="太郎",
                    family_name_kana="ヤマダ",
                    given_name_kana="タロウ",
                    birth_date=D(2015, 1, 1),
                    sex="1",
                    relationship="子",
                ),
            ],
        )
    return result.resident_ids


def resident_client(tenant: Any, resident_id: int) -> Client:
    """A browser whose portal session is linked to the resident (sign-in itself is tested in test_sign_in)."""
    client = Client()
    session = client.session
    session["portal"] = {
        "tenant": tenant.code,
        "resident_id": resident_id,
        "sub": f"sub-{resident_id}",
        "signed_in_at": 0,
    }
    session.save()
    return client


def test_move_within_online_from_draft_to_approval(tenant_a: Any, family: list[int], make_staff: Any) -> None:
    mother, child = family
    browser = resident_client(tenant_a, mother)
    response = browser.post(f"/portal/{tenant_a.code}/procedures/move-within/start/")
    assert response.status_code == 302
    page = browser.get(response["Location"])
    text = page.content.decode()
    assert "東京都千代田区九段南1丁目2番1号" in text and "山田 花子" in text  # prefilled, not asked
    url = response["Location"]

    # Full-width digits and an era date are accepted; a draft is kept.
    draft = browser.post(
        url, {"address": "東京都千代田区一番町１番", "moved_on": "", "members": [str(mother)], "save": "1"}
    )
    assert draft.status_code == 400 and "引っ越した日を入力してください" in draft.content.decode()
    draft = browser.post(
        url,
        {
            "address": "東京都千代田区一番町１番",
            "moved_on": "R8.11.1",
            "members": [str(mother), str(child)],
            "save": "1",
        },
    )
    assert draft.status_code == 302
    with tenant_context(tenant_a.code):
        submission = Submission.objects.get()
        assert submission.status == "draft" and submission.data["moved_on"] == "2026-11-01"
    bad_date = browser.post(url, {"address": "x", "moved_on": "R8.13.1", "members": [str(mother)], "submit": "1"})
    assert bad_date.status_code == 400 and "日付の形式が正しくありません" in bad_date.content.decode()
    done = browser.post(
        url,
        {
            "address": "東京都千代田区一番町１番",
            "moved_on": "R8.11.1",
            "members": [str(mother), str(child)],
            "submit": "1",
        },
    )
    assert done.status_code == 302

    clerk = sign_in(make_staff(tenant_a, "clerk", ["residents.clerk"]))
    boss = sign_in(make_staff(tenant_a, "boss", ["residents.supervisor"]))
    assert str(submission.id) in clerk.get("/staff/portal/").content.decode()
    assert boss.post(f"/staff/portal/{submission.id}/approve/").status_code == 409  # not drafted yet
    assert clerk.post(f"/staff/portal/{submission.id}/draft/", {"note": "確認済み"}).status_code == 302
    assert clerk.post(f"/staff/portal/{submission.id}/approve/").status_code == 403  # clerks do not decide
    assert boss.post(f"/staff/portal/{submission.id}/approve/").status_code == 302
    with tenant_context(tenant_a.code):
        submission.refresh_from_db()
        assert submission.status == "approved" and submission.outcome["procedure_id"]
        # 標準仕様書 4.0.8 (j530): the decider is not kept with the submission, only in the audit log.
        assert [s.actor for s in submission.steps.all()][-2:] == ["staff:clerk", "決裁"]
        assert AuditEntry.objects.filter(action="portal.submission.approved", actor="boss").exists()
        moved = Resident.objects.get(id=mother)
        assert moved.household.address == "東京都千代田区一番町1番" and moved.moved_in_on == D(2026, 11, 1)
    status_page = browser.get(url).content.decode()
    assert "手続きが完了しました" in status_page


def test_rejection_carries_a_reason_the_resident_reads(tenant_a: Any, family: list[int], make_staff: Any) -> None:
    mother, _ = family
    browser = resident_client(tenant_a, mother)
    url = browser.post(f"/portal/{tenant_a.code}/procedures/move-out/start/")["Location"]
    assert (
        browser.post(
            url,
            {
                "destination_address": "大阪府大阪市北区1番",
                "destination_code": "１３１０１７",
                "planned_on": "2026-12-01",
                "members": [str(mother)],
                "submit": "1",
            },
        ).status_code
        == 400
    )  # bad check digit
    assert (
        browser.post(
            url,
            {
                "destination_address": "大阪府大阪市北区1番",
                "destination_code": "",
                "planned_on": "2026-12-01",
                "members": [str(mother)],
                "submit": "1",
            },
        ).status_code
        == 302
    )
    clerk = sign_in(make_staff(tenant_a, "clerk", ["residents.clerk"]))
    with tenant_context(tenant_a.code):
        submission = Submission.objects.get()
    assert clerk.post(f"/staff/portal/{submission.id}/reject/", {"note": ""}).status_code == 409  # a reason is required
    assert (
        clerk.post(
            f"/staff/portal/{submission.id}/reject/",
            {"note": "世帯主が転出すると子だけが残ります。窓口でご相談ください。"},
        ).status_code
        == 302
    )
    page = browser.get(url).content.decode()
    assert "受け付けられませんでした" in page and "窓口でご相談ください" in page
    with tenant_context(tenant_a.code):
        assert Resident.objects.get(id=mother).status == "registered"  # nothing changed in the registry


def test_a_resident_sees_only_their_own_submissions(tenant_a: Any, family: list[int]) -> None:
    mother, child = family
    url = resident_client(tenant_a, mother).post(f"/portal/{tenant_a.code}/procedures/move-within/start/")["Location"]
    assert resident_client(tenant_a, child).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # not signed in: to the sign-in


def test_counter_assisted_input_needs_the_residents_confirmation(
    tenant_a: Any, family: list[int], make_staff: Any
) -> None:
    mother, _ = family
    clerk = sign_in(make_staff(tenant_a, "clerk", ["residents.clerk"]))
    url = f"/staff/portal/assist/move-within/{mother}/"
    data = {"address": "東京都千代田区三番町3番", "moved_on": "令和8年11月2日", "members": [str(mother)]}
    assert clerk.post(url, data).status_code == 400  # not confirmed by the resident
    assert clerk.post(url, {**data, "resident_confirmed": "1"}).status_code == 302
    with tenant_context(tenant_a.code):
        submission = Submission.objects.get()
        assert submission.status == "submitted" and submission.assisted_by == "clerk"
        step = AuditEntry.objects.filter(action="portal.submission.submitted").get()
        assert step.actor == "clerk" and step.on_behalf_of == f"resident:{mother}"


def test_preferences_switch_without_javascript(tenant_a: Any, family: list[int]) -> None:
    browser = resident_client(tenant_a, family[0])
    browser.get(
        "/portal/preferences/", {"large": "1", "ruby": "1", "easy": "1", "next": f"/portal/{tenant_a.code}/procedures/"}
    )
    page = browser.get(f"/portal/{tenant_a.code}/procedures/").content.decode()
    assert 'class="large-text' in page
    assert "<ruby>引<rp>(</rp><rt>ひ</rt><rp>)</rp></ruby>" in page  # plain Japanese with readings


def test_a_copy_of_the_resident_record_is_issued_at_once_and_verifiable(tenant_a: Any, family: list[int]) -> None:
    from kiban.apps.residents import support
    from kiban.apps.residents.models import Certificate

    mother, child = family
    browser = resident_client(tenant_a, mother)
    url = f"/portal/{tenant_a.code}/certificate/"
    assert browser.get(url).status_code == 200
    assert browser.post(url, {"members": [str(mother)], "purpose": ""}).status_code == 400
    response = browser.post(
        url, {"members": [str(mother), str(child)], "items": ["householder"], "purpose": "パスポート申請"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with tenant_context(tenant_a.code):
        cert = Certificate.objects.get()
        assert cert.requester == "household" and cert.items == ["householder"]
        assert Submission.objects.get(procedure="resident-copy").outcome["issue_number"] == cert.issue_number
        support.apply(child, requested_by="本人")
    refused = browser.post(url, {"members": [str(mother), str(child)], "purpose": "パスポート申請"})
    assert refused.status_code == 403 and "窓口でのみ交付" in refused.content.decode()
    assert Client().get(f"/verify/{cert.verification_code}/").status_code == 200


def test_a_benefit_application_is_prefilled_and_needs_only_the_account(tenant_a: Any, family: list[int]) -> None:
    import datetime as dt

    from kiban.apps.benefits import services as benefits
    from kiban.apps.benefits.models import Application

    mother, child = family
    today = dt.date.today()
    with tenant_context(tenant_a.code):
        payer = benefits.Payer("1310160001", "ﾁﾖﾀﾞｸ", "0001", "001", "1", "1234567")
        benefit = benefits.define(
            benefits.Definition(code="test-benefit", name="物価高騰対策給付金", base_date=dt.date(2024, 1, 1), per="person",
                                amount=30_000, application_opens=today - dt.timedelta(days=1),
                                application_closes=today + dt.timedelta(days=30)),
            payer,
        )  # fmt: skip
        benefits.prepare(benefit)
    browser = resident_client(tenant_a, mother)
    page = browser.get(f"/portal/{tenant_a.code}/benefits/").content.decode()
    assert "物価高騰対策給付金" in page and "60000円" in page  # two persons, prefilled
    url = f"/portal/{tenant_a.code}/benefits/test-benefit/"
    bad = browser.post(url, {"bank_code": "12", "branch_code": "001", "account_type": "1", "account_number": "1234567",
                             "holder_kana": "ﾔﾏﾀﾞ ﾊﾅｺ"})  # fmt: skip
    assert bad.status_code == 400
    with tenant_context(tenant_a.code):
        assert Application.objects.get().status == "prefilled"  # nothing written
    good = browser.post(url, {"bank_code": "0001", "branch_code": "001", "account_type": "1", "account_number": "１２３４５６７",
                              "holder_kana": "ヤマダ ハナコ"})  # fmt: skip
    assert good.status_code == 302, good.content.decode()[:2000]
    with tenant_context(tenant_a.code):
        assert Application.objects.get().status == "applied"
    assert resident_client(tenant_a, child).get(url).status_code == 404  # only the payee (householder) applies
