"""Demo pipeline stage: train a churn classifier on data/train.csv, write model/ and metrics.json.

The last 20% of rows are the holdout, so monitor.py can score any model on the same split.
"""

import json
import pickle
from pathlib import Path

import numpy as np
from features import holdout_split, load  # type: ignore[import-not-found]
from sklearn.linear_model import LogisticRegression

features, labels = load(Path("data/train.csv"))
train_x, train_y, test_x, test_y = holdout_split(features, labels)
model = LogisticRegression(max_iter=500).fit(train_x, train_y)
accuracy = float(np.mean(model.predict(test_x) == test_y))
Path("model").mkdir(exist_ok=True)
with Path("model/model.pkl").open("wb") as handle:
    pickle.dump(model, handle)
Path("metrics.json").write_text(json.dumps({"accuracy": round(accuracy, 4)}, indent=2) + "\n")
print(f"trained on {len(train_y)} rows, holdout accuracy {accuracy:.4f}")
