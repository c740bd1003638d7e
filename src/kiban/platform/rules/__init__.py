"""Rules as code: parameters with effective dates, formulas over numpy arrays, and reforms.

Design, in the order a benefit app meets it:

- **Parameters are data, not code.** Amounts, ages and thresholds live in a YAML file next to the app
  (``apps/<business>/params/*.yaml``), each as a list of ``{from: date, value: ...}`` entries, newest
  first, exactly like an amendment history. A law change is a new entry with its 施行日; results for
  months before it recompute to what they were, because formulas ask for the value on the date in
  question (:meth:`ParameterSet.value_at`, or :meth:`ParameterSet.values_at` for a whole array of dates).
  Loading validates: entries out of order, two values from the same date, missing ``from`` or ``value``,
  non-integer yen, and parameters a formula needs but the file lacks are all errors that name the file,
  the parameter and the entry.
- **Money is integer yen in int64**, never float: lookups of integer parameters return ``int64`` arrays.
  (OpenFisca-core stores float32/int32; see ``docs/benefits/engine-choice.md`` for why we do not.)
- **Formulas are plain functions over column arrays** (one row per person), written with numpy so a
  million people take a fraction of a second, and each app also keeps a plain scalar version for one
  household, which tests compare against the vectorised one.
- **A reform never touches the base.** :class:`RuleSet` bundles a benefit's parameters and named formulas;
  :class:`Reform` replaces parameter values from given dates (and optionally formulas) and produces a new
  RuleSet; :func:`compare_cost` runs both on the same data and reports the totals and the difference.

This package is generic: it knows no benefit and must not import ``kiban.apps``.
"""

from .parameters import (
    Parameter,
    ParameterError,
    ParameterNotInForce,
    ParameterSet,
    ParameterValue,
    load_parameters,
    parse_parameters,
)
from .reform import CostComparison, Reform, RuleSet, compare_cost

__all__ = [
    "CostComparison",
    "Parameter",
    "ParameterError",
    "ParameterNotInForce",
    "ParameterSet",
    "ParameterValue",
    "Reform",
    "RuleSet",
    "compare_cost",
    "load_parameters",
    "parse_parameters",
]
