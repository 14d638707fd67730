"""DVC's project configuration (``.dvc/config.local`` over ``.dvc/config``), read without
starting dvc: the git hooks and every check read it."""

from __future__ import annotations

import configparser
import functools
from pathlib import Path

_CONFIGS = ("config.local", "config")  # local overrides first


def parsers(root: Path) -> list[configparser.ConfigParser]:
    found = []
    for name in _CONFIGS:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        try:
            parser.read(root / ".dvc" / name, encoding="utf-8")
        except configparser.Error:
            continue
        found.append(parser)
    return found


def path_option(root: Path, section: str, key: str) -> Path | None:
    """A path option (``cache.dir``), resolved as DVC does: relative to ``.dvc/``. Parsed once
    per version of the config files: a delta looks up every file of a directory."""
    stamps = tuple(_stamp(root / ".dvc" / name) for name in _CONFIGS)
    return _path_option(root, section, key, stamps)


def _stamp(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@functools.lru_cache(maxsize=64)
def _path_option(root: Path, section: str, key: str, stamps: tuple[int | None, ...]) -> Path | None:
    del stamps  # part of the cache key only
    for parser in parsers(root):
        value = parser.get(section, key, fallback="").strip().strip("'\"")
        if value:
            return (root / ".dvc" / Path(value).expanduser()).resolve()
    return None
