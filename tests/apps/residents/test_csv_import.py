"""CSV形式のデータの取込 (標準仕様書 10.8, j1430): a CSV (the 転出証明書's data, a notification filled in beforehand,
the card's face items) fills a wizard's first step; the clerk checks and goes on; nothing is recorded by the import. The
個人番号 and the items hidden from the user are never taken; a file that cannot be read fills nothing."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kiban.apps.residents.models import ProvisionalEntry, Resident
from kiban.apps.residents.permissions import CLERK
from kiban.platform.tenants.context import tenant_context
from tests.apps.residents.counter_helpers import _state
from tests.conftest import sign_in

MOVE_IN = "/staff/residents/procedures/move-in/"
CSV = (
    "転入日（異動日）,届出日,住所,方書,前住所,氏,名,氏カナ,名カナ,生年月日,性別,続柄,本籍,筆頭者,個人番号,血液型\r\n"
    "R6.4.1,R6.4.5,東京都千代田区二番町2番,二番町ハイツ201,大阪府大阪市北区中之島1丁目3番20号,山田,太郎,ヤマダ,タロウ,"
    "S55.5.5,男,世帯主,大阪府大阪市北区中之島1丁目,山田　太郎,123456789012,A\r\n"
    ",,,,,山田,花子,ヤマダ,ハナコ,S57.2.3,女,妻,大阪府大阪市北区中之島1丁目,山田　太郎,,O\r\n"
)


def _upload(client: Client, url: str, content: bytes, **query: Any) -> Any:
    start = client.get(url, query)
    upload = SimpleUploadedFile("tenshutsu.csv", content, content_type="text/csv")
    return client.post(url + (f"?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else ""),
                       {"state": _state(start), "action": "import-csv", "csv": upload})  # fmt: skip


def test_a_move_in_filled_from_the_moving_out_certificate_s_data(clerk: Client, tenant_a: Any) -> None:
    for content in (CSV.encode("utf-8-sig"), CSV.encode("cp932")):  # UTF-8 with a BOM, or Shift_JIS
        page = _upload(clerk, MOVE_IN, content)
        html = page.content.decode()
        assert page.status_code == 200 and 'id="csv-imported"' in html and "（2人）" in html
        for value in ('value="東京都千代田区二番町2番"', 'value="二番町ハイツ201"', 'value="タロウ"', 'value="ハナコ"',
                      'value="S57.2.3"', 'value="大阪府大阪市北区中之島1丁目"'):  # fmt: skip
            assert value in html, value
        assert 'name="effective_on" value="R6.4.1"' in html  # 「転入日（異動日）」, as this wizard labels it
        assert "123456789012" not in html  # the 個人番号 is not taken
        assert "取り込まなかった列" in html and "個人番号" in html and "血液型" in html
    with tenant_context(tenant_a.code):
        assert not ProvisionalEntry.objects.exists() and not Resident.objects.exists()  # nothing recorded

    # The clerk goes on from the filled form: the confirmation shows what came from the file.
    data = {"effective_on": "R6.4.1", "notified_on": "R6.4.5", "origin": "domestic",
            "address": "東京都千代田区二番町2番", "previous_address": "大阪府大阪市北区中之島1丁目3番20号",
            "persons-TOTAL_FORMS": "1", "persons-INITIAL_FORMS": "0", "persons-0-family_name": "山田",
            "persons-0-given_name": "太郎", "persons-0-family_name_kana": "ヤマダ",
            "persons-0-given_name_kana": "タロウ", "persons-0-birth_date": "S55.5.5", "persons-0-sex": "1",
            "persons-0-relationship": "世帯主", "persons-0-kind": "japanese",
            "persons-0-resident_code": "", "persons-0-domicile": "大阪府大阪市北区中之島1丁目"}  # fmt: skip
    filled = _upload(clerk, MOVE_IN, CSV.encode("utf-8"))
    confirm = clerk.post(MOVE_IN, {"state": _state(filled), "action": "next", **data})
    assert confirm.status_code == 200 and "二番町" in confirm.content.decode()


def test_a_household_procedure_filled_from_a_notification(clerk: Client, person: Resident) -> None:
    url = "/staff/residents/procedures/move-within/"
    content = (
        "異動日,届出日,住所,方書,届出人\r\nR6.4.1,R6.4.2,東京都千代田区九段南1丁目2番1号,九段ハイツ,山田　一郎\r\n"
    )
    page = _upload(clerk, url, content.encode(), household=person.household_id)
    html = page.content.decode()
    assert (
        'value="東京都千代田区九段南1丁目2番1号"' in html and 'value="山田　一郎"' in html and 'value="R6.4.2"' in html
    )


def test_files_that_cannot_be_read_fill_nothing(clerk: Client) -> None:
    cases = {
        b"": "見出し行とデータ行",
        "氏,名\r\n".encode(): "見出し行とデータ行",
        b"\xff\xfe\x00\x81\xff" * 3: "UTF-8又はShift_JIS",
        ("氏,名\r\n" + "山田,太郎\r\n" * 21).encode(): "行が多すぎます",
        b"a" * (64 * 1024 + 1): "大きすぎます",
    }
    for content, message in cases.items():
        page = _upload(clerk, MOVE_IN, content)
        html = page.content.decode()
        assert 'id="csv-errors"' in html and message in html, message
        assert 'value="山田"' not in html
    start = clerk.get(MOVE_IN)
    missing = clerk.post(MOVE_IN, {"state": _state(start), "action": "import-csv"})
    assert "取り込むCSVファイルを選んでください" in missing.content.decode()


def test_items_hidden_from_the_user_are_not_taken(supervisor: Client, tenant_a: Any, make_staff: Any) -> None:
    clerk = make_staff(tenant_a, "clerk-hidden", [CLERK.code])
    assert supervisor.post("/staff/residents/visibility/", {"user": clerk.pk, "items": ["domicile"]}).status_code == 302
    html = _upload(sign_in(clerk), MOVE_IN, CSV.encode()).content.decode()
    assert '大阪府大阪市北区中之島1丁目"' not in html and 'value="タロウ"' in html
    assert "本籍" in html.split("取り込まなかった列")[1][:200]


def test_a_certificate_application_filled_from_a_csv(clerk: Client, tenant_a: Any, person: Resident) -> None:
    """交付申請書 as CSV: the kind, the requester and the purpose as a person writes them (labels, not codes); which
    persons and which member asks stay the clerk's choice on the page."""
    from kiban.apps.residents.models import Certificate

    url = f"/staff/residents/{person.id}/certificate/"
    content = (
        "証明書の種類,請求者の区分,請求者氏名,請求事由,記載する方\r\n"
        "住民票の写し,第三者 (法12条の3),弁護士　甲野,訴訟のため,99\r\n"
    )
    page = _upload(clerk, url, content.encode("cp932"))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="csv-imported"' in html
    assert 'value="弁護士　甲野"' in html and 'value="訴訟のため"' in html
    assert (
        'value="third_party" selected' in html
        or 'value="third_party"\n selected' in html
        or ('<option value="third_party" selected>' in html)
    )
    assert "記載する方" in html.split("取り込まなかった列")[1][:200]  # the persons are chosen on the page
    with tenant_context(tenant_a.code):
        assert not Certificate.objects.exists()  # nothing issued by the import
