"""Demo feature handling shared by train.py and monitor.py: the model is a scikit-learn
pipeline over the raw columns, so whoever loads it (serving, retrigger's validation) hands it
rows as they are stored."""

from pathlib import Path

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["tenure", "monthly_charges", "support_calls", "has_partner"]
TARGET = "churn"


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


def holdout_split(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    # Newest rows are the holdout: they stand for production traffic.
    cut = int(len(frame) * 0.8)
    return frame[:cut], frame[cut:]


def make_model() -> Pipeline:
    columns = ColumnTransformer(
        [
            ("numeric", StandardScaler(), NUMERIC),
            ("contract", OneHotEncoder(handle_unknown="ignore"), ["contract"]),
        ]
    )
    return Pipeline([("features", columns), ("classifier", LogisticRegression(max_iter=500))])
