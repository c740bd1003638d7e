"""The importer's derived search keys of the residents (kiban.migration.exchange.importer: the residents thread,
``_encrypting``): each record read only as far as the name columns (``importer._Row``) against the baseline of
parsing every record whole with Python's ``csv``, as the importer did before, both through the importer's own cache
(``_Remembered``), alternating, in one process; CPU time.

    .venv/bin/python bench/migration/derived_keys.py DIR [--rounds 3]

DIR: an exchange directory (e.g. written by ``bench/migration/run.py`` or ``kiban seed --keep``).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiban.settings")
    import django

    django.setup()
    from kiban.migration.exchange.files import records
    from kiban.migration.exchange.importer import _body, _Remembered, _Row
    from kiban.migration.exchange.tables import exchanged_tables

    table = next(t for t in exchanged_tables() if t.name == "residents")
    lines = list(_body(records(iter([(args.directory / table.file).read_bytes()]))))
    header, index = table.header, {name: i for i, name in enumerate(table.header)}

    def whole() -> None:  # the baseline: every record parsed whole
        derived = [_Remembered(fn) for fn in table.derived.values()]
        for record in lines:
            row = dict(zip(header, next(csv.reader([record.decode()])), strict=True))
            for fn in derived:
                fn(row)

    def partial() -> None:  # the importer now
        derived = [_Remembered(fn) for fn in table.derived.values()]
        for record in lines:
            row = _Row(record[:-1], header, index)
            for fn in derived:
                fn(row)

    times: dict[str, list[float]] = {"whole": [], "partial": []}
    for _ in range(args.rounds):
        for name, run in (("whole", whole), ("partial", partial)):
            started = time.process_time()
            run()
            times[name].append(time.process_time() - started)
    base, now = statistics.median(times["whole"]), statistics.median(times["partial"])
    print(f"{len(lines):,} residents; CPU s per round — whole record (baseline): {times['whole']}, "
          f"as far as needed: {times['partial']}")  # fmt: skip
    print(f"median {now:.2f} s against {base:.2f} s: {now / base:.2f} of the baseline")


if __name__ == "__main__":
    main()
