"""Retrain fixtures (tests/support/retrain.py) and the real project shapes
(tests/support/real_projects.py)."""

from tests.support.real_projects import stack, stack_template, wine, wine_template  # noqa: F401
from tests.support.retrain import degraded_template, retrainable  # noqa: F401
