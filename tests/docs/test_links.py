"""Every relative link in README.md and docs/ leads somewhere: a file, and the heading named.

GitHub shows these pages as they are, so a link is checked as GitHub follows it (relative to
the page); `mkdocs build --strict` (./dev test) checks the site's own links again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def _links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)  # code spans are not links
    return [m.group(1) for m in LINK.finditer(text)]


def _anchors(page: Path) -> set[str]:
    """Heading ids as GitHub and MkDocs' toc make them: lower case, punctuation dropped."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    anchors = set()
    for heading in re.findall(r"^#+\s+(.+)$", text, re.MULTILINE):
        words = re.sub(r"[^\w\- ]", "", heading.lower()).strip()
        anchors.add(re.sub(r"\s+", "-", words))
    return anchors


def _resolves(page: Path, link: str) -> bool:
    if link.startswith("#"):
        return link[1:] in _anchors(page)
    if re.match(r"^[a-z][a-z0-9+.-]*:", link):
        return True  # a URL: not this test's business
    path, _, anchor = link.partition("#")
    target = (page.parent / path).resolve()
    if not target.exists():
        return False
    return not anchor or target.suffix != ".md" or anchor in _anchors(target)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page: Path) -> None:
    broken = [link for link in _links(page) if not _resolves(page, link)]

    assert broken == [], f"{page.relative_to(ROOT)}: broken links {broken}"


def test_the_readme_links_into_the_docs() -> None:
    linked = {link.partition("#")[0] for link in _links(ROOT / "README.md")}

    assert {"docs/install.md", "docs/ci.md", "docs/configuration.md"} <= linked
