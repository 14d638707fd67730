"""Retrain fixtures (tests/support/retrain.py)."""

from tests.support.retrain import degraded_template, retrainable  # noqa: F401
