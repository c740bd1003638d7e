"""Cross-check with OpenFisca-Japan (the simulator behind a public estimate service), on the same law date.

OpenFisca-Japan models 児童手当 from 2024-10-01 only, so the households are taken in January 2025, under the
amended law both sides model. Every household where the two disagree must be one of the differences explained in
docs/benefits/engine-choice.md (OpenFisca counts ages in years where the law counts school years and months);
anything else fails the test. OpenFisca is not a Kiban dependency: it runs in its own virtualenv named by
``OPENFISCA_PYTHON`` (.ci/run makes one); without it the test is skipped with that reason.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "benefits" / "child_allowance.py"
pytestmark = [
    pytest.mark.skipif(not os.environ.get("OPENFISCA_PYTHON"), reason="set OPENFISCA_PYTHON to a Python with "
                       "openfisca-core and openfisca-japan (see bench/benefits/child_allowance.py)"),
]  # fmt: skip


def _bench():
    spec = importlib.util.spec_from_file_location("bench_child_allowance", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_kiban_and_openfisca_japan_agree_except_for_the_documented_differences() -> None:
    bench = _bench()
    data = bench.generate(20_000)
    ours = bench.run_numpy(data, bench.MONTH)
    households = bench.openfisca_households(data)
    result = bench.run_openfisca(households, bench.MONTH)
    assert result is not None, "OpenFisca-Japan did not run"
    _timings, theirs = result
    kept = households["kept"]
    by_family = np.zeros(int(data["family_id"].max()) + 1, dtype=np.int64)
    np.add.at(by_family, data["family_id"][kept], ours[kept])
    ours_h = by_family[theirs[:, 0]]
    agree = int(np.count_nonzero(ours_h == theirs[:, 1]))
    assert agree / theirs.shape[0] > 0.99
    labels = bench.explain_differences(data, kept, ours_h, theirs)
    assert labels.get("other", 0) == 0, labels
