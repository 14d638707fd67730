"""An anytime-valid drift test over repeated checks: a betting e-process per column.

Each check, a column's bettor stakes a fixed fraction of its wealth on "this check's effect size
X exceeds the tolerance ε": wealth is multiplied by ``1 + λ (X − ε)`` with ``λ = BET / ε``, so a
check at X = 0 halves it and one at X = 3ε doubles it (the factor never reaches 0: X ≥ 0, and
``λ ε < 1``). When the expected X is at most ε at every check (no relevant drift), the wealth is
a nonnegative supermartingale, and by Ville's inequality the chance that it *ever* reaches
``1/α`` is at most α — however many checks are made (Ramdas, Grünwald, Vovk & Shafer, "Game-
theoretic statistics and safe anytime-valid inference", 2023). Splitting α over the m columns
(alarm at ``m/α``) keeps P(any false column alarm, ever) ≤ α.

X is the bias-corrected effect size of each check (``calibrated.Effect.value``): close to
unbiased, not exactly, so the guarantee is approximate on small samples; and it assumes each
check sees new rows (a check of unchanged data repeats the same bet).
"""

from __future__ import annotations

from collections.abc import Mapping

BET = 0.5  # the fraction of wealth at stake, at X = 0 as a share of it lost


def update(
    wealth: Mapping[str, float], effects: Mapping[str, tuple[float, float]]
) -> dict[str, float]:
    """Each column's wealth after one more check; ``effects`` maps a column to (X, ε). A column
    seen for the first time starts at 1; one no longer compared is dropped."""
    out: dict[str, float] = {}
    for name, (x, tolerance) in effects.items():
        factor = 1 + (BET / tolerance) * (x - tolerance)
        out[name] = wealth.get(name, 1.0) * max(factor, 1 - BET)
    return out


def alarmed(wealth: Mapping[str, float], alpha: float) -> list[str]:
    """The columns whose wealth reached ``m / α`` (m columns: Bonferroni over them)."""
    bar = len(wealth) / alpha
    return sorted(name for name, w in wealth.items() if w >= bar)
