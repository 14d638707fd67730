"""A drift report from two profiles: the engine's ``compare`` for data read as profiles.

The tests are chosen as ``engine.compare`` chooses them (the user's per column or per type,
else Evidently's default from the reference's present rows and the distinct values), scored by
``profile_scores``, and judged by the same ``_judge``. Distinct values are the buckets holding
a value on either side: exact for categories, and for numbers a lower bound that is above 5
whenever the column has more than 5 quantile edges, which is what the default choice asks.

Tests that need the rows (Anderson–Darling, energy distance, …) are refused with the way out:
``signals.drift.exact: true`` (or ``--engine memory``) keeps the exact path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from retrigger.drift import profile_scores as ps
from retrigger.drift.engine import TYPE_KEY, DriftOptions, judge
from retrigger.drift.result import ColumnResult, DriftReport, Skipped
from retrigger.drift.stattests import CHOICE_UNIQUE_LIMIT, StatTest, default_test, get_test
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from retrigger.drift.profiles import ColumnLayout, ColumnProfile, DatasetProfile

# The tests a profile can score; the others need the rows.
FROM_PROFILES = frozenset({"ks", "wasserstein", "psi", "jensenshannon", "chi2", "z"})
_STD_FLOOR = 0.001  # Wasserstein's normaliser never below this, as on the rows


def compare_profiles(
    reference: DatasetProfile,
    current: DatasetProfile,
    options: DriftOptions,
    several: bool = False,
) -> DriftReport:
    """Test every profiled column (or ``options.columns``) and return the report. ``several``:
    this is one of several data paths, and a listed column may live in another one."""
    layout = reference.layout
    names = [c.name for c in layout.columns]
    for name in options.columns or []:
        if name not in names and not several:
            raise BadInput(
                f"--columns names {name!r}, which is not profiled; columns are: {', '.join(names)}"
            )
    report = DriftReport(reference.rows, current.rows, options.share)
    tests: dict[str, StatTest] = {}
    wanted = [n for n in options.columns if n in names] if options.columns else names
    for name in wanted:
        col = layout.column(name)
        ref, cur = reference.column(name), current.column(name)
        if ref.present == 0 or cur.present == 0:
            report.skipped[name] = Skipped(name, col.kind, "all_missing")
            continue
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
    if options.target is not None and options.target in report.columns:
        report.target = report.columns.pop(options.target)
    return report


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
