"""The real project shapes (tests/support/real_projects.py) for the signals' tests."""

from tests.support.real_projects import wine, wine_template  # noqa: F401
