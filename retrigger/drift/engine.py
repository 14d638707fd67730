"""Compare two tables column by column and judge drift, with Evidently's defaults.

Per column: missing values and ±inf are set aside (as Evidently does), the kind is inferred from
the current side (``columns.infer_kind``), the test is the user's choice (per column, or per type
with the key ``type:num`` / ``type:cat``) or Evidently's default, and the score is held against
the threshold. Only one column of each side is in memory at a time.

Decisions that are ours (Evidently raises or skips instead), all reported in the result:
- a column with no value on a side is reported ``all_missing`` and not tested;
- text, datetime and unknown columns are reported and not tested unless a test is named for them
  (datetimes as epoch nanoseconds with a numerical test);
- a column on one side only is reported; ``schema_change_is_drift`` counts it as drifted;
- categories only in current count zero in the reference: chi2 and z see the change, PSI/KL
  fill the zero with a tiny share; the count of such categories is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyarrow as pa

from retrigger.drift import columns as col
from retrigger.drift.plots import plot_for
from retrigger.drift.result import ColumnResult, DriftReport, Skipped
from retrigger.drift.samples import Sample
from retrigger.drift.stattests import CHOICE_UNIQUE_LIMIT, StatTest, default_test, get_test
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from collections.abc import Mapping

    from retrigger.drift.io import Table

TYPE_KEY = "type:"  # stattest/threshold keys "type:num" and "type:cat" apply to a whole kind


@dataclass(frozen=True)
class DriftOptions:
    """How to compare; mirrors ``signals.drift`` in retrigger.yaml."""

    columns: list[str] | None = None
    stattest: Mapping[str, str] = field(default_factory=dict)
    threshold: Mapping[str, float] = field(default_factory=dict)
    share: float = 0.5
    warn: float | None = None
    bonferroni: bool = False
    schema_change_is_drift: bool = False
    plots: bool = True
    target: str | None = None  # tested, reported apart, not counted for dataset drift


def compare(reference: Table, current: Table, options: DriftOptions) -> DriftReport:
    """Test every selected column and return the report (raises ``BadInput`` on bad input)."""
    _check_inputs(reference, current, options)
    report = DriftReport(reference.num_rows, current.num_rows, options.share)
    tests: dict[str, StatTest] = {}
    for name in _selected(reference, current, options):
        outcome = _one_column(name, reference, current, options)
        if isinstance(outcome, Skipped):
            report.skipped[name] = outcome
            if options.schema_change_is_drift and outcome.reason.startswith("only_in"):
                report.columns[name] = ColumnResult(
                    name, outcome.type, "schema", 1.0, 1.0, True, outcome.reason
                )
        else:
            report.columns[name], tests[name] = outcome
    judge(report, tests, options)
    if options.target is not None and options.target in report.columns:
        report.target = report.columns.pop(options.target)
    return report


def _check_inputs(reference: Table, current: Table, options: DriftOptions) -> None:
    for side, table in (("reference", reference), ("current", current)):
        if table.num_rows == 0:
            raise BadInput(f"the {side} data {table.path} has no rows; give data to compare")
    known = set(reference.names) | set(current.names)
    for name in options.columns or []:
        if name not in known:
            raise BadInput(
                f"--columns names {name!r}, which is in neither table; "
                f"columns are: {', '.join(sorted(known))}"
            )
    for key, test_name in options.stattest.items():
        test = get_test(test_name)
        if test is None:
            raise BadInput(
                f"unknown test {test_name!r} for {key!r}; known tests: {', '.join(_names())}"
            )
        if key.startswith(TYPE_KEY) and key[len(TYPE_KEY) :] not in test.kinds:
            raise BadInput(
                f"test {test_name!r} does not fit {key!r}; it takes "
                f"{'/'.join(sorted(test.kinds))} columns"
            )


def _names() -> list[str]:
    from retrigger.drift.stattests import TESTS

    return sorted(TESTS)


def _selected(reference: Table, current: Table, options: DriftOptions) -> list[str]:
    if options.columns:
        return list(options.columns)
    return reference.names + [n for n in current.names if n not in set(reference.names)]


def _one_column(
    name: str, reference: Table, current: Table, options: DriftOptions
) -> Skipped | tuple[ColumnResult, StatTest]:
    if name not in current.names or name not in reference.names:
        side = current if name in current.names else reference
        where = "only_in_current" if side is current else "only_in_reference"
        values, dtype = side.column(name), side.dtype(name)
        kind = col.infer_kind(values, values, dtype, dtype)
        return Skipped(name, kind, where)
    ref, cur = reference.column(name), current.column(name)
    named = options.stattest.get(name)
    ref_type, cur_type = reference.dtype(name), current.dtype(name)
    if not named and not col.compatible(ref_type, cur_type):
        raise BadInput(
            f"column {name!r} is {ref_type} in the reference but {cur_type} in the "
            f"current data; fix the data or name a test: --stattest {name}=TEST"
        )
    kind = col.infer_kind(cur, ref, current.dtype(name), reference.dtype(name))
    test = get_test(named) if named else None
    if test is None and kind in ("num", "cat"):
        test = get_test(options.stattest.get(TYPE_KEY + kind, ""))
    kind = _kind_for(name, kind, test, ref_type, cur_type)
    if kind not in ("num", "cat"):
        return Skipped(name, kind, kind)
    sample = _sample(name, kind, ref, cur)
    if sample.n_ref == 0 or sample.n_cur == 0:
        return Skipped(name, kind, "all_missing")
    test = test or default_test(kind, sample.n_ref, sample.n_unique(CHOICE_UNIQUE_LIMIT))
    result = ColumnResult(
        name,
        kind,
        test.name,
        test.score(sample),
        test.default_threshold,
        reference_missing=len(ref) - sample.n_ref,
        current_missing=len(cur) - sample.n_cur,
        plot=plot_for(sample) if options.plots else None,
    )
    if kind == "cat" and sample.ref_counts is not None and sample.cur_counts is not None:
        result.new_categories = int(((sample.ref_counts == 0) & (sample.cur_counts > 0)).sum())
    return result, test


def _kind_for(
    name: str,
    inferred: col.Kind,
    test: StatTest | None,
    ref_type: pa.DataType,
    cur_type: pa.DataType,
) -> col.Kind:
    """The kind to test as: the inferred one, unless a named test needs the other.

    Categorical tests take anything discrete (ints, strings, booleans, and both sides of an
    int-vs-string mismatch) but not floats; numerical tests take anything numeric, datetimes
    included, but not strings.
    """
    if test is None or inferred in test.kinds:
        return inferred
    if "cat" in test.kinds:
        if col.family(ref_type) == "float" and col.family(cur_type) == "float":
            raise BadInput(
                f"test {test.name!r} is for categories but column {name!r} holds "
                "floats; pick a numerical test such as ks, wasserstein or psi"
            )
        return "cat"
    numeric = ("int", "float", "bool", "datetime", "null")
    if col.family(ref_type) in numeric and col.family(cur_type) in numeric:
        return "num"
    raise BadInput(
        f"test {test.name!r} needs numbers but column {name!r} holds "
        f"{ref_type}/{cur_type}; pick a categorical test such as chi2 or jensenshannon"
    )


def _sample(name: str, kind: str, ref: pa.ChunkedArray, cur: pa.ChunkedArray) -> Sample:
    try:
        if kind == "num":
            return Sample("num", ref=col.numeric_values(ref), cur=col.numeric_values(cur))
        keys, ref_counts, cur_counts = col.category_counts(ref, cur)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        what = "numbers" if kind == "num" else "categories"
        raise BadInput(
            f"column {name!r} cannot be compared as {what} "
            f"({str(exc).splitlines()[0]}); name another test with --stattest"
        ) from None
    return Sample("cat", keys=keys, ref_counts=ref_counts, cur_counts=cur_counts)


def judge(report: DriftReport, tests: Mapping[str, StatTest], options: DriftOptions) -> None:
    """Set each column's threshold (per column, per type, Bonferroni) and verdict."""
    n_pvalue = sum(1 for t in tests.values() if t.is_pvalue)
    for name, test in tests.items():
        result = report.columns[name]
        threshold = options.threshold.get(name, options.threshold.get(TYPE_KEY + result.type))
        threshold = test.default_threshold if threshold is None else threshold
        if options.bonferroni and test.is_pvalue and n_pvalue > 1:
            # Bonferroni: each of the m p-value tests is held at alpha/m.
            threshold /= n_pvalue
        result.threshold = threshold
        result.drift = test.drifted(result.score, threshold)
        result.status = (
            "drift" if result.drift else _warn_status(test, result.score, threshold, options.warn)
        )


def _warn_status(test: StatTest, score: float, threshold: float, warn: float | None) -> str:
    """ "warn" when the score is within the warn band: from ``warn`` x threshold up to the
    threshold for distances, from the threshold up to threshold / ``warn`` for p-values."""
    if warn is None:
        return "ok"
    band_edge = threshold / warn if test.is_pvalue else threshold * warn
    return "warn" if test.drifted(score, band_edge) else "ok"
