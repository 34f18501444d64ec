"""The development environment is the lock: every dependency pinned, hashed, and installed.

pyproject.toml gives ranges, for library users; ``requirements/dev.lock`` pins what the
development environment and CI install (``make`` installs it with ``--require-hashes``).
These tests read the real files and the real environment the suite runs in.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements" / "dev.lock"
EXTRAS = ("dev", "redis")


@dataclass(slots=True, frozen=True)
class Pin:
    name: str
    version: str
    marker: Marker | None
    hashes: tuple[str, ...]

    def applies(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def _pins() -> dict[str, Pin]:
    text = LOCK.read_text("utf-8")
    entries = re.sub(r"\\\n\s*", " ", text)  # continuation lines joined
    pins: dict[str, Pin] = {}
    for raw in entries.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *hashes = [part.strip() for part in line.split("--hash=")]
        requirement = Requirement(spec)
        (version,) = [s.version for s in requirement.specifier if s.operator == "=="]
        name = canonicalize_name(requirement.name)
        assert name not in pins, f"{name} is pinned twice"
        pins[name] = Pin(name, version, requirement.marker, tuple(hashes))
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    for extra in EXTRAS:
        found += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return found


def test_every_pin_is_exact_and_hashed() -> None:
    pins = _pins()
    assert len(pins) > 50
    for pin in pins.values():
        assert pin.hashes, f"{pin.name} has no hash"
        assert all(h.startswith("sha256:") for h in pin.hashes), pin


def test_every_declared_dependency_is_locked_within_its_range() -> None:
    pins = _pins()
    for requirement in _declared():
        pin = pins.get(canonicalize_name(requirement.name))
        assert pin is not None, f"{requirement} (pyproject.toml) is not in {LOCK.name}"
        assert requirement.specifier.contains(pin.version, prereleases=True), (
            f"{LOCK.name} pins {pin.name}=={pin.version}, outside {requirement}: run `make lock`"
        )


def test_the_lock_holds_every_dependency_of_every_dependency() -> None:
    """The closure, extras included, read from the installed packages' own metadata."""
    pins = _pins()
    missing: list[str] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(r, "pyproject.toml") for r in _declared()]
    while todo:
        requirement, wanted_by = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        if name not in pins:
            missing.append(f"{requirement} (wanted by {wanted_by})")
            continue
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            missing.append(f"{name} is not installed: run `make setup`")
            continue
        for text in requires:
            child = Requirement(text)
            if child.marker is None or any(
                child.marker.evaluate({"extra": extra}) for extra in ("", *requirement.extras)
            ):
                child.marker = None
                todo.append((child, name))
    assert missing == [], f"not in {LOCK.name} (run `make lock`), or not installed"


def test_the_environment_is_the_lock() -> None:
    """What the tests run against is what the lock says (``make`` installs exactly it)."""
    wrong = []
    for pin in _pins().values():
        if not pin.applies():
            continue
        try:
            installed = metadata.version(pin.name)
        except metadata.PackageNotFoundError:
            installed = "missing"
        if installed != pin.version:
            wrong.append(f"{pin.name}: {installed}, locked {pin.version}")
    assert wrong == [], "run `make setup` (the environment is not the lock)"


def test_make_installs_the_lock_with_hashes_and_accord_without_resolving() -> None:
    makefile = (REPO / "Makefile").read_text("utf-8")
    rule = re.search(r"^\$\(STAMP\):(?P<needs>.*)\n(?P<recipe>(?:\t.*\n)+)", makefile, re.M)
    assert rule is not None
    assert "$(LOCK)" in rule["needs"] and "LOCK   := requirements/dev.lock" in makefile
    assert "pip install --quiet --require-hashes -r $(LOCK)" in rule["recipe"]
    assert "--no-deps" in rule["recipe"].split("-r $(LOCK)")[1]
    assert re.search(r"^lock:", makefile, re.M), "no `make lock` target"
