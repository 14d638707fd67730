"""The pip requirements of a model file: the distributions that provide the modules its pickle
imports (``retrigger.evaluation.imports``), as the environment that can load it knows them
(``importlib.metadata.packages_distributions`` run by that interpreter), pinned as the
project's ``requirements.txt`` pins them, else at the version installed there.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from retrigger.errors import WorkFailed
from retrigger.evaluation import imports
from retrigger.proc import run

# Run by the project's interpreter: which installed distributions provide each module.
_DISTRIBUTIONS = """
import importlib.metadata as m, json, sys
provided = m.packages_distributions()
found = {}
for module in sys.argv[1:]:
    names = list(dict.fromkeys(provided.get(module, [])))
    found[module] = [[name, m.version(name)] for name in names]
print(json.dumps(found))
"""


@dataclass(frozen=True)
class Pinned:
    requirement: str  # one pip requirement line
    module: str  # the module of the pickle that needs it
    source: str  # where its pin comes from, in words


@dataclass(frozen=True)
class Derived:
    """What a model file needs to load, and where each line came from."""

    pinned: tuple[Pinned, ...]
    unprovided: tuple[str, ...]  # modules no installed distribution provides
    from_main: tuple[str, ...]  # classes of the training script itself (``__main__``)
    python: str  # the interpreter whose installed distributions were read

    @property
    def requirements(self) -> list[str]:
        return list(dict.fromkeys(p.requirement for p in self.pinned))

    @property
    def needs(self) -> tuple[tuple[str, str], ...]:
        """(distribution, the module that brought it in), for messages about installing it."""
        return tuple((_name(p.requirement) or p.requirement, p.module) for p in self.pinned)

    def describe(self, path: str) -> str:
        """One line for the run's output and its MLflow tag."""
        shown = "; ".join(f"{p.requirement} (module {p.module}, {p.source})" for p in self.pinned)
        text = f"requirements derived from the imports of {path}, read with {self.python}: "
        text += shown or "none beyond the standard library"
        if self.unprovided:
            text += (
                f"; no installed distribution provides {', '.join(self.unprovided)} "
                "(not pinned: the model will not load where they are missing)"
            )
        if self.from_main:
            text += (
                f"; {', '.join(self.from_main)} defined in the training script itself "
                "(__main__): it loads only where that script runs; move it into a module"
            )
        return text


def derive(path: Path, python: str, root: Path) -> Derived:
    """The requirements of the model file at ``path``; ``python`` maps modules to the
    distributions installed beside it, ``root``'s requirements.txt pins them."""
    found = imports.read(path)
    modules = sorted(found.top_level)
    provided = _distributions(python, modules, root) if modules else {}
    pins = project_pins(root)
    pinned: list[Pinned] = []
    for module in modules:
        for name, version in provided.get(module, []):
            own = pins.get(_canonical(name))
            if own is not None:
                pinned.append(Pinned(own, module, "requirements.txt"))
            else:
                pinned.append(Pinned(f"{name}=={version}", module, f"installed {version}"))
    unprovided = tuple(m for m in modules if not provided.get(m))
    return Derived(tuple(pinned), unprovided, tuple(found.from_main), python)


def _distributions(python: str, modules: list[str], root: Path) -> dict[str, list[list[str]]]:
    try:
        result = run([python, "-c", _DISTRIBUTIONS, *modules], root, timeout=120)
        found = json.loads(result.stdout)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError) as exc:
        why = getattr(exc, "stderr", None) or str(exc)
        raise WorkFailed(
            f"cannot read the installed distributions with {python}: "
            f"{(str(why).strip().splitlines() or ['no output'])[-1][:200]}"
        ) from None
    return found if isinstance(found, dict) else {}


def project_pins(root: Path) -> dict[str, str]:
    """The project's requirements.txt lines that say which build to install: an exact
    version (``==``, ``===``), a URL, or a local wheel / folder (made absolute). Keyed by
    distribution name; ranges and bare names are left to the installed version."""
    path = root / "requirements.txt"
    if not path.is_file():
        return {}
    pins: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line.startswith("-e "):
            line = line[3:].strip()
        elif not line or line.startswith(("#", "-")):
            continue
        found = _pin(line, root)
        if found is not None:
            pins[_canonical(found[0])] = found[1]
    return pins


def _pin(line: str, root: Path) -> tuple[str, str] | None:
    from packaging.requirements import InvalidRequirement, Requirement

    local = _local(line, root)
    if local is not None:
        return local
    try:
        parsed = Requirement(line)
    except InvalidRequirement:
        return None
    exact = any(spec.operator in ("==", "===") for spec in parsed.specifier)
    return (parsed.name, line) if exact or parsed.url else None


def _local(line: str, root: Path) -> tuple[str, str] | None:
    """A wheel file or a project folder named by path: ``NAME @ file:///absolute/path``."""
    if not line.startswith((".", "/", "~")) and not line.endswith(".whl"):
        return None
    path = Path(line).expanduser()
    path = path if path.is_absolute() else (root / path).resolve()
    if path.suffix == ".whl":
        from packaging.utils import InvalidWheelFilename, parse_wheel_filename

        try:
            name = str(parse_wheel_filename(path.name)[0])
        except InvalidWheelFilename:
            return None
    elif (path / "pyproject.toml").is_file():
        import tomllib

        project = tomllib.loads((path / "pyproject.toml").read_text()).get("project", {})
        name = str(project.get("name") or "")
    else:
        return None
    return (name, f"{name} @ {path.as_uri()}") if name else None


def _name(requirement: str) -> str | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return str(Requirement(requirement).name)
    except InvalidRequirement:
        return None


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))
