"""A progress bar for long runs (``kiban seed --prefecture 13``), shown only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.progress import track

T = TypeVar("T")


def progress(iterable: Iterable[T], total: float | None, description: str) -> Iterator[T]:
    """Iterate over ``iterable`` with a rich progress bar on stderr; a plain pass-through when stderr is not a
    TTY (CI, logs, pipes), so output stays clean and nothing is slowed down."""
    if not sys.stderr.isatty():
        yield from iterable
        return
    yield from track(iterable, description=description, total=total, transient=False)
