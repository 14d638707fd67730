"""A drift report from two profiles: the engine's ``compare`` for data read as profiles.

The tests are chosen as ``engine.compare`` chooses them (the user's per column or per type,
else Evidently's default from the reference's present rows and the distinct values), scored by
``profile_scores``, and judged by the same ``_judge``. Distinct values are the buckets holding
a value on either side: exact for categories, and for numbers a lower bound that is above 5
whenever the column has more than 5 quantile edges, which is what the default choice asks.

Tests that need the rows (Anderson–Darling, energy distance, …) are refused with the way out:
``signals.drift.exact: true`` (or ``--engine memory``) keeps the exact path.

``compare_calibrated`` is ``mode: calibrated`` on the same profiles: the effect sizes, their
bootstrap bounds from the bucket counts and Benjamini–Hochberg of ``calibrated_judge``, the very
code the in-memory path runs on its own profiles, so the verdict costs the same at any row count.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from retrigger.drift import profile_scores as ps
from retrigger.drift.calibrated_judge import compare_profiles as calibrated_profiles
from retrigger.drift.columns import INT_CARDINALITY_LIMIT
from retrigger.drift.engine import TYPE_KEY, DriftOptions, judge
from retrigger.drift.profiles import DatasetProfile, Layout
from retrigger.drift.result import ColumnResult, DriftReport, Skipped
from retrigger.drift.stattests import CHOICE_UNIQUE_LIMIT, StatTest, default_test, get_test
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from retrigger.drift.calibrated_judge import CalibratedOptions
    from retrigger.drift.profiles import ColumnLayout, ColumnProfile

# The tests a profile can score; the others need the rows.
FROM_PROFILES = frozenset({"ks", "wasserstein", "psi", "jensenshannon", "chi2", "z"})
_STD_FLOOR = 0.001  # Wasserstein's normaliser never below this, as on the rows
_INTEGER = re.compile(r"^U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?$")  # DuckDB's integer type names


def compare_profiles(
    reference: DatasetProfile,
    current: DatasetProfile,
    options: DriftOptions,
    several: bool = False,
) -> DriftReport:
    """Test every profiled column (or ``options.columns``) and return the report (``several``:
    see ``_present``)."""
    layout = reference.layout
    report = DriftReport(reference.rows, current.rows, options.share)
    tests: dict[str, StatTest] = {}
    for name in _present(reference, current, options, several, report):
        col = layout.column(name)
        ref, cur = reference.column(name), current.column(name)
        test = _test_for(col, ref, cur, options)
        result = ColumnResult(
            name,
            col.kind,
            test.name,
            _score(test.name, col, ref, cur),
            test.default_threshold,
            reference_missing=ref.missing,
            current_missing=cur.missing,
        )
        if col.kind == "cat":
            # Listed keys absent from the reference; new values beyond them fall in "other".
            r, c = np.asarray(ref.counts[:-1]), np.asarray(cur.counts[:-1])
            result.new_categories = int(((r == 0) & (c > 0)).sum())
        report.columns[name], tests[name] = result, test
    judge(report, tests, options)
    _target_apart(report, options.target)
    return report


def compare_calibrated(
    reference: DatasetProfile,
    current: DatasetProfile,
    options: DriftOptions,
    calibrated: CalibratedOptions,
    several: bool = False,
) -> DriftReport:
    """``mode: calibrated`` on an engine's profiles (``calibrated_judge``, the in-memory path's
    code): the columns ``options`` selects, the label apart, few-valued integers as categories
    (``_discrete``)."""
    report = DriftReport(reference.rows, current.rows, options.share)
    columns = [
        _discrete(reference.layout.column(n), reference.column(n), current.column(n))
        for n in _present(reference, current, options, several, report)
    ]
    layout = Layout(tuple(c[0] for c in columns))
    ref, cur = reference, current
    found = calibrated_profiles(
        DatasetProfile(layout, ref.rows, ref.bytes, ref.partitions, tuple(c[1] for c in columns)),
        DatasetProfile(layout, cur.rows, cur.bytes, cur.partitions, tuple(c[2] for c in columns)),
        calibrated,
    )
    found.skipped.update(report.skipped)
    _target_apart(found, options.target)
    return found


def _discrete(
    col: ColumnLayout, ref: ColumnProfile, cur: ColumnProfile
) -> tuple[ColumnLayout, ColumnProfile, ColumnProfile]:
    """An integer column holding at most ``INT_CARDINALITY_LIMIT`` values, as categories, as
    the in-memory path infers it (``columns.infer_kind``): a 0/1 flag reads as a share change,
    not as a shift in σ. The engines' approximate quantiles of such a column are interpolated
    between its values, so most buckets are empty: the used buckets (each one value) are the
    categories."""
    if col.kind != "num" or not _INTEGER.match(col.dtype):
        return col, ref, cur
    used = np.flatnonzero(np.asarray(ref.counts) + np.asarray(cur.counts))
    if used.size > INT_CARDINALITY_LIMIT:
        return col, ref, cur
    # A value in bucket i (e_{i-1} < x <= e_i) is floor(e_i); the last bucket is above e_{k-1}.
    keys = tuple(
        str(int(np.floor(col.edges[i]))) if i < len(col.edges) else f">{col.edges[-1]:g}"
        for i in used
    )
    ref_keys, cur_keys = (
        replace(p, counts=(*(p.counts[i] for i in used), 0), min=None, max=None) for p in (ref, cur)
    )
    return replace(col, kind="cat", edges=(), keys=keys), ref_keys, cur_keys


def _present(
    reference: DatasetProfile,
    current: DatasetProfile,
    options: DriftOptions,
    several: bool,
    report: DriftReport,
) -> list[str]:
    """The selected columns with a value on both sides; the others go to ``report.skipped``.
    ``several``: this is one of several data paths, and a listed column may live in another."""
    layout = reference.layout
    names = [c.name for c in layout.columns]
    for name in options.columns or []:
        if name not in names and not several:
            raise BadInput(
                f"--columns names {name!r}, which is not profiled; columns are: {', '.join(names)}"
            )
    wanted = [n for n in options.columns if n in names] if options.columns else names
    present = []
    for name in wanted:
        if reference.column(name).present == 0 or current.column(name).present == 0:
            report.skipped[name] = Skipped(name, layout.column(name).kind, "all_missing")
        else:
            present.append(name)
    return present


def _target_apart(report: DriftReport, target: str | None) -> None:
    if target is not None and target in report.columns:
        report.target = report.columns.pop(target)


def _test_for(
    col: ColumnLayout, ref: ColumnProfile, cur: ColumnProfile, options: DriftOptions
) -> StatTest:
    named = options.stattest.get(col.name) or options.stattest.get(TYPE_KEY + col.kind)
    if named:
        test = get_test(named)
        if test is None or test.name not in FROM_PROFILES or col.kind not in test.kinds:
            raise BadInput(
                f"test {named!r} for column {col.name!r} cannot be scored from profiles "
                f"({', '.join(sorted(FROM_PROFILES))} can, on fitting columns); "
                "set signals.drift.exact: true or --engine memory for it"
            )
        return test
    distinct = int(np.count_nonzero(np.asarray(ref.counts) + np.asarray(cur.counts)))
    return default_test(col.kind, ref.present, min(distinct, CHOICE_UNIQUE_LIMIT + 1))


def _score(name: str, col: ColumnLayout, ref: ColumnProfile, cur: ColumnProfile) -> float:
    if name == "ks":
        return ps.ks_pvalue(ps.ks(col, ref, cur).value, ref.present, cur.present)
    if name == "wasserstein":
        distance = ps.wasserstein(col, ref, cur).value
        return distance / max(ps.binned_std(col, ref), _STD_FLOOR)
    if name == "psi":
        return ps.psi(col, ref, cur).value
    if name == "jensenshannon":
        return ps.jensenshannon(col, ref, cur).value
    if name == "chi2":
        return ps.chi2(col, ref, cur).value
    return ps.z_test(col, ref, cur).value
