"""NannyML's own CBPE / DLE on the chunks ``benchmarks/estimation.py`` measures, for the table.

Run by that benchmark with a throwaway venv's interpreter, made with

    python3.11 -m venv /tmp/nannyml-venv
    /tmp/nannyml-venv/bin/pip install nannyml statsmodels "pandas<3"

(NannyML 0.13.1 imports statsmodels without declaring it, and its DLE cannot reshape pandas 3's
Arrow strings). NannyML is never a dependency of retrigger; this file imports nothing of
retrigger. It reads one JSON job on stdin and prints, per metric, NannyML's estimate and its
sampling error for each chunk of 5,000 rows, as one JSON object on stdout.
"""

from __future__ import annotations

import io
import json
import os
import sys
import warnings
import zipfile
from typing import Any

import pandas as pd

DATA = "nannyml/datasets/data/"
# NannyML sends usage telemetry (segment.io) unless told not to: nothing leaves this machine.
os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"


def read(archive: zipfile.ZipFile, name: str) -> Any:
    raw = io.BytesIO(archive.read(DATA + name))
    return pd.read_parquet(raw) if name.endswith(".pq") else pd.read_csv(raw)


def estimator(job: dict[str, Any]) -> Any:
    import nannyml as nml

    common = {
        "y_pred": job["y_pred"],
        "y_true": job["y_true"],
        "metrics": job["metrics"],
        "chunk_size": job["chunk"],
    }
    if job["problem"] == "regression":
        return nml.DLE(feature_column_names=job["features"], **common)
    return nml.CBPE(y_pred_proba=job["y_pred_proba"], problem_type=job["problem"], **common)


def main() -> int:
    job = json.load(sys.stdin)
    archive = zipfile.ZipFile(job["wheel"])
    reference = read(archive, job["reference"])
    analysis = read(archive, job["analysis"]).merge(read(archive, job["targets"]), on="id")
    analysis = analysis.sort_values(job["sort"], kind="stable").iloc[: job["rows"]]
    analysis = analysis.reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = estimator(job).fit(reference)
        table = fitted.estimate(analysis).filter(period="analysis").to_df()
    found = {}
    for metric in job["metrics"]:
        part = table[metric]
        found[metric] = [
            {
                "value": float(row["value"]),
                "sampling_error": float(row["sampling_error"]),
                "low": float(row["lower_confidence_boundary"]),
                "high": float(row["upper_confidence_boundary"]),
            }
            for _, row in part.iterrows()
        ]
    print(json.dumps(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
