"""The evaluation matrix ``M[i][j]`` of a written stream, two ways (``benchmarks/retrain_cost.py``).

- ``product``: ``retrigger backtest --train --json`` in a subprocess at the history's root: the
  product trains each period's model in scratch clones (``dvc repro``) and scores it with the
  validation gate's scoring on every later period's ``data/valid.csv``. The table reports these.
- ``crosscheck``: the same training code (``cost_history.TRAIN``'s ``fit``) and the same rows,
  in process, to check the product's matrix (``compare``). Never reported as the result.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from benchmarks.cost_history import TRAIN
from benchmarks.cost_streams import Stream


def product(root: Path) -> tuple[NDArray[np.float64], dict[str, Any]]:
    """The product's matrix and its ``train`` document; RuntimeError when it did not run."""
    retrigger = str(Path(sys.executable).parent / "retrigger")
    done = subprocess.run(
        [retrigger, "backtest", "--train", "--json"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"backtest --train exited {done.returncode}: {' / '.join(tail)}")
    document = json.loads(done.stdout)
    train = document.get("train")
    if not isinstance(train, dict):
        raise RuntimeError("backtest --train --json has no 'train' document (is --train merged?)")
    size = len(train["periods"])
    found = np.full((size, size), np.nan)
    for cell in train["cells"]:
        if cell.get("value") is not None:
            found[int(cell["i"]), int(cell["j"])] = float(cell["value"])
    return found, train


def crosscheck(stream: Stream) -> NDArray[np.float64]:
    """``M[i][j]`` trained and scored in process with the stage's own ``fit``."""
    namespace: dict[str, Any] = {}
    exec(compile(TRAIN, "train.py", "exec"), namespace)  # the stage's own code, as written
    fit = namespace["fit"]
    regression = not stream.greater_is_better
    size = len(stream.periods)
    found = np.full((size, size), np.nan)
    seen: list[pd.DataFrame] = []
    for i, (train, _) in enumerate(stream.periods):
        seen.append(train.assign(period=i))
        model = fit(pd.concat(seen, ignore_index=True), regression)
        for j in range(i, size):
            valid = stream.periods[j][1]
            found[i, j] = score(model, valid, regression)
    return found


def score(model: Any, valid: pd.DataFrame, regression: bool) -> float:
    predicted = model.predict(valid.drop(columns=["y"]))
    truth = valid["y"].to_numpy()
    if regression:
        return float(np.sqrt(np.mean((truth - predicted) ** 2)))
    return float(np.mean(predicted == truth))


def compare(ours: NDArray[np.float64], theirs: NDArray[np.float64]) -> str:
    """How far the product's known cells are from the cross-check's, in words."""
    both = ~np.isnan(ours) & ~np.isnan(theirs)
    upper = np.triu(np.ones_like(ours, dtype=bool))
    unknown = int(np.count_nonzero(upper & np.isnan(theirs)))
    if not both.any():
        return f"no cell to compare ({unknown} unknown in the product's matrix)"
    gap = float(np.max(np.abs(ours[both] - theirs[both])))
    return (
        f"{int(both.sum())} cells compared, max |product - crosscheck| = "
        f"{gap:.3g}{'' if math.isfinite(gap) else ' (!)'}; {unknown} unknown in the product's"
    )
