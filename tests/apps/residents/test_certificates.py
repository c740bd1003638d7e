"""Certificates: who may have which items, support measures, the signed PDF, the public verification page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from kiban.apps.residents import certificates, services, support
from kiban.apps.residents.models import Certificate, Certifier, Resident
from kiban.apps.residents.validation import PersonData, ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.metering.models import Usage
from kiban.platform.tenants.context import tenant_context

D = datetime.date
NUMBER = "123456789018"


def register_mayor(tenant: Any, title: str = "千代田区長", name: str = "樋口　高顕") -> None:
    """Every municipality that issues certificates has a certifier (標準仕様書 1.3.9): this one, whatever a shared
    fixture may have registered before."""
    no_certifier(tenant)
    with tenant_context(tenant.code):
        certificates.register_certifier(certificates.CertifierData("mayor", title, name, D(2020, 1, 1)))


def no_certifier(tenant: Any) -> None:
    """Withdraw whatever certifier a shared fixture registered, for the tests of what happens without one."""
    with tenant_context(tenant.code):
        for certifier in Certifier.objects.filter(withdrawn_at__isnull=True):
            certificates.withdraw_certifier(certifier.id)


@pytest.fixture
def household(tenant_a: Any) -> list[int]:
    return certified_household(tenant_a)


def certified_household(tenant: Any) -> list[int]:
    """山田 太郎 (世帯主, with a 個人番号) and 花子 (妻), moved in from abroad in 2020; the mayor certifies."""
    register_mayor(tenant)
    with tenant_context(tenant.code):
        result = services.move_in(
            services.Notification("cert-fam", D(2020, 4, 1), D(2020, 4, 1)),
            address=services.AddressData("東京都千代田区九段南1丁目2番1号", building="九段ハイツ101"),
            origin="abroad",
            persons=[
                PersonData(
                    family_name="山田",
                    given_name="太郎",
                    family_name_kana="ヤマダ",
                    given_name_kana="タロウ",
                    birth_date=D(1980, 5, 5),
                    sex="1",
                    relationship="世帯主",
                    domicile="東京都千代田区千代田1番",
                    domicile_head="山田　太郎",
                    individual_number=NUMBER,
                ),
                PersonData(
                    family_name="山田",
                    given_name="花子",
                    family_name_kana="ヤマダ",
                    given_name_kana="ハナコ",
                    birth_date=D(1982, 2, 3),
                    sex="2",
                    relationship="妻",
                    domicile="東京都千代田区千代田1番",
                    domicile_head="山田　太郎",
                ),
            ],
        )
    return result.resident_ids


def _request(ids: list[int], **kw: Any) -> certificates.Request:
    values: dict[str, Any] = {
        "kind": "resident_copy",
        "resident_ids": ids,
        "requester": "self",
        "requester_name": "山田　太郎",
        "purpose": "運転免許証の申請",
        "requester_resident_id": ids[0],
    }
    return certificates.Request(**(values | kw))


def test_a_household_copy_is_signed_recorded_and_verifiable(tenant_a: Any, household: list[int]) -> None:
    with tenant_context(tenant_a.code):
        issued = certificates.issue(_request(household, items=("householder", "individual_number")))
        assert issued.pdf.startswith(b"%PDF")
        cert = Certificate.objects.get()
        assert cert.issue_number == issued.certificate.issue_number and len(cert.sha256) == 64
        assert AuditEntry.objects.filter(action="residents.certificate.issued").exists()
        assert AuditEntry.objects.filter(action="resident.individual_number_read").exists()
        assert Usage.objects.get(metric="certificates").value == 1
        from kiban.apps.residents.printing.seal import verify_pdf

        assert verify_pdf(issued.pdf, certificates.trust_root()).valid
    page = Client().get(f"/verify/{cert.verification_code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert cert.issue_number in text and "東京都千代田区" in text and "山田" not in text  # nothing about the persons
    tampered = issued.pdf.replace(b"/Type /Page", b"/Type /Page ", 1)
    upload = Client().post("/verify/", {"code": cert.verification_code, "pdf": _file(tampered)})
    assert "一致しません" in upload.content.decode()
    genuine = Client().post("/verify/", {"code": cert.verification_code, "pdf": _file(issued.pdf)})
    assert "同一で、署名も有効です" in genuine.content.decode()
    assert Client().get("/verify/131016-AAAA-BBBB-CCCC-DDDD/").status_code == 404


def _file(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("certificate.pdf", data, content_type="application/pdf")


def test_who_may_have_which_items(tenant_a: Any, household: list[int]) -> None:
    head, _wife = household
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as err:
            certificates.issue(
                _request(household, requester="third_party", requester_resident_id=None, items=("individual_number",))
            )
        assert {e.code for e in err.value.errors} == {"not_allowed"}
        with pytest.raises(ProcedureError) as err:
            certificates.issue(_request([head], kind="removed_copy"))
        assert {e.code for e in err.value.errors} == {"wrong_status"}
        with pytest.raises(ProcedureError) as err:
            certificates.issue(_request(household, layout="individual", purpose=" "))
        assert {e.code for e in err.value.errors} == {"one_person", "required"}
        assert Certificate.objects.count() == 0


def test_a_protected_person_is_issued_only_to_themselves(
    tenant_a: Any, household: list[int], client_token: Any
) -> None:
    _head, wife = household
    with tenant_context(tenant_a.code):
        support.apply(wife, requested_by="本人")
        certificates.issue(_request([wife], requester_resident_id=wife, layout="individual"))  # herself: issued
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        f"/api/v1/tenants/{tenant_a.code}/certificates",
        {
            "kind": "resident_copy",
            "resident_ids": [wife],
            "requester": "third_party",
            "requester_name": "債権者",
            "purpose": "債権回収",
            "layout": "individual",
        },
        content_type="application/json",
    )
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    with tenant_context(tenant_a.code):
        assert Certificate.objects.count() == 1
        assert AuditEntry.objects.filter(action="residents.support_measure.blocked").count() == 1  # kept


def test_the_api_returns_the_pdf_with_its_numbers(tenant_a: Any, household: list[int], client_token: Any) -> None:
    token = client_token(tenant_a, businesses=["residents"], scopes="residents:read residents:write")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        f"/api/v1/tenants/{tenant_a.code}/certificates",
        {
            "kind": "recorded_items",
            "resident_ids": [household[0]],
            "requester": "public_office",
            "requester_name": "千代田区 子ども支援課",
            "purpose": "児童手当の認定",
            "layout": "individual",
        },
        content_type="application/json",
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Verification-Code"].startswith("131016-")


# --- 標準仕様書 1.3.9 認証者 (j310), 5.2 世帯員の並び順 (j1010), 5.3 フリガナ (j1020) ------------------------------------


def _printed(pdf: bytes) -> str:
    from tests.apps.residents.printing.pdftext import text

    return text(pdf)


def test_without_a_certifier_nothing_is_issued(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    no_certifier(tenant_a)
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as err:
            certificates.issue(_request([person.id], layout="individual"))
        assert [(e.field, e.code) for e in err.value.errors] == [("certifier", "not_configured")]
        assert "認証者" in err.value.errors[0].message and "certifier" in err.value.errors[0].message_en
        assert Certificate.objects.count() == 0


def test_a_public_offices_request_is_printed_for_official_use(tenant_a: Any, household: list[int]) -> None:
    """標準仕様書 5.7 (j1060): a certificate issued to a public office (法12条の2) shows 「公用」; others do not."""
    office = {"requester": "public_office", "requester_name": "千代田区 子ども支援課", "purpose": "児童手当の認定"}
    with tenant_context(tenant_a.code):
        official = certificates.issue(_request(household, **office, requester_resident_id=None))
        own = certificates.issue(_request(household))
        assert official.certificate.requester == Certificate.Requester.PUBLIC_OFFICE
    assert "公用" in _printed(official.pdf)
    assert "公用" not in _printed(own.pdf)


def test_the_certificate_names_the_mayor_with_title_and_name(tenant_a: Any, household: list[int]) -> None:
    with tenant_context(tenant_a.code):
        printed = _printed(certificates.issue(_request(household)).pdf)
    assert "東京都千代田区長　樋口　高顕" in printed


def test_within_a_deputy_period_the_deputy_certifies(tenant_a: Any, household: list[int]) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    with tenant_context(tenant_a.code):
        certificates.register_certifier(
            certificates.CertifierData(
                "deputy",
                "千代田区長職務代理者　千代田区副区長",
                "副区　長子",
                today,
                today + datetime.timedelta(days=3),
            )
        )
        printed = _printed(certificates.issue(_request(household)).pdf)
    assert "東京都千代田区長職務代理者　千代田区副区長　副区　長子" in printed
    assert "樋口" not in printed
    assert "東京都千代田区長之印" in "".join(printed.split())  # the office's seal


def test_furigana_only_when_chosen(tenant_a: Any, household: list[int]) -> None:
    with tenant_context(tenant_a.code):
        plain = _printed(certificates.issue(_request(household)).pdf)
        with_kana = certificates.issue(_request(household, items=("furigana",)))
    assert "ヤマダ" not in plain
    printed = _printed(with_kana.pdf)
    assert "山田　太郎　（ヤマダ　タロウ）" in printed and "山田　花子　（ヤマダ　ハナコ）" in printed
    assert with_kana.certificate.items == ["furigana"]
    assert "フリガナ" not in printed  # a way of printing, not an item: never in the 省略 notice


def test_members_are_printed_in_the_standard_order(tenant_a: Any, household: list[int]) -> None:
    head, wife = household
    with tenant_context(tenant_a.code):
        assert certificates.issue(_request([wife, head])).certificate.resident_ids == [head, wife]
        certificates.set_member_order(Resident.objects.get(id=head).household_id, [wife, head])
        issued = certificates.issue(_request([head, wife]))
    assert issued.certificate.resident_ids == [wife, head]  # the order set for the household is kept
    printed = _printed(issued.pdf)
    assert printed.index("山田　花子") < printed.index("山田　太郎")


# --- 標準仕様書 4.1.3.0.3 転出証明書等 (j660) -----------------------------------------------------------------------


def _move_out(household: list[int], request_id: str, planned: D, notified: D) -> int:
    return services.move_out(
        services.Notification(request_id, planned, notified),
        resident_ids=household,
        destination_address="大阪府大阪市北区中之島1丁目3番20号",
    ).procedure_id


def test_the_moving_out_certificate_of_a_move_out(tenant_a: Any, household: list[int]) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    with tenant_context(tenant_a.code):
        procedure = _move_out(household, "cert-out-1", today + datetime.timedelta(days=7), today)
        issued = certificates.issue_move_out_certificate(procedure)
        assert issued.certificate.kind == "move_out" and issued.certificate.reissue_of_id is None
        assert sorted(issued.certificate.resident_ids) == sorted(household)
        assert AuditEntry.objects.filter(action="residents.move_out_certificate.issued").count() == 1
        with pytest.raises(ProcedureError) as err:  # once per move-out; a lost one is reissued
            certificates.issue_move_out_certificate(procedure)
        assert {e.code for e in err.value.errors} == {"already_issued"}
    printed = _printed(issued.pdf)
    for item in ("転出証明書", "大阪府大阪市北区中之島1丁目3番20号", "転出の予定年月日", "世帯主", "妻",
                 "東京都千代田区千代田1番", "山田　花子", "東京都千代田区長　樋口　高顕", "転出の届出があったこと"):  # fmt: skip
        assert item in printed, item
    assert "再交付" not in printed and "準ずる" not in printed
    assert NUMBER not in printed  # the 個人番号 is not on it
    page = Client().get(f"/verify/{issued.certificate.verification_code}/")
    assert page.status_code == 200 and "転出証明書" in page.content.decode() and "山田" not in page.content.decode()


def test_a_move_out_notified_late_gets_the_certificate_in_lieu(tenant_a: Any, household: list[int]) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    with tenant_context(tenant_a.code):
        procedure = _move_out(household, "cert-out-late", today - datetime.timedelta(days=20), today)
        issued = certificates.issue_move_out_certificate(procedure)
    assert issued.certificate.kind == "move_out_equivalent"
    printed = _printed(issued.pdf)
    assert "転出証明書に準ずる証明書" in printed and "転入届に添付すべき書類として発行したもの" in "".join(
        printed.split()
    )


def test_a_reissue_is_marked_and_prints_the_state_of_the_first_issue(tenant_a: Any, household: list[int]) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    _head, wife = household
    with tenant_context(tenant_a.code):
        procedure = _move_out(household, "cert-out-2", today + datetime.timedelta(days=7), today)
        first = certificates.issue_move_out_certificate(procedure)
        Resident.objects.filter(id=wife).update(given_name="華子")  # whatever changed since (here by hand)
        again = certificates.reissue_move_out_certificate(first.certificate.id)
        assert again.certificate.reissue_of_id == first.certificate.id
        assert again.certificate.issue_number != first.certificate.issue_number
        with pytest.raises(ProcedureError) as err:
            certificates.reissue_move_out_certificate(999999)
        assert {e.code for e in err.value.errors} == {"not_found"}
    printed = _printed(again.pdf)
    assert "転出証明書（再交付）" in printed
    assert "山田　花子" in printed and "華子" not in printed  # 当初に発行した当時の状態


def test_a_moving_out_certificate_needs_a_move_out_and_a_certifier(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a)
    no_certifier(tenant_a)
    with tenant_context(tenant_a.code):
        from kiban.apps.residents.models import Procedure

        move_in = Procedure.objects.order_by("-id").first()
        assert move_in is not None
        with pytest.raises(ProcedureError) as err:
            certificates.issue_move_out_certificate(move_in.id)
        assert {e.code for e in err.value.errors} == {"not_a_move_out"}
        procedure = _move_out([person.id], "cert-out-3", D(2026, 1, 10), D(2026, 1, 5))
        with pytest.raises(ProcedureError) as err:  # no certifier registered in this test
            certificates.issue_move_out_certificate(procedure)
        assert {e.code for e in err.value.errors} == {"not_configured"}
