"""A model file's imports read from its opcodes (nothing unpickled), and the pip requirements
derived from them: the distributions installed beside an interpreter, the project's pins."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import joblib  # type: ignore[import-untyped]
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from retrigger.errors import WorkFailed
from retrigger.evaluation import imports, isolated
from retrigger.evaluation.requirements import derive, project_pins


def a_pipeline() -> Pipeline:
    frame = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 3)), columns=list("abc"))
    return Pipeline([("s", StandardScaler()), ("m", LogisticRegression())]).fit(
        frame, (frame["a"] > 0).astype(int)
    )


def foreign_pickle(module: bytes = b"nothere.models") -> bytes:
    """PROTO 4, STACK_GLOBAL module.Thing, NEWOBJ, BUILD {'x': 1}: an object of a class in a
    module no environment has."""
    name = b"\x8c" + bytes([len(module)]) + module
    return b"\x80\x04" + name + b"\x8c\x05Thing\x93)\x81}\x8c\x01xK\x01sb."


@pytest.mark.parametrize("compress", [0, 3, ("gzip", 3), ("bz2", 3), ("xz", 3), ("lzma", 3)])
def test_joblib_files_name_their_modules_past_the_arrays(tmp_path: Path, compress: object) -> None:
    model = {
        "model": a_pipeline(),
        "objects": np.array([pd.Timestamp("2024-01-01"), {"k": 1}], dtype=object),
        "records": np.zeros(2, dtype=[("x", "f4"), ("y", "U3")]),
    }
    path = tmp_path / "model.joblib"
    joblib.dump(model, path, compress=compress)

    found = imports.read(path)

    # pandas only inside the object array: read from the nested pickle joblib wrote there
    assert found.top_level == {"numpy", "pandas", "sklearn"}
    assert imports.Global("sklearn.pipeline", "Pipeline") in found.globals


def test_a_module_that_is_not_installed_is_named_without_importing_it(tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    path.write_bytes(foreign_pickle())
    with pytest.raises(ModuleNotFoundError):
        pickle.loads(foreign_pickle())

    found = imports.read(path)

    assert found.top_level == {"nothere"}
    assert "nothere" not in sys.modules


def test_classes_of_the_training_script_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    path.write_bytes(foreign_pickle(b"__main__"))

    assert imports.read(path).from_main == ["Thing"]
    assert imports.read(path).top_level == set()


def test_a_file_that_is_no_pickle_is_one_clear_failure(tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    path.write_text("not a model\n")

    with pytest.raises(WorkFailed, match="is not a pickle or joblib file"):
        imports.read(path)


def test_requirements_come_from_the_installed_distributions_and_the_projects_pins(
    tmp_path: Path,
) -> None:
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(a_pipeline()))
    (tmp_path / "wheels").mkdir()
    (tmp_path / "requirements.txt").write_text(
        "# the project's\nnumpy>=1.26\nscikit-learn==1.0.0  # pinned\n-r other.txt\n"
        "./wheels/boxlike-0.1-py3-none-any.whl\n"
    )

    derived = derive(path, sys.executable, tmp_path)

    assert f"numpy=={np.__version__}" in derived.requirements  # a range: the installed one
    assert "scikit-learn==1.0.0" in derived.requirements  # the project's own pin
    assert derived.needs == (("numpy", "numpy"), ("scikit-learn", "sklearn"))
    note = derived.describe("model.pkl")
    assert "scikit-learn==1.0.0 (module sklearn, requirements.txt)" in note
    assert f"read with {sys.executable}" in note
    wheel = (tmp_path / "wheels" / "boxlike-0.1-py3-none-any.whl").resolve()
    assert project_pins(tmp_path)["boxlike"] == f"boxlike @ {wheel.as_uri()}"


def test_modules_no_distribution_provides_are_said(tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    path.write_bytes(foreign_pickle())

    derived = derive(path, sys.executable, tmp_path)

    assert derived.requirements == []
    assert "no installed distribution provides nothere" in derived.describe("model.pkl")


@pytest.mark.parametrize(
    ("setting", "ci", "on"),
    [(None, "true", True), (None, None, False), ("off", "true", False), ("isolated", None, True)],
)
def test_the_load_check_is_on_in_ci_unless_set(
    setting: str | None, ci: str | None, on: bool
) -> None:
    assert isolated.wanted(setting, {"CI": ci} if ci else {}) is on
