"""住所一括変更 (住民記録システム標準仕様書 9.7, j1340): addresses by 世帯番号 and 本籍 by 宛名番号 from CSV, a trial
that changes nothing, rows that no longer match (or a household with a member moving out) left out with the reason, a
bad file refused as a whole, the same file twice changing nothing twice."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kiban.apps.residents import bulk_address, services
from kiban.apps.residents.models import Household, Procedure, Resident
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.context import tenant_context

D = datetime.date


def _csv(header: str, *lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode(encoding)


def test_a_trial_changes_nothing_and_the_real_run_changes_what_still_matches(tenant_a: Any, make_resident: Any) -> None:
    first, second, third = (make_resident(tenant_a, k) for k in ("ヤマダ", "スズキ", "タナカ"))
    with tenant_context(tenant_a.code):
        addresses = {p.id: Household.objects.get(id=p.household_id).address for p in (first, second, third)}
        services.move_out(services.Notification("out-1", timezone.localdate() + datetime.timedelta(days=10),
                                                timezone.localdate()),
                          resident_ids=[third.id], destination_address="大阪市北区1番")  # fmt: skip
        data = _csv(
            "世帯番号,変更前住所,変更後住所",
            f"{first.household_id},{addresses[first.id]},東京都千代田区九段南一丁目2番1号",
            f"{second.household_id},東京都千代田区どこか1番,東京都千代田区九段南一丁目3番1号",  # no longer matches
            f"{third.household_id},{addresses[third.id]},東京都千代田区九段南一丁目4番1号",  # moving out
        )
        before = Procedure.objects.count()
        trial = bulk_address.run("address", data, effective_on=D(2024, 4, 1), reason="住居表示の実施", trial=True)
        assert [(o.line, o.changed) for o in trial.outcomes] == [(2, True), (3, False), (4, False)]
        assert "変更前住所が一致しません" in trial.outcomes[1].detail and "転出予定者" in trial.outcomes[2].detail
        assert Procedure.objects.count() == before  # the trial wrote nothing but its audit entry
        assert AuditEntry.objects.filter(action="residents.bulk_address.trial", purpose="住居表示の実施").count() == 1
        assert Household.objects.get(id=first.household_id).address == addresses[first.id]
        applied = bulk_address.run("address", data, effective_on=D(2024, 4, 1), reason="住居表示の実施", trial=False)
        assert (applied.changed, applied.left_out) == (1, 2)
        assert Household.objects.get(id=first.household_id).address == "東京都千代田区九段南一丁目2番1号"
        assert Procedure.objects.get(id=applied.outcomes[0].procedure_id).kind == "軽微な修正"
        again = bulk_address.run("address", data, effective_on=D(2024, 4, 1), reason="住居表示の実施", trial=False)
        assert Procedure.objects.count() == before + 1  # the same file again: nothing twice
        assert again.outcomes[0].changed is False  # its 変更前 no longer matches


def test_domiciles_by_resident_number_in_shift_jis(tenant_a: Any, make_resident: Any) -> None:
    person = make_resident(tenant_a, domicile="東京都千代田区千代田1番")
    data = _csv("宛名番号,変更前本籍,変更後本籍", f"{person.id},東京都千代田区千代田1番,東京都千代田区千代田一丁目1番",
                encoding="cp932")  # fmt: skip
    with tenant_context(tenant_a.code):
        result = bulk_address.run("domicile", data, effective_on=D(2024, 4, 1), reason="地番変更", trial=False)
        assert result.changed == 1
        assert Resident.objects.get(id=person.id).domicile == "東京都千代田区千代田一丁目1番"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (_csv("番号,前,後", "1,a,b"), "header"),
        (_csv("世帯番号,変更前住所,変更後住所", "x1,a,b"), "target"),
        (_csv("世帯番号,変更前住所,変更後住所", "1,a,a"), "values"),
        (_csv("世帯番号,変更前住所,変更後住所", "1,a"), "fields"),
        (_csv("世帯番号,変更前住所,変更後住所", "1,a,b", "1,c,d"), "duplicate"),
        (_csv("世帯番号,変更前住所,変更後住所"), "empty"),
        (b"\xff\xfe\x00\x81", "encoding"),
    ],
)
def test_a_bad_file_is_refused_as_a_whole_by_line(tenant_a: Any, data: bytes, code: str) -> None:
    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError) as err:
            bulk_address.run("address", data, effective_on=D(2024, 4, 1), reason="住居表示の実施", trial=False)
        assert code in [e.code for e in err.value.errors]
        assert Procedure.objects.count() == 0


def test_the_page_is_for_supervisors_and_reports_by_line(
    clerk: Client, supervisor: Client, tenant_a: Any, make_resident: Any
) -> None:
    person = make_resident(tenant_a)
    with tenant_context(tenant_a.code):
        address = Household.objects.get(id=person.household_id).address
    url = "/staff/residents/bulk-change/"
    assert clerk.get(url).status_code == 403
    data = _csv("世帯番号,変更前住所,変更後住所", f"{person.household_id},{address},東京都千代田区九段南一丁目2番1号")
    form = {"kind": "address", "effective_on": "R6.4.1", "reason": "住居表示の実施", "action": "trial"}
    trial = supervisor.post(url, {**form, "file": SimpleUploadedFile("a.csv", data)})
    assert trial.status_code == 200 and "仮処理の結果（変更していません）: 変更 1件・除外 0件" in trial.content.decode()
    refused = supervisor.post(url, {**form, "reason": "", "file": SimpleUploadedFile("a.csv", data)})
    assert refused.status_code == 400 and "理由を入力してください" in refused.content.decode()
    applied = supervisor.post(url, {**form, "action": "apply", "file": SimpleUploadedFile("a.csv", data)})
    assert applied.status_code == 200 and "本処理の結果: 変更 1件" in applied.content.decode()
    with tenant_context(tenant_a.code):
        assert Household.objects.get(id=person.household_id).address == "東京都千代田区九段南一丁目2番1号"
