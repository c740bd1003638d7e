"""Rule sets and reforms: what-if runs that never touch the base rules.

A :class:`RuleSet` is the parameters plus the named formulas of one benefit. A :class:`Reform` names
parameter values to replace from given dates and, optionally, formulas to replace; applying it returns a
new RuleSet and leaves the base as it was, so the current rules and the reform can run side by side on
the same (live, read-only) data and their costs be compared with :func:`compare_cost`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from .parameters import ParameterError, ParameterSet, ParameterValue

__all__ = ["CostComparison", "Reform", "RuleSet", "compare_cost"]

Formula = Callable[..., Any]


@dataclass(frozen=True)
class RuleSet:
    """Parameters and formulas of one benefit. Immutable: reforms produce new RuleSets."""

    name: str
    parameters: ParameterSet
    formulas: Mapping[str, Formula] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "formulas", MappingProxyType(dict(self.formulas)))

    def formula(self, name: str) -> Formula:
        try:
            return self.formulas[name]
        except KeyError:
            raise ParameterError(f"{self.name}: unknown formula {name!r}") from None

    def with_reform(self, reform: Reform) -> RuleSet:
        unknown = sorted(set(reform.formulas) - set(self.formulas))
        if unknown:
            raise ParameterError(f"reform {reform.name!r} replaces formulas {self.name} does not have: {unknown}")
        return RuleSet(
            name=f"{self.name} + {reform.name}",
            parameters=self.parameters.with_overrides(reform.parameters),
            formulas={**self.formulas, **reform.formulas},
        )


@dataclass(frozen=True)
class Reform:
    """Changed parameters (values from given dates) and optionally changed formulas.

    ``parameters`` maps a parameter name to ``[(effective_from, value), ...]``; each value holds from its
    date until the next date already in the base or in the reform.
    """

    name: str
    parameters: Mapping[str, Sequence[tuple[dt.date, ParameterValue]]] = field(default_factory=dict)
    formulas: Mapping[str, Formula] = field(default_factory=dict)

    def apply(self, base: RuleSet) -> RuleSet:
        return base.with_reform(self)


@dataclass(frozen=True)
class CostComparison:
    """Totals under the base rules and the reform, in yen (Python ints: no overflow, no rounding)."""

    base_total: int
    reform_total: int
    units: int
    gainers: int
    losers: int

    @property
    def difference(self) -> int:
        return self.reform_total - self.base_total


def compare_cost(
    base: RuleSet,
    reform: Reform,
    compute: Callable[[RuleSet], npt.NDArray[np.int64]],
) -> CostComparison:
    """Run ``compute`` (amounts per unit, e.g. per child, int64 yen) under the base rules and the reform."""
    before = np.asarray(compute(base))
    after = np.asarray(compute(reform.apply(base)))
    if before.shape != after.shape:
        raise ValueError(f"base and reform gave results of different shapes: {before.shape} vs {after.shape}")
    for label, arr in (("base", before), ("reform", after)):
        if arr.dtype.kind not in "iu":
            raise TypeError(f"{label} amounts must be integer yen, got dtype {arr.dtype}")
    return CostComparison(
        base_total=int(before.sum(dtype=np.int64)),
        reform_total=int(after.sum(dtype=np.int64)),
        units=int(before.size),
        gainers=int(np.count_nonzero(after > before)),
        losers=int(np.count_nonzero(after < before)),
    )
