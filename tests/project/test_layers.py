"""The package's layers go one way, and nothing imports in a circle.

Every module of `src/mil62sched` belongs to one layer (by its package or name); a module may
import its own layer and the layers below it, never one above. Imports are read from the source
with `ast` (imports inside functions and under TYPE_CHECKING count too: they are dependencies
all the same), so the check needs nothing installed and fails on the first upward arrow.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from tests.conftest import PACKAGE

# Top to bottom. A module's layer is the first entry its dotted name starts with.
LAYERS = (
    ("mil62sched.__main__", "mil62sched.cli"),
    ("mil62sched.commands",),
    ("mil62sched.environment",),  # one run's context, passed down from the command
    ("mil62sched.roster",),  # a whole site: above the formats, which show its values (model)
    ("mil62sched.formats",),
    ("mil62sched.sdtm",),  # the SDTM trial-design datasets: from the protocol, beside the formats
    ("mil62sched.site",),
    # pure: a plan; a screened person's dates; a plan under an amendment, and what it changes
    ("mil62sched.engine", "mil62sched.eligibility", "mil62sched.amendment"),
    ("mil62sched.protocol",),
    ("mil62sched.parse",),
    ("mil62sched.model",),
    ("mil62sched.cache",),
    ("mil62sched.i18n",),  # the language of what people read: formats and commands use it
    ("mil62sched.sheets",),
    ("mil62sched.inputs",),  # reading input files
    ("mil62sched.diagnostics",),  # the one writer of standard error
    ("mil62sched.outputs",),  # writing files and standard output
    ("mil62sched.errors",),
    ("mil62sched.messages",),  # words made where they arise (Message), rendered at the edge
    ("mil62sched",),  # the package itself: its name and version
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> int:
    for index, names in enumerate(LAYERS):
        if any(module == name or module.startswith(name + ".") for name in names):
            return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def _imports(path: Path) -> set[str]:
    """The mil62sched modules a file imports (`from a import b` counts b when it is a module)."""
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("mil62sched")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("mil62sched"):
                continue
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in modules else node.module)
    return found


@functools.cache
def _graph() -> dict[str, set[str]]:
    return {
        _module_name(path): _imports(path) - {_module_name(path)}
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def test_every_module_is_in_a_layer() -> None:
    for module in _graph():
        _layer(module)


@pytest.mark.parametrize("module", sorted(_graph()))
def test_no_module_imports_a_layer_above_its_own(module: str) -> None:
    upward = sorted(name for name in _graph()[module] if _layer(name) < _layer(module))
    assert not upward, f"{module} imports from a layer above it: {', '.join(upward)}"


def test_no_import_cycle() -> None:
    graph = _graph()
    state: dict[str, str] = {}  # "open" while on the path, "done" after

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for name in sorted(graph.get(module, ())):
            if state.get(name) == "open":
                cycle = [*path[path.index(name) :], name] if name in path else [module, name]
                raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
            if name not in state:
                visit(name, [*path, name])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_the_check_sees_an_upward_import() -> None:
    """The check itself can fail: the engine importing a format would be caught."""
    assert _layer("mil62sched.formats.table") < _layer("mil62sched.engine")
    assert _layer("mil62sched.engine") < _layer("mil62sched.model.plan")


def test_run_wide_state_lives_in_the_environment() -> None:
    """Issue 17 #2: no ContextVar, no module global set at run time, and no terminal check outside
    the run's Environment (`environment.py`), which is built once and passed down."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "environment.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Global):
                found.append(f"{path.name}: global {', '.join(node.names)}")
            elif isinstance(node, ast.Attribute) and node.attr in ("isatty", "ContextVar"):
                found.append(f"{path.name}: {node.attr}")
            elif isinstance(node, ast.ImportFrom) and node.module == "contextvars":
                found.append(f"{path.name}: imports contextvars")
    assert not found, found
