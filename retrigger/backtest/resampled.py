"""The configured drift verdict on random splits of one data version (``false_alarms``).

The splits are written as Parquet files and read back through ``drift.io.Table``, so each
resample is judged by the very code a check runs (``signals.drift_calibrated.compare_in_mode``:
compatible or calibrated, with Benjamini–Hochberg across every path's columns in calibrated mode).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.backtest.false_alarms import RESAMPLES, SPLIT_SEED, Cadence, FalseAlarms
from retrigger.errors import BadInput

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from retrigger.config.models import DriftSignalConfig
    from retrigger.drift.io import Table

SEQUENTIAL_NOTE = (
    "sequential: true is not in this rate; its e-process keeps P(any false alarm over the "
    "whole history) at most sequential_alpha by construction"
)
PERSIST_NOTE = "persist is applied as if checks were independent"


@dataclass(frozen=True)
class Resampled:
    fired: int
    resamples: int
    reference_rows: int
    current_rows: int


def measure(
    root: Path,
    settings: DriftSignalConfig,
    trained: Mapping[str, str],
    version: str,
    current_share: float | None,
    every: Cadence,
) -> FalseAlarms | str:
    """Resample the trained version (path → md5) against itself; a reason when it cannot."""
    from contextlib import ExitStack

    from retrigger.drift.sources import open_version

    if not trained:
        return "no trained data version is known"
    try:
        with ExitStack() as stack:
            tables = {
                p: stack.enter_context(open_version(root, p, md5, f"{p}@{md5[:8]}"))
                for p, md5 in sorted(trained.items())
            }
            found = fired_on_resamples(tables, settings, current_share)
    except BadInput as exc:
        return str(exc)
    notes = [SEQUENTIAL_NOTE] if settings.sequential else []
    notes += [PERSIST_NOTE] if settings.persist_k_m else []
    return FalseAlarms(
        settings.mode,
        version,
        found.resamples,
        found.fired,
        found.reference_rows,
        found.current_rows,
        settings.persist_k_m,
        every,
        "; ".join(notes),
    )


def fired_on_resamples(
    tables: Mapping[str, Table],
    settings: DriftSignalConfig,
    current_share: float | None,
    resamples: int = RESAMPLES,
    seed: int = SPLIT_SEED,
) -> Resampled:
    """How many of ``resamples`` random splits the verdict called drifted. The current side
    holds ``current_share`` of the rows (at most half; half when not known)."""
    import tempfile

    import numpy as np
    import pyarrow as pa

    rows = {path: pa.table({n: t.column(n) for n in t.names}) for path, t in tables.items()}
    rng = np.random.default_rng(seed)
    fired, sizes = 0, (0, 0)
    with tempfile.TemporaryDirectory("-false-alarms") as tmp:
        for number in range(resamples):
            sides = [
                (path, *_split(data, current_share, rng, Path(tmp) / f"{number}-{i}"))
                for i, (path, data) in enumerate(rows.items())
            ]
            try:
                drifted, sizes = _verdict(sides, settings)
            finally:
                for _, ref, cur in sides:
                    ref.close()
                    cur.close()
            fired += drifted
    return Resampled(fired, resamples, *sizes)


def _split(
    data: pa.Table, share: float | None, rng: np.random.Generator, stem: Path
) -> tuple[Table, Table]:
    import pyarrow.parquet as pq

    from retrigger.drift.io import Table

    n = data.num_rows
    if n < 4:
        raise BadInput(f"the trained data has {n} rows: too few to split into two samples")
    current = n // 2 if share is None else max(2, min(n // 2, round(n * share)))
    order = rng.permutation(n)
    stem.parent.mkdir(parents=True, exist_ok=True)
    files = []
    for side, rows in (("ref", order[current:]), ("cur", order[:current])):
        file = stem.with_name(f"{stem.name}-{side}.parquet")
        pq.write_table(data.take(rows), file)
        files.append(Table([(file, file.name)], f"{stem.name}-{side}"))
    return files[0], files[1]


def _verdict(
    sides: list[tuple[str, Table, Table]], settings: DriftSignalConfig
) -> tuple[bool, tuple[int, int]]:
    """The dataset verdict over every path, as ``signals.drift`` reaches it (before persist)."""
    from retrigger.drift.result import DriftReport
    from retrigger.signals.drift import options_for
    from retrigger.signals.drift_calibrated import compare_in_mode, judge_together

    merged = DriftReport(0, 0, settings.share)
    several = len(sides) > 1
    for path, ref, cur in sides:
        options = options_for(settings, plots=False)
        if options.columns is not None and several:
            known = set(ref.names) | set(cur.names)
            options = replace(options, columns=[c for c in options.columns if c in known])
            if not options.columns:
                continue
        report = compare_in_mode(ref, cur, settings, options)
        prefix = f"{path}:" if several else ""
        merged.reference_rows += report.reference_rows
        merged.current_rows += report.current_rows
        merged.columns.update({prefix + n: c for n, c in report.columns.items()})
    judge_together(merged, settings)
    return merged.drift, (merged.reference_rows, merged.current_rows)
