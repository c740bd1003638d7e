"""A 住民票の写し issued while a 転出 waits for its planned date (転出予定, 標準仕様書 1.1.5 j50) prints the household
as it stands on the issue day: the person moving out is still a member (and the householder, if they are), and the
members who stay keep the 世帯主・続柄 they have until the planned date, even though the 転出 already recorded the
new householder. From the planned date on, the copy is the household after the move-out."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from kiban.apps.residents import certificates, services
from kiban.apps.residents.models import Procedure, Resident
from kiban.apps.residents.printing.content import CertificateContent
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.tenants.context import tenant_context

from .test_certificates import _request
from .test_procedures import codes, n, person

AHEAD = 10  # days until the planned date


@pytest.fixture
def chiyoda(tenant_a: Any) -> Any:
    with tenant_context(tenant_a.code):
        yield tenant_a


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> list[CertificateContent]:
    """What each certificate issued in the test was printed from (the PDF is rendered as usual)."""
    contents: list[CertificateContent] = []
    render = certificates.printing.render_signed

    def spy(content: CertificateContent, material: Any) -> bytes:
        contents.append(content)
        return render(content, material)

    monkeypatch.setattr(certificates.printing, "render_signed", spy)
    return contents


@pytest.fixture
def on_day(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime.date], None]:
    """Let the clock stand at ``day`` (the issue date of the certificates issued after it)."""

    def move_to(day: datetime.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return move_to


def household_of_three() -> list[int]:
    """太郎 (世帯主), 花子 (妻) and 一郎 (子), moved in a year ago."""
    result = services.move_in(
        n(timezone.localdate() - datetime.timedelta(days=400)),
        address=services.AddressData("東京都千代田区九段南1丁目2番1号", building="九段ハイツ101"),
        persons=[
            person("太郎"),
            person("花子", "妻", given_name_kana="ハナコ", sex="2", birth_date=datetime.date(1982, 2, 3)),
            person("一郎", "子", given_name_kana="イチロウ", birth_date=datetime.date(2010, 7, 7)),
        ],
        previous_address="神奈川県横浜市中区1番",
    )
    return result.resident_ids


def householder_moves_out(ids: list[int], planned: datetime.date) -> None:
    """The householder leaves; 花子 becomes 世帯主 of those who stay (recorded in the same 転出)."""
    head, wife, son = ids
    services.move_out(
        n(planned, timezone.localdate()),
        resident_ids=[head],
        destination_address="大阪府大阪市北区中之島1丁目3番20号",
        new_householder_id=wife,
        relationships={son: "子"},
    )


def copy_of(ids: list[int], **kw: Any) -> certificates.Request:
    """A 住民票の写し with 世帯主・続柄, asked for by the first person named (or as ``kw`` says)."""
    return _request(ids, **({"items": ("householder",)} | kw))


def rows(content: CertificateContent) -> list[tuple[str, str | None]]:
    return [(p.given_name, p.relationship) for p in content.persons]


def test_a_household_copy_before_the_planned_date_prints_the_household_of_the_issue_day(
    chiyoda: Any, printed: list[CertificateContent]
) -> None:
    head, wife, son = ids = household_of_three()
    householder_moves_out(ids, timezone.localdate() + datetime.timedelta(days=AHEAD))
    issued = certificates.issue(copy_of([wife, son, head]))
    assert issued.pdf.startswith(b"%PDF")
    (content,) = printed
    assert rows(content) == [("太郎", "世帯主"), ("花子", "妻"), ("一郎", "子")]  # one 世帯主: the one leaving
    assert content.householder_name == "山田　太郎"
    assert all(p.removed_on is None and p.removal_reason is None for p in content.persons)  # no 消除 items
    assert issued.certificate.resident_ids == [head, wife, son]


def test_a_copy_of_the_members_who_stay_names_the_householder_of_the_issue_day(
    chiyoda: Any, printed: list[CertificateContent]
) -> None:
    _head, wife, son = ids = household_of_three()
    householder_moves_out(ids, timezone.localdate() + datetime.timedelta(days=AHEAD))
    certificates.issue(copy_of([wife, son]))
    certificates.issue(copy_of([wife], layout="individual"))
    household, individual = printed
    assert rows(household) == [("花子", "妻"), ("一郎", "子")]
    assert household.householder_name == "山田　太郎"  # not yet 花子
    assert rows(individual) == [("花子", "妻")] and individual.householder_name == "山田　太郎"


def test_from_the_planned_date_the_copy_is_the_household_after_the_move_out(
    chiyoda: Any, printed: list[CertificateContent], on_day: Callable[[datetime.date], None]
) -> None:
    head, wife, son = ids = household_of_three()
    planned = timezone.localdate() + datetime.timedelta(days=AHEAD)
    householder_moves_out(ids, planned)
    on_day(planned + datetime.timedelta(days=1))
    certificates.issue(copy_of([wife, son]))
    (content,) = printed
    assert rows(content) == [("花子", "世帯主"), ("一郎", "子")]
    assert content.householder_name == "山田　花子"
    with pytest.raises(ProcedureError) as err:  # 太郎 is a 除票 now
        certificates.issue(copy_of([head, wife, son]))
    assert codes(err) == {"wrong_status"}
    certificates.issue(copy_of([head], kind="removed_copy", layout="individual", requester_resident_id=None,
                               requester="third_party", items=()))  # fmt: skip
    assert [(p.given_name, p.removed_on) for p in printed[-1].persons] == [("太郎", planned)]


def test_a_move_out_planned_for_today_has_taken_effect(chiyoda: Any, printed: list[CertificateContent]) -> None:
    head, wife, son = ids = household_of_three()
    householder_moves_out(ids, timezone.localdate())
    certificates.issue(copy_of([wife, son]))
    (content,) = printed
    assert rows(content) == [("花子", "世帯主"), ("一郎", "子")] and content.householder_name == "山田　花子"
    with pytest.raises(ProcedureError) as err:
        certificates.issue(copy_of([head]))
    assert codes(err) == {"wrong_status"}


def test_a_move_out_undone_before_its_planned_date_leaves_the_household_as_it_was(
    chiyoda: Any, printed: list[CertificateContent]
) -> None:
    head, wife, son = ids = household_of_three()
    householder_moves_out(ids, timezone.localdate() + datetime.timedelta(days=AHEAD))
    out = Procedure.objects.order_by("-id").first()
    assert out is not None
    services.cancel(n(timezone.localdate()), procedure_id=out.id, reason="転出取りやめ")
    certificates.issue(copy_of([head, wife, son]))
    (content,) = printed
    assert rows(content) == [("太郎", "世帯主"), ("花子", "妻"), ("一郎", "子")]
    assert content.householder_name == "山田　太郎"


def test_a_move_in_reported_before_the_planned_date_ends_the_wait(
    chiyoda: Any, printed: list[CertificateContent]
) -> None:
    """j50: the 転出 takes effect on the earlier of the planned date and the move-in date of the 転入通知."""
    head, wife, son = ids = household_of_three()
    today = timezone.localdate()
    householder_moves_out(ids, today + datetime.timedelta(days=AHEAD))
    data = {"moved_in_on": (today - datetime.timedelta(days=1)).isoformat(), "from_tenant": "131041",
            "resident_codes": [Resident.objects.get(id=head).resident_code]}  # fmt: skip
    services.confirm_move_out({"id": "notice-1", "data": data})
    certificates.issue(copy_of([wife, son]))
    (content,) = printed
    assert rows(content) == [("花子", "世帯主"), ("一郎", "子")] and content.householder_name == "山田　花子"
