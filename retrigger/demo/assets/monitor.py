"""Demo production monitor: score the model in use on the newest data's holdout.

Writes metrics.json the way a monitoring job would, without retraining.
"""

import json
from pathlib import Path

import mlflow.pyfunc
from features import TARGET, holdout_split, read  # type: ignore[import-not-found]

_, holdout = holdout_split(read(Path("data/train.csv")))
model = mlflow.pyfunc.load_model("model")
accuracy = float((model.predict(holdout.drop(columns=TARGET)) == holdout[TARGET]).mean())
Path("metrics.json").write_text(json.dumps({"accuracy": round(accuracy, 4)}, indent=2) + "\n")
print(f"model in use scores {accuracy:.4f} on the newest data")
