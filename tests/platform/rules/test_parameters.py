"""Parameters with effective dates: loading, validation errors, lookups, reforms. Pure: no database."""

import datetime as dt
import textwrap

import numpy as np
import pytest
import yaml

from kiban.platform.rules import (
    ParameterError,
    ParameterNotInForce,
    Reform,
    RuleSet,
    compare_cost,
    load_parameters,
    parse_parameters,
)

D = dt.date


def parse(text: str):
    return parse_parameters(yaml.safe_load(textwrap.dedent(text)), source="test.yaml")


AMOUNTS = """
parameters:
  amount_under_3:
    unit: yen
    values:
      - {from: 2024-10-01, value: 20000}
      - {from: 2012-04-01, value: 15000}
  income_limit_applies: [{from: 2024-10-01, value: false}, {from: 2012-06-01, value: true}]
"""


def test_value_holds_from_its_date_until_the_next():
    params = parse(AMOUNTS)
    assert params.value_at("amount_under_3", D(2012, 4, 1)) == 15000
    assert params.value_at("amount_under_3", D(2024, 9, 30)) == 15000
    assert params.value_at("amount_under_3", D(2024, 10, 1)) == 20000
    assert params.value_at("amount_under_3", D(2099, 1, 1)) == 20000
    assert params.bool_at("income_limit_applies", D(2020, 1, 1)) is True


def test_before_the_first_date_is_an_error_not_zero():
    with pytest.raises(ParameterNotInForce, match="first value is from 2012-04-01"):
        parse(AMOUNTS).value_at("amount_under_3", D(2012, 3, 31))


def test_vectorised_lookup_returns_int64_for_yen():
    params = parse(AMOUNTS)
    dates = np.array(["2012-04-01", "2024-09-30", "2024-10-01", "2030-01-01"], dtype="datetime64[D]")
    values = params.values_at("amount_under_3", dates)
    assert values.dtype == np.int64
    assert values.tolist() == [15000, 15000, 20000, 20000]
    flags = params.values_at("income_limit_applies", dates[1:])
    assert flags.dtype == np.bool_ and flags.tolist() == [True, False, False]


def test_vectorised_lookup_refuses_dates_before_the_first_and_missing_dates():
    params = parse(AMOUNTS)
    with pytest.raises(ParameterNotInForce):
        params.values_at("amount_under_3", np.array(["2011-01-01", "2020-01-01"], dtype="datetime64[D]"))
    with pytest.raises(ParameterError, match="NaT"):
        params.values_at("amount_under_3", np.array(["NaT"], dtype="datetime64[D]"))


def test_vectorised_and_scalar_lookups_agree_on_every_day_around_a_change():
    params = parse(AMOUNTS)
    days = np.arange(np.datetime64("2024-09-01"), np.datetime64("2024-11-01"))
    vector = params.values_at("amount_under_3", days)
    assert vector.tolist() == [params.value_at("amount_under_3", d.astype(dt.date)) for d in days]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ("[{from: 2012-04-01, value: 1}, {from: 2024-10-01, value: 2}]", "newest first"),
        ("[{from: 2024-10-01, value: 1}, {from: 2024-10-01, value: 2}]", "overlapping"),
        ("[{value: 1}]", "missing 'from'"),
        ("[{from: 2024-10-01}]", "missing 'value'"),
        ("[{from: 2024-10-01, value: null}]", "missing 'value'"),
        ("[{from: 10/01/2024, value: 1}]", "YYYY-MM-DD"),
        ("[]", "non-empty list"),
        ("[{from: 2024-10-01, value: 1, until: 2025-01-01}]", "unknown keys"),
    ],
)
def test_malformed_files_get_clear_errors(values, message):
    with pytest.raises(ParameterError, match=message) as excinfo:
        parse(f"parameters:\n  amount: {values}\n")
    assert "test.yaml: amount" in str(excinfo.value)


def test_yen_must_be_integers():
    with pytest.raises(ParameterError, match="unit is yen"):
        parse("parameters:\n  amount: {unit: yen, values: [{from: 2024-10-01, value: 15000.5}]}\n")


def test_mixed_types_are_refused():
    with pytest.raises(ParameterError, match="mix types"):
        parse("parameters:\n  x: [{from: 2024-10-01, value: true}, {from: 2012-04-01, value: 3}]\n")


def test_missing_required_parameters_are_listed_together(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(AMOUNTS, encoding="utf-8")
    with pytest.raises(ParameterError, match="missing: a, b"):
        load_parameters(path, required=["amount_under_3", "b", "a"])


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ParameterError, match="not found"):
        load_parameters(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("parameters: [unclosed", encoding="utf-8")
    with pytest.raises(ParameterError, match="not valid YAML"):
        load_parameters(bad)
    with pytest.raises(ParameterError, match="'parameters' mapping"):
        parse_parameters({"amount": []})


def test_unknown_parameter_is_named():
    with pytest.raises(ParameterError, match="unknown parameter 'nope'"):
        parse(AMOUNTS).value_at("nope", D(2024, 1, 1))


def test_override_changes_the_future_and_keeps_the_past():
    base = parse(AMOUNTS)
    reformed = base.with_overrides({"amount_under_3": [(D(2025, 4, 1), 25000)]})
    assert reformed.value_at("amount_under_3", D(2025, 3, 31)) == 20000
    assert reformed.value_at("amount_under_3", D(2025, 4, 1)) == 25000
    assert reformed.value_at("amount_under_3", D(2020, 1, 1)) == 15000
    assert base.value_at("amount_under_3", D(2025, 4, 1)) == 20000  # the base is untouched


def test_reform_of_parameters_and_formulas_and_its_cost():
    def per_child(children, on, params):
        return np.full(children, params.int_at("amount_under_3", on), dtype=np.int64)

    base = RuleSet("demo", parse(AMOUNTS), formulas={"amount": per_child})

    def compute(rules: RuleSet):
        return rules.formula("amount")(1000, D(2025, 6, 1), rules.parameters)

    raise_it = Reform("raise", parameters={"amount_under_3": [(D(2025, 4, 1), 25000)]})
    result = compare_cost(base, raise_it, compute)
    assert (result.base_total, result.reform_total, result.difference) == (20_000_000, 25_000_000, 5_000_000)
    assert (result.units, result.gainers, result.losers) == (1000, 1000, 0)

    halve = Reform("halve", formulas={"amount": lambda n, on, p: per_child(n, on, p) // 2})
    assert compare_cost(base, halve, compute).difference == -10_000_000
    assert base.formula("amount") is per_child

    with pytest.raises(ParameterError, match="does not have"):
        Reform("bad", formulas={"other": per_child}).apply(base)
    with pytest.raises(ParameterError, match="unknown parameter"):
        Reform("bad", parameters={"nope": [(D(2025, 1, 1), 1)]}).apply(base)


def test_cost_comparison_refuses_float_money():
    base = RuleSet("demo", parse(AMOUNTS), formulas={})
    with pytest.raises(TypeError, match="integer yen"):
        compare_cost(base, Reform("r"), lambda rules: np.zeros(3, dtype=np.float32))


def test_large_yen_sums_stay_exact():
    """int64 yen: a city-wide monthly total above 2**24 (where float32 loses yen) is exact."""
    base = RuleSet("demo", parse(AMOUNTS), formulas={})
    amounts = np.full(1_000_001, 15001, dtype=np.int64)
    result = compare_cost(base, Reform("none"), lambda rules: amounts)
    assert result.base_total == 15_001_015_001
