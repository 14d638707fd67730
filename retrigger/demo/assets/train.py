"""Demo pipeline stage: train a churn classifier on data/train.csv; write model/ (an MLflow
model, so `mlflow.pyfunc.load_model` works on it and on the registered champion), the holdout
rows (holdout.csv, what retrigger scores champion and challenger on) and metrics.json."""

import json
import shutil
from pathlib import Path

import mlflow.sklearn
import sklearn
from features import TARGET, holdout_split, make_model, read  # type: ignore[import-not-found]

train, holdout = holdout_split(read(Path("data/train.csv")))
model = make_model().fit(train.drop(columns=TARGET), train[TARGET])
accuracy = float((model.predict(holdout.drop(columns=TARGET)) == holdout[TARGET]).mean())
shutil.rmtree("model", ignore_errors=True)
# Explicit requirements: MLflow would otherwise spend seconds inferring them.
mlflow.sklearn.save_model(model, "model", pip_requirements=[f"scikit-learn=={sklearn.__version__}"])
holdout.to_csv("holdout.csv", index=False)
Path("metrics.json").write_text(json.dumps({"accuracy": round(accuracy, 4)}, indent=2) + "\n")
print(f"trained on {len(train)} rows, holdout accuracy {accuracy:.4f}")
