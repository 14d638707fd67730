"""Evidently's own drift verdicts on sample pairs, for ``drift_calibration.py`` (run by it).

    /tmp/evidently-venv/bin/python benchmarks/evidently_worker.py DIR

DIR holds ``<k>-ref.npz`` / ``<k>-cur.npz`` pairs (one array per column); printed on stdout:
one JSON object ``{"<k>": {column: drifted}}``, Evidently 0.7's ``DataDriftPreset`` with its
defaults (its test per column, its threshold). This file runs in Evidently's own venv: it
imports numpy, pandas and evidently only, never retrigger.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def verdicts(ref: Path, cur: Path) -> dict[str, bool]:
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped]  # (Evidently's venv)
    from evidently import Report  # type: ignore[import-not-found]
    from evidently.presets import DataDriftPreset  # type: ignore[import-not-found]

    frames = []
    for path in (cur, ref):
        with np.load(path) as data:
            frames.append(pd.DataFrame({name: data[name] for name in data.files}))
    result = Report([DataDriftPreset()], include_tests=True).run(frames[0], frames[1]).dict()
    return {
        test["metric_config"]["params"]["column"]: str(test["status"]).endswith("FAIL")
        for test in result["tests"]
        if test["id"] == "drift"
    }


def main() -> None:
    folder = Path(sys.argv[1])
    out = {}
    for ref in sorted(folder.glob("*-ref.npz")):
        key = ref.name.removesuffix("-ref.npz")
        out[key] = verdicts(ref, folder / f"{key}-cur.npz")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
