"""The house rules of DESIGN.md, checked on the source: rooms import only lower rooms, other
places import a room through its facade, `simulator/` never imports streamlit, every error
derives from SimulatorError, and the top level holds only the six shared modules."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import simulator
from simulator.errors import SimulatorError

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "simulator"
# Lowest first; a room may import the rooms before it (and the shared top-level modules).
LAYERS: list[set[str]] = [
    {"content"},
    {"llm", "knowledge"},
    {"grading", "community"},
    {"engine"},
    {"store"},
    {"evals", "bench"},
    {"cli"},
]
LEVEL = {room: level for level, rooms in enumerate(LAYERS) for room in rooms}
TOP_LEVEL = {"__init__", "__main__", "config", "protocols", "factory", "errors", "paths"}
# Shared modules every room may use; `factory` builds from every room, so only the top
# (cli, bench) and the UI may call it.
SHARED = {"config", "protocols", "errors", "paths"}


def _modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts]


def _room(path: Path) -> str | None:
    rel = path.relative_to(PACKAGE).parts
    return rel[0] if len(rel) > 1 else None


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
    return found


def test_only_the_shared_modules_sit_at_the_top() -> None:
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top == TOP_LEVEL
    rooms = {p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert rooms == set(LEVEL)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_down_through_facades(path: Path) -> None:
    mine = _room(path)
    for module, line in _imports(path):
        parts = module.split(".")
        where = f"{path.relative_to(ROOT)}:{line}: {module}"
        assert parts[0] != "streamlit", f"{where}: simulator/ never imports streamlit"
        if parts[0] != "simulator" or len(parts) < 2:
            continue
        target = parts[1]
        if target in SHARED:
            continue
        if target == "factory":
            assert mine in (None, "cli", "bench"), f"{where}: only the top builds parts"
            continue
        assert target in LEVEL, where
        if mine is None:
            continue  # top-level modules (factory, protocols) may reach any room
        assert LEVEL[target] <= LEVEL[mine], f"{where}: {mine} may not import {target}"
        if target != mine:
            assert len(parts) == 2, f"{where}: import another room through its facade"


def test_the_ui_and_tests_import_rooms_through_their_facades() -> None:
    places = [ROOT / "app.py", *(ROOT / "app_pages").rglob("*.py")]
    for path in places:
        for module, line in _imports(path):
            parts = module.split(".")
            if parts[0] == "simulator" and len(parts) > 2 and parts[1] in LEVEL:
                raise AssertionError(f"{path.relative_to(ROOT)}:{line}: {module} is private")


def test_every_room_exports_what_it_lists() -> None:
    for room in LEVEL:
        facade = importlib.import_module(f"simulator.{room}")
        for name in getattr(facade, "__all__", []):
            assert hasattr(facade, name), f"simulator.{room}.__all__ names {name!r}"


def test_no_facade_name_is_also_a_module_of_its_room() -> None:
    # Importing a submodule sets it as an attribute of the package: an exported function of
    # the same name would turn into the module once anything imported that module directly.
    for room in LEVEL:
        facade = importlib.import_module(f"simulator.{room}")
        modules = {p.stem for p in (PACKAGE / room).glob("*.py")}
        lazy = getattr(facade, "_WHERE", {})
        assert not set(lazy) & modules, f"simulator.{room}: {sorted(set(lazy) & modules)}"


def test_every_exception_derives_from_simulator_error() -> None:
    for info in pkgutil.walk_packages(simulator.__path__, "simulator."):
        if "migrations" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == info.name
            ):
                assert issubclass(value, SimulatorError), f"{info.name}.{name}"


def test_no_call_stack_walking_or_streamlit_internals_in_the_app() -> None:
    for path in [ROOT / "app.py", *(ROOT / "app_pages").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert "_getframe" not in text and "PagesManager" not in text, path
