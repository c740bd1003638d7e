"""Child allowance (児童手当) monthly amounts for N synthetic children: our numpy engine, a plain per-family
Python loop over the scalar function, and OpenFisca-Japan's ``児童手当`` variable, in the same run.

    .venv/bin/python bench/benefits/child_allowance.py                  # N = 100,000 and 1,000,000
    .venv/bin/python bench/benefits/child_allowance.py --sizes 100000 --loop-limit 200000
    OPENFISCA_PYTHON=/tmp/ofvenv/bin/python .venv/bin/python bench/benefits/child_allowance.py

OpenFisca-core and OpenFisca-Japan are not Kiban dependencies. If they are importable here they are used
in-process; otherwise they run in a subprocess of ``$OPENFISCA_PYTHON`` (a separate virtualenv, e.g.
``python3 -m venv /tmp/ofvenv && /tmp/ofvenv/bin/pip install 'openfisca-core[web-api]>=41,<42' openfisca-japan``);
without either, that column is reported as skipped. Households are generated deterministically (numpy,
fixed seed), so every run and both engines see the same children. See docs/benefits/engine-choice.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

MONTH = dt.date(2025, 1, 1)  # a month under the amended law (OpenFisca-Japan models only 2024-10 onwards)
SEED = 20241001


def generate(n_children: int, seed: int = SEED) -> dict[str, np.ndarray]:
    """Families with 1–4 children (about 1.7 per family), born 1998–2024, oldest first within a family."""
    rng = np.random.default_rng(seed)
    sizes = rng.choice([1, 2, 3, 4], p=[0.45, 0.40, 0.12, 0.03], size=n_children)  # over-generate, then cut
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n_children)) + 1]
    family = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)[:n_children]
    position = np.arange(n_children) - np.r_[0, np.cumsum(sizes)[:-1]][family]
    first_birth = np.datetime64("1998-01-01") + rng.integers(0, 26 * 365, sizes.size).astype("timedelta64[D]")
    gaps = rng.integers(365, 5 * 365, n_children)
    births = first_birth[family] + (gaps * position).astype("timedelta64[D]")
    births = np.minimum(births, np.datetime64("2024-12-31") - rng.integers(0, 400, n_children).astype("timedelta64[D]"))
    return {
        "family_id": family,
        "birth_date": births.astype("datetime64[D]"),
        "supported": rng.random(n_children) < 0.7,
        "income": rng.integers(2_000_000, 12_000_000, sizes.size)[family],
        "dependants": np.minimum(sizes, 6)[family] + (rng.random(sizes.size) < 0.6)[family],
    }


def run_numpy(data: dict[str, np.ndarray], month: dt.date) -> np.ndarray:
    from kiban.apps.child_allowance.rules import monthly_amounts

    return monthly_amounts(
        data["family_id"],
        data["birth_date"],
        month,
        supported=data["supported"],
        income=data["income"],
        dependants=data["dependants"],
    )


def run_loop(data: dict[str, np.ndarray], month: dt.date) -> np.ndarray:
    """The plain version: Python objects per child, the scalar function per family."""
    from kiban.apps.child_allowance.rules import Child, family_monthly_amounts

    families: dict[int, list[int]] = {}
    for row, fam in enumerate(data["family_id"].tolist()):
        families.setdefault(fam, []).append(row)
    births = data["birth_date"].astype(dt.date).tolist()
    supported = data["supported"].tolist()
    income = data["income"].tolist()
    dependants = data["dependants"].tolist()
    out = np.zeros(len(births), dtype=np.int64)
    for rows in families.values():
        children = [Child(births[r], supported[r]) for r in rows]
        amounts = family_monthly_amounts(children, month, income=income[rows[0]], dependants=dependants[rows[0]])
        out[rows] = amounts
    return out


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


# --- OpenFisca-Japan -------------------------------------------------------------------------------------


def openfisca_households(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One household per family: one parent (親) plus the children OpenFisca should see as 子.

    OpenFisca-Japan has no "supported" input: it counts every 子 aged 22 or under. So children past
    高校生年代 whom the parent does not support are left out of the household, as they would be in reality.
    """

    births = data["birth_date"]
    cohort = births.astype("datetime64[Y]").astype(np.int64) + 1970
    month = births.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (births - births.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    cohort -= (month < 4) | ((month == 4) & (day == 1))
    within_high_school = (MONTH.year * 12 + MONTH.month - 1) <= (cohort + 19) * 12 + 2
    keep = within_high_school | data["supported"]
    return {"family_id": data["family_id"][keep], "birth_date": births[keep], "kept": keep}


OPENFISCA_WORKER = r"""
import json, sys, time
import numpy as np
t0 = time.perf_counter()
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_japan import CountryTaxBenefitSystem
import openfisca_core, openfisca_japan
from importlib.metadata import version
tbs = CountryTaxBenefitSystem()
t_load = time.perf_counter() - t0
data = np.load(sys.argv[1])
family, births, day = data["family_id"], data["birth_date"], sys.argv[2]
households = np.unique(family)
t1 = time.perf_counter()
sb = SimulationBuilder(); sb.create_entities(tbs)
n_h, n_c = households.size, family.size
person_ids = np.concatenate([np.char.add("p", households.astype(str)), np.char.add("c", np.arange(n_c).astype(str))])
sb.declare_person_entity("人物", person_ids)
hh = sb.declare_entity("世帯", households.astype(str))
sb.join_with_persons(hh, np.concatenate([households, family]).astype(str),
                     np.array(["親"] * n_h + ["子"] * n_c))
sim = sb.build(tbs)
sim.set_input("誕生年月日", "ETERNITY", np.concatenate([np.full(n_h, np.datetime64("1975-06-15")), births]))
t_build = time.perf_counter() - t1
t2 = time.perf_counter()
result = sim.calculate("児童手当", day)
t_calc = time.perf_counter() - t2
np.save(sys.argv[3], np.column_stack([households, np.rint(result).astype(np.int64)]))
print(json.dumps({"load": t_load, "build": t_build, "calculate": t_calc, "dtype": str(result.dtype),
                  "core": version("openfisca-core"), "japan": version("openfisca-japan"),
                  "numpy": np.__version__}))
"""


def run_openfisca(households: dict[str, np.ndarray], day: dt.date) -> tuple[dict, np.ndarray] | None:
    try:
        import openfisca_japan  # noqa: F401

        python = sys.executable
    except ImportError:
        python = os.environ.get("OPENFISCA_PYTHON", "")
        if not python:
            return None
    with tempfile.TemporaryDirectory() as tmp:
        inputs, outputs, script = Path(tmp, "in.npz"), Path(tmp, "out.npy"), Path(tmp, "worker.py")
        np.savez(inputs, family_id=households["family_id"], birth_date=households["birth_date"])
        script.write_text(OPENFISCA_WORKER, encoding="utf-8")
        start = time.perf_counter()
        proc = subprocess.run(
            [python, str(script), str(inputs), day.isoformat(), str(outputs)],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            print(f"  OpenFisca-Japan failed:\n{proc.stderr[-2000:]}")
            return None
        timings = json.loads(proc.stdout.strip().splitlines()[-1])
        timings["wall"] = wall
        return timings, np.load(outputs)


def explain_differences(
    data: dict[str, np.ndarray], kept: np.ndarray, ours: np.ndarray, theirs: np.ndarray
) -> Counter[str]:
    """Label each household where OpenFisca-Japan differs with the rule that differs (first that applies)."""
    births = data["birth_date"]
    month_index = (MONTH.year - 1970) * 12 + MONTH.month - 1
    birth_month = births.astype("datetime64[M]").astype(np.int64)
    day = (births - births.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    year = births.astype("datetime64[Y]").astype(np.int64) + 1970
    calendar_month = birth_month % 12 + 1
    not_yet = (calendar_month > MONTH.month) | ((calendar_month == MONTH.month) & (day > MONTH.day))
    age = MONTH.year - year - not_yet  # OpenFisca-Japan's 年齢: years, counting the birthday itself
    labels: Counter[str] = Counter()
    diff = np.flatnonzero(ours != theirs[:, 1])
    fam_of = data["family_id"]
    rows_by_family: dict[int, list[int]] = {}
    wanted = set(theirs[diff, 0].tolist()) if diff.size else set()
    for row, fam in enumerate(fam_of.tolist()):
        if fam in wanted and kept[row]:
            rows_by_family.setdefault(fam, []).append(row)
    for fam in wanted:
        rows = np.array(rows_by_family[fam])
        if ((birth_month[rows] + 36 == month_index) & (day[rows] == 1)).any():
            labels["third birthday on the 1st of the month (OpenFisca: age on the day; law: under 3 all month)"] += 1
        elif (age[rows] == 22).any():
            labels["a 22-year-old past the school year of 22 (OpenFisca counts age <= 22)"] += 1
        elif np.unique(age[rows]).size < rows.size:
            labels["two children of the same age in years (OpenFisca ranks by age, the law by birth date)"] += 1
        elif (birth_month[rows] == month_index).any():
            labels["child born in the month (law: paid from the next month)"] += 1
        else:
            labels["other"] += 1
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs for the fast engines")
    parser.add_argument("--loop-limit", type=int, default=0, help="run the Python loop on at most this many children")
    args = parser.parse_args()

    import platform

    print(
        f"# child allowance, month {MONTH:%Y-%m}; Python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    for n in args.sizes:
        data = generate(n)
        families = int(np.unique(data["family_id"]).size)
        print(f"\n## N = {n:,} children in {families:,} families")
        run_numpy(data, MONTH)  # warm up (parameter file, imports)
        t_np, ours = best_of(lambda data=data: run_numpy(data, MONTH), args.repeat)
        assert isinstance(ours, np.ndarray)
        print(f"  numpy engine           {t_np:8.3f} s   ({n / t_np:,.0f} children/s)  total {int(ours.sum()):,} yen")

        loop_data = data
        if args.loop_limit and n > args.loop_limit:
            cut = int(np.searchsorted(data["family_id"], data["family_id"][args.loop_limit]))
            loop_data = {k: v[:cut] for k, v in data.items()}
        t_loop, loop = best_of(lambda d=loop_data: run_loop(d, MONTH), 1)
        assert isinstance(loop, np.ndarray)
        scale = n / loop.size
        agree = bool((loop == ours[: loop.size]).all())
        note = f" (on {loop.size:,} children, scaled x{scale:.1f})" if scale > 1 else ""
        print(
            f"  Python loop (scalar)   {t_loop * scale:8.3f} s{note}   numpy is {t_loop * scale / t_np:,.0f}x faster;"
            f" same amounts: {agree}"
        )

        households = openfisca_households(data)
        of = run_openfisca(households, MONTH)
        if of is None:
            print("  OpenFisca-Japan        skipped (not importable here and OPENFISCA_PYTHON not set)")
            continue
        timings, theirs = of
        print(
            f"  OpenFisca-Japan        {timings['calculate']:8.3f} s calculate + {timings['build']:.3f} s building the "
            f"simulation ({timings['load']:.2f} s loading the system; {timings['wall']:.2f} s wall)"
            f"  [core {timings['core']}, japan {timings['japan']}, numpy {timings['numpy']}, result {timings['dtype']}]"
        )
        of_total = timings["calculate"] + timings["build"]
        print(
            f"    numpy engine vs OpenFisca: {of_total / t_np:,.1f}x faster (build + calculate), "
            f"{timings['calculate'] / t_np:,.1f}x (calculate only)"
        )
        # Household totals from our engine, on the same households.
        kept = households["kept"]
        fam_ids = theirs[:, 0]
        ours_by_family = np.zeros(int(data["family_id"].max()) + 1, dtype=np.int64)
        np.add.at(ours_by_family, data["family_id"][kept], ours[kept])
        ours_h = ours_by_family[fam_ids]
        agree_h = int(np.count_nonzero(ours_h == theirs[:, 1]))
        print(
            f"    agreement: {agree_h:,} of {fam_ids.size:,} households ({agree_h / fam_ids.size:.3%}); "
            f"totals Kiban {int(ours_h.sum()):,} yen, OpenFisca {int(theirs[:, 1].sum()):,} yen"
        )
        for label, count in explain_differences(data, kept, ours_h, theirs).most_common():
            print(f"      {count:7,} households: {label}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    main()
