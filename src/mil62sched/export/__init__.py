"""The exporters: one module per format, each with `render(plan, *, styled) -> str`.

Modules are imported only when their format is used, so `plan --format json` never pays for
rich or icalendar.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol as Interface

from mil62sched.engine import Plan
from mil62sched.errors import UsageError

FORMATS = ("table", "csv", "json", "md", "ics")
_EXTENSIONS = {".csv": "csv", ".json": "json", ".md": "md", ".ics": "ics", ".txt": "table"}


class Exporter(Interface):
    """What every exporter module provides."""

    def render(self, plan: Plan, *, styled: bool = False) -> str: ...


def check_format(fmt: str) -> str:
    """Return `fmt` if it is a known format, else refuse it with the accepted ones."""
    if fmt.lower() not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: accepted: {', '.join(FORMATS)}")
    return fmt.lower()


def exporter(fmt: str) -> Exporter:
    """The exporter module for `fmt`, imported on first use."""
    module: Exporter = importlib.import_module(f"mil62sched.export.{check_format(fmt)}")
    return module


def format_for(fmt: str | None, output: Path | None) -> str:
    """The format to write: `--format` when given, else from the output's extension, else table."""
    if fmt is not None:
        return check_format(fmt)
    if output is None:
        return "table"
    if output.is_dir():
        raise UsageError(f"output {str(output)!r} is a folder: give a file name")
    found = _EXTENSIONS.get(output.suffix.lower())
    if found is None:
        raise UsageError(
            f"cannot tell the format of {str(output)!r} from its extension: "
            f"use one of {', '.join(_EXTENSIONS)} or give --format ({', '.join(FORMATS)})"
        )
    return found
