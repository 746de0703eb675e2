"""The smaller items of issue 9: a moved visit's working-day fields (#4), every bad --holidays
row (#11), study dates (#12), --time/--remind outside calendars (#10), the month view's marks
when styled (#9) and the agenda's width (#1, agenda).

Dates worked by hand: 2025-10-01..07 is the 2025 National Day holiday (with Mid-Autumn on
10-06 and the substituted day off on 10-07, 10-08), 2025-09-30 a Tuesday, a working day.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

from tests.conftest import Run

ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")
AGENDA = (
    "agenda", "examples/roster.csv", "--actuals", "examples/actuals.csv", "--from",
    "2025-09-29", "--today", "2025-09-29",
)  # fmt: skip


# --- agenda width: the terminal's width, as plan and roster get it ------------------------------


@pytest.mark.parametrize("width", [80, 130])
def test_the_agenda_follows_the_width_the_cli_measures(
    run: Run, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    # No COLUMNS: only the width the command measures (shutil) can tell the table how wide it is.
    monkeypatch.chdir(os.path.join(os.path.dirname(__file__), ".."))
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setattr(shutil, "get_terminal_size", lambda *a: os.terminal_size((width, 40)))
    result = run(*AGENDA, "--chairs", "1")
    assert result.exit_code == 0, result.stderr
    lines = ANSI_CODE.sub("", result.stdout).splitlines()
    assert all(len(line) <= width for line in lines), width
    rule = next(line for line in lines if "━" in line)
    assert len(rule.rstrip()) == width - 1  # the table spans the measured width
    text = "\n".join(lines)
    for whole in ("2025-09-08", "2025-09-29", "2025-10-01", "CT303-0002", "RCP W3D1"):
        assert whole in text
