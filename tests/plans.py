"""Plans of the built-in protocol as the engine and the CLI give them, for the tests of
windows and working days."""

from __future__ import annotations

import json
from datetime import date

from mil62sched import engine, protocol
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Visit
from tests.conftest import Run, without_study_dates


def by_code(arm: str, start: str, **kwargs: object) -> dict[VisitCode, Visit]:
    """The visits of a one-period plan, by code."""
    result = engine.plan(protocol.load(), arm, date.fromisoformat(start), **kwargs)  # type: ignore[arg-type]
    return {visit.code: visit for visit in result.visits}


def plan_json(run: Run, *extra: str, arm: str = "phase3-rcp", start: str) -> dict[str, object]:
    result = run("plan", "--arm", arm, "--start", start, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    assert without_study_dates(result.stderr) == ""  # issue 9 #12: those warn, on purpose
    document: dict[str, object] = json.loads(result.stdout)
    return document


def visits_of(document: dict[str, object]) -> dict[str, dict[str, object]]:
    visits = document["visits"]
    assert isinstance(visits, list)
    return {f"{v['period']}:{v['code']}": v for v in visits}
