"""Emergency benefits: the 2020 special fixed-sum benefit (特別定額給付金) on a small population, other definitions,
applications, payment and progress; refusals write nothing."""

import datetime
import itertools
from typing import Any

import pytest

from kiban.apps.benefits import services
from kiban.apps.benefits.models import Application, Benefit, PaymentRun, Receipt
from kiban.apps.residents import services as registry_services
from kiban.apps.residents.validation import PersonData
from kiban.platform.payments import zengin
from kiban.platform.tenants.context import tenant_context
from kiban.standard.contracts import registry

D = datetime.date
BASE = D(2020, 4, 27)
PAYER = services.Payer("1310160002", "チヨダク トクベツテイガクキユウフキン", "0001", "001", "1", "1111111")
BANK = services.BankAccount("0001", "001", "1", "7654321", "ヤマダ　タロウ")
_ids = itertools.count(1)


def _person(given: str, born: datetime.date, relationship: str) -> PersonData:
    return PersonData(family_name="山田", given_name=given, family_name_kana="ヤマダ", given_name_kana="タロウ",
                      birth_date=born, sex="1", relationship=relationship)  # fmt: skip


def household(tenant: Any, moved_in: datetime.date, *members: tuple[str, datetime.date, str]) -> list[int]:
    with tenant_context(tenant.code):
        result = registry_services.move_in(
            registry_services.Notification(f"hh-{next(_ids)}", moved_in, moved_in),
            address=registry_services.AddressData("東京都千代田区千代田1番1号"),
            persons=[_person(*m) for m in members], origin="abroad",
        )  # fmt: skip
    return list(result.resident_ids)


@pytest.fixture
def town(tenant_a: Any) -> dict[str, Any]:
    """Who was registered on 27 April 2020, and who was not."""
    t = tenant_a
    family = household(t, D(2019, 4, 1), ("太郎", D(1980, 1, 1), "世帯主"), ("花子", D(1982, 2, 2), "妻"),
                       ("一郎", D(2010, 3, 3), "子"))  # fmt: skip
    with tenant_context(t.code):
        family_hh = registry().resident_as_of(family[0], D(2020, 1, 1), "test").household_id  # type: ignore[union-attr]
        for born, name in ((D(2020, 4, 27), "基準日生"), (D(2020, 4, 28), "翌日生")):
            registry_services.birth(registry_services.Notification(f"b-{next(_ids)}", born, born),
                                    household_id=family_hh, person=_person(name, born, "子"))  # fmt: skip
    late = household(t, D(2020, 5, 1), ("次郎", D(1990, 5, 5), "世帯主"))  # moved in after the base date
    leaving_after = household(t, D(2019, 4, 1), ("三郎", D(1970, 6, 6), "世帯主"))
    leaving_before = household(t, D(2019, 4, 1), ("四郎", D(1971, 7, 7), "世帯主"))
    with tenant_context(t.code):
        for ids, on in ((leaving_after, D(2020, 4, 28)), (leaving_before, D(2020, 4, 20))):
            registry_services.move_out(registry_services.Notification(f"o-{next(_ids)}", on, on), resident_ids=ids,
                                       destination_address="大阪府大阪市北区")  # fmt: skip
    return {"tenant": t, "family": family, "family_hh": family_hh, "late": late, "leaving_after": leaving_after,
            "leaving_before": leaving_before}  # fmt: skip


def test_the_2020_benefit_counts_who_was_registered_on_the_base_date(town: dict[str, Any]) -> None:
    with tenant_context(town["tenant"].code):
        benefit = services.define(services.shipped("special_fixed_sum_2020"), PAYER)
        assert (benefit.base_date, benefit.amount, benefit.per) == (BASE, 100_000, "person")
        prepared = services.prepare(benefit)
        rows = {a.payee_id: (a.eligible_count, a.amount) for a in Application.objects.all()}
        # The family: 3 + the baby born on the base date (not the one born the day after); whoever moved out after
        # the base date counts; whoever moved in after it or out before it does not.
        assert rows == {town["family"][0]: (4, 400_000), town["leaving_after"][0]: (1, 100_000)}
        assert (prepared.households, prepared.persons, prepared.amount) == (2, 5, 500_000)
        with pytest.raises(services.BenefitError, match="already prepared"):
            services.prepare(benefit)


def test_apply_pay_and_progress(town: dict[str, Any]) -> None:
    with tenant_context(town["tenant"].code):
        benefit = services.define(services.shipped("special_fixed_sum_2020"), PAYER)
        services.prepare(benefit)
        application = services.apply(benefit, household_id=town["family_hh"], applied_on=D(2020, 5, 20), bank=BANK,
                                      payee_id=town["family"][0])  # fmt: skip
        assert application.status == "applied"
        assert application.receipts.get().account_holder_kana == "ﾔﾏﾀﾞ ﾀﾛｳ"  # as written in the transfer file
        run = services.pay(benefit, transfer_date=D(2020, 5, 29))
        assert run is not None and (run.count, run.total) == (1, 400_000)
        header, data, _trailer, _end = zengin.read(bytes(run.file))
        assert (header["振込指定日"], data["振込金額"], data["受取人名"]) == ("0529", "0000400000", "ﾔﾏﾀﾞ ﾀﾛｳ")
        assert (data["被仕向銀行名"], data["被仕向支店名"]) == ("ﾐｽﾞﾎ", "ﾄｳｷﾖｳ")
        assert services.pay(benefit, transfer_date=D(2020, 6, 5)) is None  # nobody is paid twice
        assert services.progress(benefit) == {
            "households": 2, "persons": 5, "amount": 500_000, "applied_households": 1, "applied_amount": 400_000,
            "paid_households": 1, "paid_persons": 4, "paid_amount": 400_000, "not_applied_households": 1,
        }  # fmt: skip


def test_a_per_household_benefit_for_households_with_children(town: dict[str, Any]) -> None:
    definition = services.Definition(
        code="child-household-2020", name="子育て世帯臨時給付金（例）", base_date=BASE, per="household", amount=50_000,
        application_opens=D(2020, 5, 1), application_closes=D(2020, 6, 30), min_age=0, max_age=17,
    )  # fmt: skip
    with tenant_context(town["tenant"].code):
        services.prepare(services.define(definition, PAYER))
        (only,) = Application.objects.all()
        assert (only.household_id, only.eligible_count, only.amount) == (town["family_hh"], 2, 50_000)


def test_age_counts_from_the_day_before_the_birthday() -> None:
    assert services.age_on(D(2002, 4, 28), BASE) == 18  # reached at the end of 27 April
    assert services.age_on(D(2002, 4, 27), BASE) == 18
    assert services.age_on(D(2004, 2, 29), D(2022, 2, 27)) == 17
    assert services.age_on(D(2004, 2, 29), D(2022, 2, 28)) == 18  # 民法143条: the day before 1 March
    assert services.age_on(D(2002, 4, 29), D(2020, 4, 27)) == 17


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"applied_on": D(2020, 9, 1)}, "outside_window"),
        ({"applied_on": D(2020, 4, 30)}, "outside_window"),
        ({"bank": services.BankAccount("00a1", "001", "1", "1", "ﾔﾏﾀﾞ")}, "invalid"),
        ({"bank": services.BankAccount("0001", "998", "1", "1", "ﾔﾏﾀﾞ")}, "unknown"),
        ({"bank": services.BankAccount("0001", "001", "1", "1", "山田")}, "invalid"),
        ({"payee_id": -1}, "not_payee"),
        ({"household_id": 987654}, "not_eligible"),
    ],
)
def test_refused_applications_write_nothing(town: dict[str, Any], change: dict[str, Any], code: str) -> None:
    with tenant_context(town["tenant"].code):
        benefit = services.define(services.shipped("special_fixed_sum_2020"), PAYER)
        services.prepare(benefit)
        kwargs = {"household_id": town["family_hh"], "applied_on": D(2020, 5, 20), "bank": BANK} | change
        with pytest.raises(services.BenefitError) as caught:
            services.apply(benefit, **kwargs)
        assert code in {e.code for e in caught.value.errors}
        assert not Application.objects.exclude(status="prefilled").exists() and not Receipt.objects.exists()


def test_applying_twice_is_refused(town: dict[str, Any]) -> None:
    with tenant_context(town["tenant"].code):
        benefit = services.define(services.shipped("special_fixed_sum_2020"), PAYER)
        services.prepare(benefit)
        services.apply(benefit, household_id=town["family_hh"], applied_on=D(2020, 5, 20), bank=BANK)
        with pytest.raises(services.BenefitError, match="already applied"):
            services.apply(benefit, household_id=town["family_hh"], applied_on=D(2020, 5, 21), bank=BANK)


def test_bad_definitions_are_refused(tenant_a: Any) -> None:
    bad = services.Definition(code="x y", name="x", base_date=BASE, per="family", amount=0,
                              application_opens=D(2020, 6, 1), application_closes=D(2020, 5, 1))  # fmt: skip
    with tenant_context(tenant_a.code):
        with pytest.raises(services.BenefitError) as caught:
            services.define(bad, services.Payer("123", "ﾁﾖﾀﾞｸ", "0001", "001", "1", "1"))
        assert {e.field for e in caught.value.errors} == {"code", "per", "amount", "application_closes",
                                                          "payer.requester_code"}  # fmt: skip
        with pytest.raises(services.BenefitError, match="No shipped definition"):
            services.shipped("../settings")
        assert Benefit.objects.count() == PaymentRun.objects.count() == 0


def test_a_batch_of_applications_is_all_or_nothing(town: dict[str, Any]) -> None:
    with tenant_context(town["tenant"].code):
        benefit = services.define(services.shipped("special_fixed_sum_2020"), PAYER)
        services.prepare(benefit)
        good = services.Received(town["family_hh"], D(2020, 5, 20), BANK)
        other = Application.objects.exclude(household_id=town["family_hh"]).get().household_id
        bad = services.Received(other, D(2020, 5, 20), services.BankAccount("0001", "001", "1", "x", "ﾔﾏﾀﾞ"))
        with pytest.raises(services.BenefitError) as caught:
            services.apply_many(benefit, [good, bad])
        assert [e.field for e in caught.value.errors] == ["1.bank.account_number"]
        assert not Receipt.objects.exists()
        fixed = services.Received(other, D(2020, 5, 21), BANK)
        assert services.apply_many(benefit, [good, fixed]) == 2
        assert sorted(Application.objects.values_list("applied_on", flat=True)) == [D(2020, 5, 20), D(2020, 5, 21)]
        run = services.pay(benefit, transfer_date=D(2020, 5, 29))
        assert run is not None and (run.count, run.total) == (2, 500_000)
