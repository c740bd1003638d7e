"""Parameters with effective dates, loaded from versioned YAML files.

A parameter file looks like this (newest value first, as a law's amendment history reads)::

    parameters:
      amount_under_3:
        description: 3歳未満の児童1人当たりの月額
        unit: yen
        reference: 児童手当法 6条1項1号イ
        values:
          - {from: 2024-10-01, value: 15000}
          - {from: 2012-04-01, value: 15000}
      # the short form, a bare list, is accepted too:
      primary_school_end_age: [{from: 2012-04-01, value: 12}]

Each value holds from its ``from`` date until the day before the next newer ``from``; the newest holds
until further notice. Before the oldest ``from`` the parameter has no value, and asking for one is an
error (the rules were not in force), never a silent zero.

Values are ``int`` (yen are always integers: ``unit: yen`` refuses anything else), ``bool``, ``float``
(rates only) or ``str``. Vectorised lookups return ``int64`` for integers, so money never passes through
floating point.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

ParameterValue = int | bool | float | str

__all__ = [
    "Parameter",
    "ParameterError",
    "ParameterNotInForce",
    "ParameterSet",
    "ParameterValue",
    "load_parameters",
    "parse_parameters",
]


class ParameterError(ValueError):
    """A parameter file or override is malformed (the message names the file, parameter and entry)."""


class ParameterNotInForce(LookupError):
    """A parameter was asked for on a date before its first effective date."""


def _as_date(value: object, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ParameterError(f"{where}: 'from' must be a date (YYYY-MM-DD), not a date-time: {value!r}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ParameterError(f"{where}: 'from' must be a date written YYYY-MM-DD, got {value!r}")


@dataclass(frozen=True)
class Parameter:
    """One named parameter: its values by effective date (kept oldest first internally)."""

    name: str
    starts: tuple[dt.date, ...]
    values: tuple[ParameterValue, ...]
    description: str = ""
    unit: str = ""
    reference: str = ""
    _starts64: npt.NDArray[np.datetime64] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.starts:
            raise ParameterError(f"{self.name}: no values (at least one {{from, value}} entry is needed)")
        if len(self.starts) != len(self.values):
            raise ParameterError(f"{self.name}: {len(self.starts)} dates but {len(self.values)} values")
        for earlier, later in itertools.pairwise(self.starts):
            if later == earlier:
                raise ParameterError(f"{self.name}: two values from {later.isoformat()} (overlapping periods)")
            if later < earlier:
                raise ParameterError(f"{self.name}: dates out of order around {later.isoformat()}")
        kinds = {_kind(v) for v in self.values}
        if len(kinds) != 1:
            raise ParameterError(f"{self.name}: values mix types {sorted(kinds)}; use one type per parameter")
        if self.unit == "yen" and kinds != {"int"}:
            raise ParameterError(f"{self.name}: unit is yen, so every value must be an integer (no decimals)")
        object.__setattr__(self, "_starts64", np.array(self.starts, dtype="datetime64[D]"))

    @property
    def first_effective(self) -> dt.date:
        return self.starts[0]

    def value_at(self, on: dt.date) -> ParameterValue:
        """The value in force on ``on``."""
        if isinstance(on, dt.datetime):
            on = on.date()
        i = int(np.searchsorted(self._starts64, np.datetime64(on, "D"), side="right")) - 1
        if i < 0:
            raise ParameterNotInForce(
                f"{self.name}: no value on {on.isoformat()}; the first value is from {self.starts[0].isoformat()}"
            )
        return self.values[i]

    def values_at(self, dates: npt.ArrayLike) -> npt.NDArray[Any]:
        """The values in force on each of ``dates`` (anything numpy turns into ``datetime64[D]``).

        Integers come back as ``int64``, booleans as ``bool``, rates as ``float64``.
        """
        days = np.asarray(dates, dtype="datetime64[D]")
        if np.isnat(days).any():
            raise ParameterError(f"{self.name}: cannot look up a value for a missing date (NaT)")
        idx = np.searchsorted(self._starts64, days, side="right") - 1
        if days.size and int(idx.min()) < 0:
            too_early = days[idx < 0].min()
            raise ParameterNotInForce(
                f"{self.name}: no value on {too_early}; the first value is from {self.starts[0].isoformat()}"
            )
        table = np.array(self.values, dtype=_DTYPES[_kind(self.values[0])])
        return table[idx]

    def replaced(self, entries: Iterable[tuple[dt.date, ParameterValue]]) -> Parameter:
        """A copy whose values from each given date on are replaced (what a reform does).

        An entry's value holds from its date until the next existing or given date, so
        ``[(2025-04-01, 20000)]`` changes the value from April 2025 and keeps the history before it.
        """
        merged = dict(zip(self.starts, self.values, strict=True))
        for start, value in entries:
            merged[_as_date(start, f"override of {self.name}")] = value
        starts = tuple(sorted(merged))
        return Parameter(
            self.name,
            starts,
            tuple(merged[s] for s in starts),
            description=self.description,
            unit=self.unit,
            reference=self.reference,
        )


_DTYPES: dict[str, Any] = {"int": np.int64, "bool": np.bool_, "float": np.float64, "str": np.str_}


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    raise ParameterError(f"unsupported parameter value {value!r} (use an integer, boolean, rate or text)")


@dataclass(frozen=True)
class ParameterSet:
    """An immutable collection of parameters, looked up by name."""

    parameters: Mapping[str, Parameter]
    source: str = ""

    def __contains__(self, name: object) -> bool:
        return name in self.parameters

    def __iter__(self) -> Iterator[str]:
        return iter(self.parameters)

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            where = f" in {self.source}" if self.source else ""
            raise ParameterError(f"unknown parameter {name!r}{where}") from None

    def value_at(self, name: str, on: dt.date) -> ParameterValue:
        return self[name].value_at(on)

    def int_at(self, name: str, on: dt.date) -> int:
        value = self[name].value_at(on)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ParameterError(f"{name}: expected an integer, found {value!r}")
        return value

    def bool_at(self, name: str, on: dt.date) -> bool:
        value = self[name].value_at(on)
        if not isinstance(value, bool):
            raise ParameterError(f"{name}: expected true/false, found {value!r}")
        return value

    def values_at(self, name: str, dates: npt.ArrayLike) -> npt.NDArray[Any]:
        return self[name].values_at(dates)

    def require(self, names: Iterable[str]) -> ParameterSet:
        """Check that every name is defined; one error lists all the missing ones."""
        missing = sorted(set(names) - set(self.parameters))
        if missing:
            where = f" {self.source}" if self.source else ""
            raise ParameterError(f"parameter file{where} is missing: {', '.join(missing)}")
        return self

    def with_overrides(self, overrides: Mapping[str, Iterable[tuple[dt.date, ParameterValue]]]) -> ParameterSet:
        """A new set with some parameters' values replaced from given dates; this set is unchanged."""
        replaced = dict(self.parameters)
        for name, entries in overrides.items():
            replaced[name] = self[name].replaced(entries)
        return ParameterSet(replaced, source=f"{self.source} (overridden)" if self.source else "overridden")


def parse_parameters(document: object, source: str = "<string>") -> ParameterSet:
    """Validate a parsed YAML document (``{"parameters": {name: spec}}``) into a ParameterSet."""
    if not isinstance(document, Mapping) or not isinstance(document.get("parameters"), Mapping):
        raise ParameterError(f"{source}: expected a mapping with a 'parameters' mapping at the top")
    parsed: dict[str, Parameter] = {}
    for name, spec in document["parameters"].items():
        where = f"{source}: {name}"
        meta: Mapping[str, Any] = {}
        if isinstance(spec, Mapping):
            unknown = set(spec) - {"values", "description", "unit", "reference"}
            if unknown:
                raise ParameterError(f"{where}: unknown keys {sorted(unknown)}")
            meta, entries = spec, spec.get("values")
        else:
            entries = spec
        if not isinstance(entries, list) or not entries:
            raise ParameterError(f"{where}: 'values' must be a non-empty list of {{from, value}} entries")
        starts: list[dt.date] = []
        values: list[ParameterValue] = []
        for n, entry in enumerate(entries, start=1):
            at = f"{where}, entry {n}"
            if not isinstance(entry, Mapping):
                raise ParameterError(f"{at}: expected {{from: YYYY-MM-DD, value: ...}}, got {entry!r}")
            if "from" not in entry:
                raise ParameterError(f"{at}: missing 'from' (the date the value takes effect)")
            if "value" not in entry or entry["value"] is None:
                raise ParameterError(f"{at}: missing 'value'")
            unknown = set(entry) - {"from", "value", "reference"}
            if unknown:
                raise ParameterError(f"{at}: unknown keys {sorted(unknown)}")
            starts.append(_as_date(entry["from"], at))
            values.append(entry["value"])
        # Files list the newest value first; anything else is a typo that would silently shift periods.
        for newer, older in itertools.pairwise(starts):
            if newer == older:
                raise ParameterError(f"{where}: two values from {older.isoformat()} (overlapping periods)")
            if newer < older:
                raise ParameterError(
                    f"{where}: entries must be newest first; {older.isoformat()} is listed after {newer.isoformat()}"
                )
        try:
            parsed[str(name)] = Parameter(
                str(name),
                tuple(reversed(starts)),
                tuple(reversed(values)),
                description=str(meta.get("description", "")),
                unit=str(meta.get("unit", "")),
                reference=str(meta.get("reference", "")),
            )
        except ParameterError as exc:
            raise ParameterError(f"{source}: {exc}") from None
    return ParameterSet(parsed, source=source)


def load_parameters(path: str | Path, *, required: Iterable[str] = ()) -> ParameterSet:
    """Load and validate a parameter file; ``required`` names must all be present."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError(f"parameter file not found: {path}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML: {exc}") from None
    return parse_parameters(document, source=str(path)).require(required)
