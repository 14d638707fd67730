"""False alarms and power of drift verdicts, compatible mode beside calibrated mode, by row count.

    .venv/bin/python benchmarks/drift_calibration.py                  # the default run
    .venv/bin/python benchmarks/drift_calibration.py --reps 200 --power-reps 100 --sizes 1000,10000
    .venv/bin/python benchmarks/drift_calibration.py --skip null,power --river-reps 10

Data: 20 columns of one stationary, seeded source: 10 normal, 5 six-valued categorical (uniform),
5 binary (50/50). **Null**: reference and current are two independent samples of n rows each;
printed per n, for each mode: the per-column false-alarm rate (a column called drifted), the
per-check rate of at least one false column, the dataset verdict's rate (share of drifted
columns >= 0.5, the default), and the expected false alarms in a year of weekly checks: 52 x
the check rate alone, and with ``persist: 2/3`` (52 x P(at least 2 of 3 checks), checks taken as
independent). **Power**: one column shifted by a known amount, the other 19 unchanged, the
detection rate of that column: mean +0.05/0.1/0.2/0.3 sigma, sigma x 1.1/1.25 (column x0), a
binary share +2/5/10 points (b0), 5 % more missing values (x1). "E" is the calibrated effect
size the shift amounts to; with tolerance 0.1, a shift below it is missed by design.

Compatible mode runs retrigger's own tests with Evidently's defaults (KS / chi-squared / z at
p < 0.05 up to 1,000 rows, normalised Wasserstein / Jensen–Shannon >= 0.1 above), on the
in-memory samples. Calibrated mode builds profiles (1,000 reference-quantile bins per numerical
column, every category) and judges with the defaults (tolerance 0.1, BH q = 0.05, 500
bootstrap replicates). **Evidently** itself (0.7, ``DataDriftPreset`` with its defaults) is run
beside on the same samples when its throwaway venv exists (``--evidently-venv``, default
/tmp/evidently-venv; the line printed when it is absent says how to make it): a subprocess
(``evidently_worker.py``) reads the samples saved as .npz; it is never a dependency of
retrigger. In the power table Evidently is given the shifted column alone (its per-column
verdict does not depend on the other columns). **River**: ``drift_river.py`` (its docstring),
river's ``ConceptDriftStream`` with known drift positions, from the optional extra ``bench``.

Repetitions shrink with n (see ``--reps``); every number is a rate over them, and the binomial
noise of a rate of r over k repetitions is about sqrt(r(1-r)/k). Rates do not depend on the
machine's load; the seconds printed do.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from retrigger.drift.calibrated_judge import CalibratedOptions, compare_profiles
from retrigger.drift.profiles import ColumnLayout, ColumnProfile, DatasetProfile, Layout
from retrigger.drift.samples import Sample
from retrigger.drift.stattests import CHOICE_UNIQUE_LIMIT, default_test

NUM, CAT, BIN = 10, 5, 5
NAMES = (
    [f"x{i}" for i in range(NUM)] + [f"c{i}" for i in range(CAT)] + [f"b{i}" for i in range(BIN)]
)


@dataclass(frozen=True)
class Shift:
    label: str
    column: str
    mean: float = 0.0
    scale: float = 1.0
    share: float = 0.0  # binary: points added to the share of "1"
    missing: float = 0.0

    @property
    def effect(self) -> str:
        if self.column == "b0":
            return f"{self.share:.2f}"
        if self.missing:
            return "0 (missing values are set aside)"
        location = abs(self.mean)  # W1 / sigma of a normal's mean shift
        spread = abs(np.log(self.scale))
        return f"{max(location, spread):.2f}"


SHIFTS = [
    Shift("mean +0.05 sigma", "x0", mean=0.05),
    Shift("mean +0.1 sigma", "x0", mean=0.1),
    Shift("mean +0.2 sigma", "x0", mean=0.2),
    Shift("mean +0.3 sigma", "x0", mean=0.3),
    Shift("sigma x 1.1", "x0", scale=1.1),
    Shift("sigma x 1.25", "x0", scale=1.25),
    Shift("binary share +2 pts", "b0", share=0.02),
    Shift("binary share +5 pts", "b0", share=0.05),
    Shift("binary share +10 pts", "b0", share=0.10),
    Shift("missing +5 %", "x1", missing=0.05),
]


def sample(rng: np.random.Generator, n: int, shift: Shift | None = None) -> dict[str, np.ndarray]:
    data: dict[str, np.ndarray] = {}
    for name in NAMES:
        s = shift if shift is not None and shift.column == name else None
        if name.startswith("x"):
            x = rng.normal(s.mean if s else 0.0, s.scale if s else 1.0, n)
            if s and s.missing:
                x[rng.random(n) < s.missing] = np.nan
            data[name] = x
        elif name.startswith("c"):
            data[name] = rng.integers(0, 6, n)
        else:
            data[name] = (rng.random(n) < 0.5 + (s.share if s else 0.0)).astype(np.int64)
    return data


def compatible(ref: dict[str, np.ndarray], cur: dict[str, np.ndarray]) -> dict[str, bool]:
    """retrigger's compatible verdict per column (Evidently's default test and threshold)."""
    out = {}
    for name in NAMES:
        if name.startswith("x"):
            r, c = (
                np.sort(ref[name][np.isfinite(ref[name])]),
                np.sort(cur[name][np.isfinite(cur[name])]),
            )
            s = Sample("num", ref=r, cur=c)
            kind = "num"
        else:
            k = 6 if name.startswith("c") else 2
            rc = np.bincount(ref[name], minlength=k)
            cc = np.bincount(cur[name], minlength=k)
            s = Sample("cat", keys=pa.array(range(k)), ref_counts=rc, cur_counts=cc)
            kind = "cat"
        test = default_test(kind, s.n_ref, s.n_unique(CHOICE_UNIQUE_LIMIT))
        out[name] = test.drifted(test.score(s), test.default_threshold)
    return out


def _profile_pair(
    ref: dict[str, np.ndarray], cur: dict[str, np.ndarray]
) -> tuple[DatasetProfile, DatasetProfile]:
    layouts, sides = [], ([], [])
    for name in NAMES:
        if name.startswith("x"):
            finite = ref[name][np.isfinite(ref[name])]
            edges = np.unique(np.quantile(finite, np.linspace(0, 1, 1001)))
            layout = ColumnLayout(name, "num", "DOUBLE", edges=tuple(map(float, edges)))
            for side, data in zip(sides, (ref, cur), strict=True):
                x = data[name]
                f = x[np.isfinite(x)]
                counts = np.bincount(np.searchsorted(edges, f), minlength=layout.n_buckets)
                side.append(
                    ColumnProfile(
                        name,
                        x.size,
                        x.size - f.size,
                        tuple(map(int, counts)),
                        float(f.min()),
                        float(f.max()),
                    )
                )
        else:
            k = 6 if name.startswith("c") else 2
            layout = ColumnLayout(name, "cat", "BIGINT", keys=tuple(str(i) for i in range(k)))
            for side, data in zip(sides, (ref, cur), strict=True):
                counts = np.bincount(data[name], minlength=k)
                side.append(ColumnProfile(name, data[name].size, 0, (*map(int, counts), 0)))
        layouts.append(layout)
    lay = Layout(tuple(layouts))
    n_ref, n_cur = ref[NAMES[0]].size, cur[NAMES[0]].size
    return (
        DatasetProfile(lay, n_ref, 0, 1, tuple(sides[0])),
        DatasetProfile(lay, n_cur, 0, 1, tuple(sides[1])),
    )


def calibrated(ref: dict[str, np.ndarray], cur: dict[str, np.ndarray]) -> dict[str, bool]:
    report = compare_profiles(*_profile_pair(ref, cur), CalibratedOptions())
    return {name: report.columns[name].drift for name in NAMES}


MODES = {"compatible": compatible, "calibrated": calibrated}


def null_row(
    n: int, reps: int, rng: np.random.Generator, evidently: Path | None
) -> dict[str, tuple[float, float, float]]:
    verdicts: dict[str, list[dict[str, bool]]] = {m: [] for m in MODES}
    with tempfile.TemporaryDirectory("-evidently") as tmp:
        for rep in range(reps):
            ref, cur = sample(rng, n), sample(rng, n)
            for mode, judge in MODES.items():
                verdicts[mode].append(judge(ref, cur))
            if evidently is not None:
                _save(Path(tmp), f"{rep:05d}", ref, cur)
        if evidently is not None:
            found = run_evidently(evidently, Path(tmp))
            verdicts["evidently"] = [found[f"{rep:05d}"] for rep in range(reps)]
    out = {}
    for mode, checks in verdicts.items():
        drifted = [sum(v.values()) for v in checks]
        out[mode] = (
            sum(drifted) / (reps * len(NAMES)),
            sum(d > 0 for d in drifted) / reps,
            sum(d / len(NAMES) >= 0.5 for d in drifted) / reps,
        )
    return out


def _save(
    folder: Path, key: object, ref: dict[str, np.ndarray], cur: dict[str, np.ndarray]
) -> None:
    np.savez(folder / f"{key}-ref.npz", **ref)
    np.savez(folder / f"{key}-cur.npz", **cur)


def run_evidently(python: Path, folder: Path) -> dict[str, dict[str, bool]]:
    """Evidently's verdicts on the pairs saved in ``folder``, in its own venv's process (one
    process for many pairs: its imports cost seconds)."""
    worker = Path(__file__).with_name("evidently_worker.py")
    done = subprocess.run(
        [str(python), str(worker), str(folder)], capture_output=True, text=True, check=True
    )
    found: dict[str, dict[str, bool]] = json.loads(done.stdout)
    return found


def evidently_python(venv: Path) -> Path | None:
    python = venv / "bin" / "python"
    if python.exists():
        return python
    print(
        f"evidently: no venv at {venv}, not run (never a dependency of retrigger); to run it: "
        f"python3.11 -m venv {venv} && {venv}/bin/pip install 'evidently>=0.7,<0.8' 'pandas<3'"
    )
    return None


def per_year(rate: float) -> tuple[float, float]:
    """Expected false alarms in 52 weekly checks: alone, and with persist 2/3."""
    two_of_three = 3 * rate**2 * (1 - rate) + rate**3
    return 52 * rate, 52 * two_of_three


def power_row(
    n: int, shift: Shift, reps: int, rng: np.random.Generator, evidently: Path | None
) -> dict[str, float]:
    """The shifted column's detection rate per mode. With ``evidently`` (a folder) each pair
    is saved there for Evidently, with the shifted column alone (its per-column verdict does
    not depend on the others: no correction across columns)."""
    found = {m: 0 for m in MODES}
    for rep in range(reps):
        ref, cur = sample(rng, n), sample(rng, n, shift)
        for mode, judge in MODES.items():
            found[mode] += judge(ref, cur)[shift.column]
        if evidently is not None:
            one = shift.column
            _save(
                evidently,
                f"{SHIFTS.index(shift):02d}-{n}-{rep:05d}",
                {one: ref[one]},
                {one: cur[one]},
            )
    return {m: k / reps for m, k in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--reps", default="100,50,20,5", help="null repetitions per size")
    parser.add_argument("--power-reps", default="20,15,6,2", help="power repetitions per size")
    parser.add_argument("--evidently-venv", type=Path, default=Path("/tmp/evidently-venv"))
    parser.add_argument("--river-reps", type=int, default=3, help="0: no river streams")
    parser.add_argument("--river-batches", default="1000,10000", help="rows per check")
    parser.add_argument("--skip", default="", help="parts to leave out: null,power,river")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    reps = [int(r) for r in args.reps.split(",")]
    power_reps = [int(r) for r in args.power_reps.split(",")]
    skip = set(args.skip.split(","))
    evidently = evidently_python(args.evidently_venv)
    rng = np.random.default_rng(20261206)
    if "null" not in skip:
        print_null(sizes, reps, rng, evidently)
    if "power" not in skip:
        print_power(sizes, power_reps, rng, evidently)
    if "river" not in skip and args.river_reps > 0:
        import drift_river

        drift_river.main([int(b) for b in args.river_batches.split(",")], args.river_reps)


def print_null(
    sizes: list[int], reps: list[int], rng: np.random.Generator, evidently: Path | None
) -> None:
    print("\nNULL: false-alarm rates (20 columns, no change)")
    print(
        f"{'n':>9} {'reps':>5} {'mode':<11} {'per column':>10} {'any column':>10} "
        f"{'dataset':>8} {'/yr':>6} {'/yr 2of3':>8}"
    )
    for n, k in zip(sizes, reps, strict=False):
        started = time.monotonic()
        for mode, (col, anyc, ds) in null_row(n, k, rng, evidently).items():
            alone, persisted = per_year(anyc)
            print(
                f"{n:>9} {k:>5} {mode:<11} {col:>10.3f} {anyc:>10.3f} {ds:>8.3f} "
                f"{alone:>6.1f} {persisted:>8.2f}"
            )
        print(f"{'':>9} ({time.monotonic() - started:.0f}s)")


def print_power(
    sizes: list[int], power_reps: list[int], rng: np.random.Generator, evidently: Path | None
) -> None:
    rows = []
    with tempfile.TemporaryDirectory("-evidently") as tmp:
        folder = Path(tmp) if evidently is not None else None
        for shift in SHIFTS:
            for n, k in zip(sizes, power_reps, strict=False):
                if k > 0:
                    rows.append((shift, n, k, power_row(n, shift, k, rng, folder)))
                    print(f"  power: {shift.label} at n={n} done", file=sys.stderr, flush=True)
        theirs = run_evidently(evidently, Path(tmp)) if evidently is not None else {}
    print("\nPOWER: detection rate of the one shifted column (tolerance 0.1)")
    print(
        f"{'shift':<22} {'E':>5} {'n':>9} {'reps':>5} {'evidently':>10} {'compatible':>10} "
        f"{'calibrated':>10}"
    )
    for shift, n, k, row in rows:
        key = f"{SHIFTS.index(shift):02d}-{n}-"
        found = [v[shift.column] for name, v in theirs.items() if name.startswith(key)]
        evident = f"{sum(found) / len(found):.2f}" if found else "-"
        print(
            f"{shift.label:<22} {shift.effect.split(' ')[0]:>5} {n:>9} {k:>5} {evident:>10} "
            f"{row['compatible']:>10.2f} {row['calibrated']:>10.2f}"
        )


if __name__ == "__main__":
    main()
