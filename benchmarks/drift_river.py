"""River's concept-drift streams checked batch by batch: detection delay in checks, per mode.

Used by ``drift_calibration.py`` (``--river-reps``). river is the optional extra ``bench``
(``uv pip install -e '.[bench]'``), never a dependency of retrigger.

Each stream is river's ``ConceptDriftStream``: the first generator, then the second, switched
over a sigmoid of ``width`` = batch / 10 rows centred ``width`` rows into check ``DRIFT_CHECK``
(1.8 % of its rows are drawn from the second generator at the check's first row, 98 % at its
``2 width``-th), seeded per repetition. The first ``batch`` rows are the
reference; each later ``batch`` rows are one check, compared with the reference by the code a
check runs (``signals.drift_calibrated.compare_in_mode`` on Parquet files: Evidently's tests
in compatible mode, effect sizes with tolerance 0.1 and BH in calibrated mode). The delay is
the number of checks after check ``DRIFT_CHECK`` until the first check that calls the label
drifted (0: found in the first drifted check).

Both generator pairs change P(y | x), not P(x): the features keep their distribution and the
label's share moves (``Δ share`` in the table, measured on the stream). So a correct drift
check flags the label (a label or prediction column) and never a feature; the table gives the
share of feature columns flagged over all checks (false alarms) beside the delay.
"""

from __future__ import annotations

import itertools
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CHECKS = 12  # checks after the reference batch
DRIFT_CHECK = 6  # the drift starts at this check's first row (checks numbered from 0)
LABEL = "y"


@dataclass(frozen=True)
class Stream:
    name: str
    generator: str  # "agrawal" or "sea"
    before: int  # classification function (Agrawal) or variant (SEA) before the drift
    after: int


STREAMS = [
    Stream("Agrawal f0 -> f2", "agrawal", 0, 2),
    Stream("Agrawal f0 -> f4", "agrawal", 0, 4),
    Stream("SEA v0 -> v3", "sea", 0, 3),
    Stream("SEA v0 -> v1", "sea", 0, 1),
]


def install_hint() -> str:
    return "river: not installed; .venv/bin/uv pip install -e '.[bench]' (river is for benchmarks)"


def generate(stream: Stream, seed: int, batch: int) -> pa.Table:
    """The reference batch and ``CHECKS`` checks of ``stream``, as one table."""
    from river.datasets import synth

    def make(which: int, offset: int) -> object:
        if stream.generator == "agrawal":
            return synth.Agrawal(classification_function=which, seed=seed + offset)
        return synth.SEA(variant=which, seed=seed + offset)

    drifting = synth.ConceptDriftStream(
        make(stream.before, 0),
        make(stream.after, 1),
        seed=seed,
        position=(1 + DRIFT_CHECK) * batch + batch // 10,
        width=batch // 10,
    )
    rows = list(itertools.islice(drifting, (1 + CHECKS) * batch))
    names = list(rows[0][0])  # SEA names its features 0, 1, 2
    columns = {
        f"x{n}" if isinstance(n, int) else n: np.asarray([x[n] for x, _ in rows]) for n in names
    }
    columns[LABEL] = np.asarray([int(y) for _, y in rows], dtype=np.int64)
    return pa.table(columns)


@dataclass
class Tally:
    delays: list[int | None]  # per repetition: checks until the label was flagged, None: never
    early: int = 0  # label flagged before the drift (checks)
    early_checks: int = 0
    features_flagged: int = 0
    feature_checks: int = 0

    def row(self) -> str:
        found = [d for d in self.delays if d is not None]
        delay = f"{np.mean(found):.1f}" if found else "-"
        early = self.early / max(self.early_checks, 1)
        features = self.features_flagged / max(self.feature_checks, 1)
        return f"{len(found):>3}/{len(self.delays):<3} {delay:>6} {early:>8.2f} {features:>9.3f}"


MODES = ("compatible", "calibrated")
PERSIST = " + 2/3"  # the same verdicts, each column's held in 2 of its last 3 checks


def run(stream: Stream, batch: int, reps: int) -> tuple[dict[str, Tally], float]:
    """Per mode (alone and with persist 2/3) the tally over ``reps`` seeded streams, and the
    label's mean share change."""
    from retrigger.config.models import DriftSignalConfig

    tallies = {m + p: Tally([]) for m in MODES for p in ("", PERSIST)}
    changes = []
    for rep in range(reps):
        table = generate(stream, 1000 * rep + 7, batch)
        y = table.column(LABEL).to_numpy()
        before, after = y[batch : (1 + DRIFT_CHECK) * batch], y[(1 + DRIFT_CHECK) * batch :]
        changes.append(after.mean() - before.mean())
        for mode in MODES:
            checks = _verdicts(table, batch, DriftSignalConfig(mode=mode))
            _tally(tallies[mode], checks)
            _tally(tallies[mode + PERSIST], _persisted(checks))
    return tallies, float(np.mean(changes))


def _persisted(checks: list[dict[str, bool]]) -> list[dict[str, bool]]:
    return [
        {n: sum(c[n] for c in checks[max(0, k - 2) : k + 1]) >= 2 for n in verdict}
        for k, verdict in enumerate(checks)
    ]


def _verdicts(table: pa.Table, batch: int, settings: object) -> list[dict[str, bool]]:
    """Per check, each column's verdict against the reference batch."""
    from retrigger.drift.io import open_table
    from retrigger.signals.drift import options_for
    from retrigger.signals.drift_calibrated import compare_in_mode

    out = []
    options = options_for(settings, plots=False)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory("-river") as tmp:
        ref_file = Path(tmp) / "ref.parquet"
        pq.write_table(table.slice(0, batch), ref_file)
        for check in range(CHECKS):
            cur_file = Path(tmp) / f"check-{check}.parquet"
            pq.write_table(table.slice((1 + check) * batch, batch), cur_file)
            with open_table(ref_file) as ref, open_table(cur_file) as cur:
                report = compare_in_mode(ref, cur, settings, options)  # type: ignore[arg-type]
            out.append({n: c.drift for n, c in report.columns.items()})
    return out


def _tally(tally: Tally, checks: list[dict[str, bool]]) -> None:
    delay = None
    for number, verdict in enumerate(checks):
        features = [v for n, v in verdict.items() if n != LABEL]
        tally.features_flagged += sum(features)
        tally.feature_checks += len(features)
        if number < DRIFT_CHECK:
            tally.early += verdict[LABEL]
            tally.early_checks += 1
        elif delay is None and verdict[LABEL]:
            delay = number - DRIFT_CHECK
    tally.delays.append(delay)


def main(batches: list[int], reps: int) -> None:
    try:
        import river  # noqa: F401
    except ImportError:
        print(install_hint())
        return
    print(
        f"\nRIVER: ConceptDriftStream; reference = the first batch, then {CHECKS} checks of one "
        f"batch each, the drift in check {DRIFT_CHECK}; delay in checks after it (0: found "
        "there); label flagged before the drift, and features flagged in any check (P(x) never "
        "changes): false alarms"
    )
    print(
        f"{'stream':<17} {'batch':>6} {'Δ share':>7} {'mode':<17} {'found':>7} {'delay':>6} "
        f"{'label<drift':>8} {'features':>9}"
    )
    for stream in STREAMS:
        for batch in batches:
            started = time.monotonic()
            tallies, change = run(stream, batch, reps)
            for mode, tally in tallies.items():
                print(f"{stream.name:<17} {batch:>6} {change:>+7.2f} {mode:<17} {tally.row()}")
            print(f"{'':>17} ({time.monotonic() - started:.0f}s)", flush=True)
