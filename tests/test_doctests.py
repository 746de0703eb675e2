"""Run the examples in the package's docstrings."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import mil62sched

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(mil62sched.__path__, "mil62sched.")
    if not name.endswith("__main__")
)  # fmt: skip


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
