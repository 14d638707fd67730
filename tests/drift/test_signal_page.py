"""The drift page ``retrigger check`` writes when drift fires, read as a person would (parsed
with lxml): the decision and commit it is evidence for, both sides' data versions, the target
apart from the share, and append-only data compared on its new rows only, with where in them the
shift starts. A real git + DVC project with a real MLflow store (the demo project)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import html as lxml_html  # type: ignore[import-untyped]

from retrigger.demo import project
from retrigger.demo.data import rows, write_csv
from tests.support.cli import run_cli

pytestmark = pytest.mark.slow  # git, dvc add, MLflow

REFERENCE = rows(project.FIRST_ROWS, seed=7, shifted=False)  # what the baseline trained on


def _configure(root: Path, current: str = "auto") -> None:
    config_file = root / "retrigger.yaml"
    config: dict[str, Any] = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["signals"]["drift"] = {"share": 0.3, "current": current}
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")


def _commit_data(root: Path, table: list[tuple[object, ...]]) -> None:
    write_csv(root / project.DATA_PATH, table)
    project.sh(root, "dvc", "add", "-q", project.DATA_PATH)
    project.sh(root, "git", "add", "-A")
    project.sh(root, "git", "commit", "-q", "-m", "data: appended rows")


def _check(root: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    result = run_cli("check", "--config", str(root / "retrigger.yaml"), "--json")
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    drift = next(s for s in document["signals"] if s["kind"] == "drift")
    return document, drift


def _page(root: Path) -> Any:
    pages = sorted((root / ".retrigger" / "reports").glob("drift-*.html"))
    assert len(pages) == 1, pages
    return lxml_html.fromstring(pages[0].read_text(encoding="utf-8"))


def _md5(root: Path, rev: str | None = None) -> str:
    dvc_file = f"{project.DATA_PATH}.dvc"
    text = (
        project.sh(root, "git", "show", f"{rev}:{dvc_file}")
        if rev
        else (root / dvc_file).read_text(encoding="utf-8")
    )
    return str(yaml.safe_load(text)["outs"][0]["md5"])


def _cells(page: Any, table: str) -> list[list[str]]:
    return [
        [cell.text_content().strip() for cell in row.xpath("./td|./th")]
        for row in page.xpath(f"//table[@class='{table}']/tbody/tr")
    ]


def test_the_page_names_decision_commit_versions_and_keeps_the_target_apart(
    demo_project: Path,
) -> None:
    _configure(demo_project)
    trained_md5 = _md5(demo_project, "HEAD")
    project.degrade(demo_project)  # 3000 shifted rows appended to the trained 2000

    document, drift = _check(demo_project)
    page = _page(demo_project)

    assert drift["fired"] is True
    facts = page.xpath("string(//p[@class='facts'])")
    head = project.sh(demo_project, "git", "rev-parse", "HEAD").strip()
    assert document["decision_id"] in facts and head[:12] in facts
    sources = {row[0]: row for row in _cells(page, "sources")}
    assert sources["reference"][2] == trained_md5
    assert sources["current"][2] == _md5(demo_project)  # the work tree's version, not "—"
    # The target (validation.target) is tested apart and left out of the share.
    columns = _cells(page, "columns")
    target = _cells(page, "target")
    assert [row[0] for row in target] == ["churn"]
    assert "churn" not in [row[0] for row in columns]
    drifted = [row for row in columns if row[5] == "drift"]
    assert drift["value"] == round(len(drifted) / len(columns), 4)
    assert f"{len(drifted)} of {len(columns)} columns drifted" in page.text_content()


def test_new_rows_alone_show_a_shift_the_whole_file_dilutes(demo_project: Path) -> None:
    # 100 shifted rows appended to the 2000 the model was trained on: 5% of the file.
    _commit_data(demo_project, REFERENCE + rows(100, seed=11, shifted=True))

    _configure(demo_project, current="all")
    _, whole = _check(demo_project)
    _configure(demo_project, current="auto")
    _, new = _check(demo_project)

    assert whole["fired"] is False, whole["detail"]
    assert new["fired"] is True, new["detail"]
    assert "in the 100 new rows" in new["detail"]
    compared = _page(demo_project).xpath("string(//p[@class='compared'])")
    assert "only the 100 new rows" in compared and "starts with the reference's 2,000" in compared


def test_the_row_index_view_shows_where_the_shift_starts(demo_project: Path) -> None:
    # 3000 unshifted new rows, then 1000 shifted ones: the shift starts at row 5,001.
    unchanged = rows(3000, seed=21, shifted=False)
    _commit_data(demo_project, REFERENCE + unchanged + rows(1000, seed=11, shifted=True))
    _configure(demo_project)

    _, drift = _check(demo_project)
    page = _page(demo_project)

    assert drift["fired"] is True
    views = page.xpath("//div[@class='rows']")
    assert views, "no row-index view"
    for view in views:
        assert "the shift starts at row 5,001" in view.text_content()
        labels = view.xpath(".//*[local-name()='text']/text()")
        assert "row of the current data" in labels
