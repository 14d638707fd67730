"""Demo production monitor: score the model in use on the newest data's holdout.

Writes metrics.json the way a monitoring job would, without retraining.
"""

import json
import pickle
from pathlib import Path

import numpy as np
from features import holdout_split, load  # type: ignore[import-not-found]

features, labels = load(Path("data/train.csv"))
_, _, test_x, test_y = holdout_split(features, labels)
with Path("model/model.pkl").open("rb") as handle:
    model = pickle.load(handle)  # noqa: S301 - the demo's own model file
accuracy = float(np.mean(model.predict(test_x) == test_y))
Path("metrics.json").write_text(json.dumps({"accuracy": round(accuracy, 4)}, indent=2) + "\n")
print(f"model in use scores {accuracy:.4f} on the newest data")
