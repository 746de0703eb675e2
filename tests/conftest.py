"""Shared test fixtures: a CLI runner with a fixed terminal width, and golden-file helpers."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

# rich reads these when typer formats help; fixed so output is the same on every machine.
os.environ["TERMINAL_WIDTH"] = "100"
os.environ["COLUMNS"] = "100"
os.environ.pop("FORCE_COLOR", None)

GOLDEN = Path(__file__).parent / "golden"
_DTSTAMP = re.compile(r"^DTSTAMP:\d{8}T\d{6}Z(?=\r?$)", re.MULTILINE)


def normalise_dtstamp(ics: str) -> str:
    """Replace every DTSTAMP value, the only field that changes between two exports."""
    return _DTSTAMP.sub("DTSTAMP:19700101T000000Z", ics)


Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """Run `mil62sched ARGS...` in-process; the result has exit_code, stdout and stderr."""
    from mil62sched.cli import app

    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), prog_name="mil62sched")

    return invoke
