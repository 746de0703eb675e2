"""How the terminal views read (issue 9): wording, widths that never cut a code, a date or a
dose, and marks that do not depend on colour."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Run

README_ROSTER = Path(__file__).parent.parent / "examples" / "roster.csv"
README_ACTUALS = Path(__file__).parent.parent / "examples" / "actuals.csv"
AGENDA = (
    "agenda", str(README_ROSTER), "--actuals", str(README_ACTUALS), "--from", "2025-09-29",
    "--days", "14", "--today", "2025-09-29",
)  # fmt: skip


def test_one_chair_is_singular(run: Run) -> None:
    # The README's site: two infusions on 2025-09-29 (CT303-0004 and CT303-0005), one chair.
    result = run(*AGENDA, "--chairs", "1")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Due 2025-09-29 to 2025-10-12, 1 chair a day"
    assert lines[-1] == "* 2025-09-29: 2 infusions for 1 chair"


def test_two_chairs_stay_plural(run: Run) -> None:
    result = run(*AGENDA, "--chairs", "2")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Due 2025-09-29 to 2025-10-12, 2 chairs a day"
