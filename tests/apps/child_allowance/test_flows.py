"""Registry events drive the child allowance through the real dispatcher: a birth prompts an application, the
application is recognised, a second birth revises the amount, moving out ends the recognition."""

import datetime
from typing import Any

import pytest

from kiban.apps.child_allowance import payments, services
from kiban.apps.child_allowance.errors import ChildAllowanceError
from kiban.apps.child_allowance.models import Payment, Prompt, Recognition, Revision
from kiban.platform.payments import zengin
from kiban.platform.tenants.context import tenant_context

from .conftest import VALID_BANK, birth, deliver, move_out

D = datetime.date


def test_birth_prompts_apply_recognizes_second_birth_revises_move_out_ends(subscribed: Any, family: Any) -> None:
    tenant = subscribed
    (parent,) = family()
    with tenant_context(tenant.code):
        household = services.registry().resident_as_of(parent, D(2024, 1, 1), "test").household_id
    first = birth(tenant, household, D(2024, 11, 10), "一郎")
    deliver()
    with tenant_context(tenant.code):
        (prompt,) = Prompt.objects.all()
        assert (prompt.householder_id, prompt.child_id, prompt.event_on) == (parent, first, D(2024, 11, 10))
        # Applied within 15 days of the birth: paid from the month after the birth (8条3項).
        recognition = services.recognize(
            recipient_id=parent, children=[services.ChildClaim(first)], applied_on=D(2024, 11, 20),
            bank=services.BankAccount(**VALID_BANK), prompt_id=prompt.id,
        )  # fmt: skip
        assert recognition.first_month == D(2024, 12, 1)
        assert Prompt.objects.get().status == "applied"
        assert recognition.revisions.get().monthly_total == 15_000

    second = birth(tenant, household, D(2025, 3, 5))
    deliver()
    with tenant_context(tenant.code):
        assert Prompt.objects.count() == 1  # no new prompt: the household has a recognition
        revision = Revision.objects.get(seq=2)
        assert (revision.kind, revision.effective_month, revision.monthly_total) == (
            "額改定（増額）",
            D(2025, 4, 1),
            30_000,
        )
        assert [c["resident_id"] for c in revision.children] == [first, second]

    move_out(tenant, [parent, first, second], D(2025, 6, 15))
    deliver()
    assert deliver() == 0
    with tenant_context(tenant.code):
        recognition.refresh_from_db()
        assert (recognition.status, recognition.last_month, recognition.ended_reason) == (
            "ended",
            D(2025, 6, 1),
            "国内転出",
        )
        assert list(recognition.revisions.values_list("kind", flat=True)) == ["認定", "額改定（増額）", "消滅"]
        # The August payment covers June (paid: the month the reason ceased) but not July.
        run = payments.run_payment(D(2025, 8, 8))
        assert run is not None
        payment = Payment.objects.get()
        assert payment.breakdown == {"2025-06": 30_000, "2025-07": 0}
        assert payment.amount == 30_000


def test_a_child_moving_out_alone_revises_the_amount_from_the_next_month(subscribed: Any, family: Any) -> None:
    tenant = subscribed
    parent, older, younger = family(D(2012, 6, 1), D(2016, 9, 1))
    with tenant_context(tenant.code):
        recognition = services.recognize(
            recipient_id=parent, children=[services.ChildClaim(older), services.ChildClaim(younger)],
            applied_on=D(2024, 10, 20), bank=services.BankAccount(**VALID_BANK),
        )  # fmt: skip
    move_out(tenant, [older], D(2025, 1, 20))
    deliver()
    with tenant_context(tenant.code):
        revision = recognition.revisions.get(seq=2)
        assert (revision.kind, revision.effective_month, revision.monthly_total) == (
            "額改定（減額）",
            D(2025, 2, 1),
            10_000,
        )
        recognition.refresh_from_db()
        assert recognition.status == "active"


def test_the_recipients_death_ends_the_recognition_with_that_month(subscribed: Any, family: Any) -> None:
    from kiban.apps.residents import services as registry_services

    tenant = subscribed
    parent, child = family(D(2020, 1, 15))
    with tenant_context(tenant.code):
        recognition = services.recognize(recipient_id=parent, children=[services.ChildClaim(child)],
                                         applied_on=D(2024, 10, 1),
                                         bank=services.BankAccount(**VALID_BANK))  # fmt: skip
        registry_services.death(registry_services.Notification("death-1", D(2025, 2, 3), D(2025, 2, 4)),
                                resident_id=parent)  # fmt: skip
    deliver()
    with tenant_context(tenant.code):
        recognition.refresh_from_db()
        assert (recognition.status, recognition.last_month, recognition.ended_reason) == (
            "ended",
            D(2025, 2, 1),
            "死亡",
        )


def test_a_redelivered_event_changes_nothing(subscribed: Any, family: Any) -> None:
    from kiban.apps.child_allowance.events import on_resident_changed
    from kiban.platform.events.envelope import envelope
    from kiban.platform.events.models import Event

    tenant = subscribed
    (parent,) = family()
    with tenant_context(tenant.code):
        household = services.registry().resident_as_of(parent, D(2024, 1, 1), "test").household_id
    birth(tenant, household, D(2024, 11, 10))
    deliver()
    with tenant_context(tenant.code):
        event = Event.objects.filter(data__reason="出生").get()
        on_resident_changed(envelope(event))
        assert Prompt.objects.count() == 1


# --- payments across the October 2024 amendment ----------------------------------------------------------------


@pytest.fixture
def three_children(subscribed: Any, family: Any) -> Recognition:
    """A student of 19 (supported), a 14-year-old and a child of 2; income below the old limit."""
    parent, student, pupil, toddler = family(D(2005, 6, 1), D(2010, 8, 1), D(2022, 7, 1))
    with tenant_context(subscribed.code):
        return services.recognize(
            recipient_id=parent, applied_on=D(2024, 5, 10), bank=services.BankAccount(**VALID_BANK),
            children=[services.ChildClaim(student, supported=True), services.ChildClaim(pupil),
                      services.ChildClaim(toddler)],
            income=5_000_000, dependants=3,
        )  # fmt: skip


def test_october_2024_pays_june_to_september_under_the_old_rules(subscribed: Any, three_children: Recognition) -> None:
    """Old rules: the student is past the counting age (18), so the toddler is the 2nd child: 15,000 + 10,000."""
    with tenant_context(subscribed.code):
        run = payments.run_payment(D(2024, 10, 10))
        assert run is not None and run.months == ["2024-06", "2024-07", "2024-08", "2024-09"]
        payment = Payment.objects.get(payment_month=D(2024, 10, 1))
        assert payment.breakdown == {"2024-06": 25_000, "2024-07": 25_000, "2024-08": 25_000, "2024-09": 25_000}
        assert (run.count, run.total) == (1, 100_000)


def test_december_2024_pays_october_and_november_under_the_new_rules(
    subscribed: Any, three_children: Recognition
) -> None:
    """New rules: the supported student (to 22) counts first, so the toddler is the 3rd child: 30,000 + 10,000."""
    with tenant_context(subscribed.code):
        payments.run_payment(D(2024, 10, 10))
        run = payments.run_payment(D(2024, 12, 10))
        assert run is not None and run.months == ["2024-10", "2024-11"]
        payment = Payment.objects.get(payment_month=D(2024, 12, 1))
        assert payment.breakdown == {"2024-10": 40_000, "2024-11": 40_000}
        (header, data, trailer, _end) = zengin.read(bytes(run.file))
        assert (data["振込金額"], data["受取人名"], data["顧客コード1"]) == (
            "0000080000",
            "ﾀﾅｶ ﾀﾛｳ",
            f"{three_children.id:010d}",
        )
        assert (trailer["合計件数"], trailer["合計金額"]) == ("000001", "000000080000")
        assert (header["振込指定日"], header["振込依頼人名"]) == ("1210", "ﾁﾖﾀﾞｸ")


def test_running_a_payment_month_again_pays_no_one_twice(subscribed: Any, three_children: Recognition) -> None:
    with tenant_context(subscribed.code):
        assert payments.run_payment(D(2024, 12, 10)) is not None
        assert payments.run_payment(D(2024, 12, 10)) is None
        assert Payment.objects.count() == 1


# --- refusals write nothing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("payment_date", [D(2024, 11, 10), D(2025, 1, 10), D(2024, 9, 10)])
def test_a_date_outside_the_payment_months_is_refused(
    subscribed: Any, three_children: Recognition, payment_date: datetime.date
) -> None:
    with tenant_context(subscribed.code):
        with pytest.raises(ChildAllowanceError, match="not a payment month") as caught:
            payments.run_payment(payment_date)
        assert caught.value.errors[0].code == "not_payment_month"
        assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("bank", "field"),
    [
        ({"bank_code": "12a4"}, "bank.bank_code"),
        ({"bank_code": "001"}, "bank.bank_code"),
        ({"branch_code": "1"}, "bank.branch_code"),
        ({"bank_code": "0001", "branch_code": "998"}, "bank.branch_code"),  # no such branch in the public list
        ({"account_number": "12345678"}, "bank.account_number"),
        ({"account_type": "3"}, "bank.account_type"),
        ({"holder_kana": "田中太郎"}, "bank.holder_kana"),
    ],
)
def test_a_bad_bank_account_is_refused_and_nothing_is_written(
    subscribed: Any, family: Any, bank: dict[str, str], field: str
) -> None:
    parent, child = family(D(2020, 1, 15))
    with tenant_context(subscribed.code):
        with pytest.raises(ChildAllowanceError) as caught:
            services.recognize(recipient_id=parent, children=[services.ChildClaim(child)], applied_on=D(2024, 10, 1),
                               bank=services.BankAccount(**{**VALID_BANK, **bank}))  # fmt: skip
        assert field in [e.field for e in caught.value.errors]
        assert Recognition.objects.count() == Revision.objects.count() == 0


def test_applying_twice_is_refused(subscribed: Any, family: Any) -> None:
    parent, child = family(D(2020, 1, 15))
    with tenant_context(subscribed.code):
        claim = {"recipient_id": parent, "children": [services.ChildClaim(child)], "applied_on": D(2024, 10, 1),
                 "bank": services.BankAccount(**VALID_BANK)}  # fmt: skip
        services.recognize(**claim)
        with pytest.raises(ChildAllowanceError) as caught:
            services.recognize(**claim)
        assert {e.code for e in caught.value.errors} == {"already_recognized"}
        assert Recognition.objects.count() == Revision.objects.count() == 1


def test_old_rule_months_need_the_income_and_children_must_be_payable(subscribed: Any, family: Any) -> None:
    parent, child, adult = family(D(2020, 1, 15), D(1999, 1, 1))
    with tenant_context(subscribed.code):
        with pytest.raises(ChildAllowanceError, match="income"):
            services.recognize(recipient_id=parent, children=[services.ChildClaim(child)], applied_on=D(2024, 5, 1),
                               bank=services.BankAccount(**VALID_BANK))  # fmt: skip
        with pytest.raises(ChildAllowanceError, match="No child named is within the paid age"):
            services.recognize(recipient_id=parent, children=[services.ChildClaim(adult)], applied_on=D(2024, 11, 1),
                               bank=services.BankAccount(**VALID_BANK))  # fmt: skip
        assert Recognition.objects.count() == 0
