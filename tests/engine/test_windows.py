"""Visit windows (issue 3, part 1): none unless the protocol or --window gives one, from the CLI
and from a protocol file's per-visit windows. (Moving a visit inside its window to a working
day is site/test_workdays.py.)

Every WnD1 falls on the start's weekday: W3D1 = start + 14 days, W25D1 = start + 168 days,
W27D1 = start + 182 days.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mil62sched import engine, protocol
from mil62sched.errors import ProtocolError
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Policy
from mil62sched.model.protocol import Window
from mil62sched.site.workdays import SiteCalendar
from tests.conftest import Run, error_line
from tests.plans import by_code, plan_json, visits_of

TRIAL = protocol.load()
CN = SiteCalendar("CN")
W1D1, W3D1, W25D1, W27D1 = (VisitCode.parse(c) for c in ("W1D1", "W3D1", "W25D1", "W27D1"))
D = date.fromisoformat


# --- windows ------------------------------------------------------------------------------------


def test_no_window_by_default_the_registry_states_none() -> None:
    for visit in by_code("phase3-rcp", "2024-01-01", policy=Policy(site=CN)).values():
        assert visit.window is None
        assert (visit.window_start, visit.window_end) == (None, None)
        assert visit.in_window is None


def test_no_window_in_json_is_null(run: Run) -> None:
    visits = visits_of(plan_json(run, start="2024-01-01"))
    assert {(v["window_start"], v["window_end"]) for v in visits.values()} == {(None, None)}


def test_symmetric_window_from_the_cli(run: Run) -> None:
    # W3D1 = 2024-01-01 + 14 = 2024-01-15; +-3 days -> 01-12 .. 01-18.
    # W25D1 = 2024-01-01 + 168: Jan 31 (+30), Feb 29 (+59, leap), Mar 31 (+90), Apr 30 (+120),
    # May 31 (+151), +17 -> 2024-06-17; +-3 -> 06-14 .. 06-20.
    visits = visits_of(plan_json(run, "--window", "3", start="2024-01-01"))
    assert (visits["RCP:W3D1"]["window_start"], visits["RCP:W3D1"]["window_end"]) == (
        "2024-01-12",
        "2024-01-18",
    )
    assert (visits["RCP:W25D1"]["window_start"], visits["RCP:W25D1"]["window_end"]) == (
        "2024-06-14",
        "2024-06-20",
    )


def test_before_after_window_from_the_cli(run: Run) -> None:
    # --window 1,2: one day before, two after. W3D1 2024-01-15 -> 01-14 .. 01-17.
    visits = visits_of(plan_json(run, "--window", "1,2", start="2024-01-01"))
    assert (visits["RCP:W3D1"]["window_start"], visits["RCP:W3D1"]["window_end"]) == (
        "2024-01-14",
        "2024-01-17",
    )


def test_zero_window_is_the_target_day_only(run: Run) -> None:
    visits = visits_of(plan_json(run, "--window", "0", start="2024-01-01"))
    assert visits["RCP:W3D1"]["window_start"] == visits["RCP:W3D1"]["window_end"] == "2024-01-15"


@pytest.mark.parametrize("typed", ["3,", "-1", "a", "1,2,3", "1000", ",3", "1.5"])
def test_bad_window_is_refused(run: Run, typed: str) -> None:
    line = error_line(
        run("plan", "--arm", "phase3-rcp", "--start", "2024-01-01", "--window", typed)
    )
    assert line == (
        f"invalid window {typed!r}: use N (days either side, e.g. 3) or B,A (days before and "
        "after, e.g. 1,3), whole numbers from 0 to 60"
    )


@pytest.fixture(scope="module")
def windowed_protocol(tmp_path_factory: pytest.TempPathFactory) -> protocol.Protocol:
    """The built-in protocol with a default window [1, 2] and W3D1 [3, 3] on phase3-rcp."""
    text = protocol.BUILTIN.read_text(encoding="utf-8")
    marker = 'name = "phase3-rcp"\n'
    assert text.count(marker) == 1
    text = text.replace(marker, marker + "window = [1, 2]\nwindows = { W3D1 = [3, 3] }\n")
    path = tmp_path_factory.mktemp("protocol") / "windowed.toml"
    path.write_text(text, encoding="utf-8")
    return protocol.load(path)


def test_protocol_file_gives_per_visit_windows(windowed_protocol: protocol.Protocol) -> None:
    result = engine.plan(windowed_protocol, "phase3-rcp", D("2024-01-01"))
    windows = {visit.code: visit.window for visit in result.visits}
    assert windows == {
        W1D1: Window(1, 2),
        W3D1: Window(3, 3),  # the per-visit entry beats the schedule's default
        W25D1: Window(1, 2),
        W27D1: Window(1, 2),
    }
    w3d1 = result.visits[1]
    # 2024-01-15 - 3 = 01-12, + 3 = 01-18.
    assert (w3d1.window_start, w3d1.window_end) == (D("2024-01-12"), D("2024-01-18"))


def test_window_option_overrides_the_protocol_windows(
    windowed_protocol: protocol.Protocol,
) -> None:
    result = engine.plan(
        windowed_protocol, "phase3-rcp", D("2024-01-01"), policy=Policy(window=Window(0, 5))
    )
    assert {visit.window for visit in result.visits} == {Window(0, 5)}


def test_protocol_window_of_bad_shape_is_refused(tmp_path: Path) -> None:
    text = protocol.BUILTIN.read_text(encoding="utf-8")
    marker = 'name = "phase3-rcp"\n'
    (tmp_path / "bad.toml").write_text(
        text.replace(marker, marker + "windows = { W3D1 = [-1, 3] }\n"), encoding="utf-8"
    )
    # Worded as `protocol validate` words it (issue 15 #2).
    with pytest.raises(
        ProtocolError, match=r"schedules\[2\]\.windows\.W3D1\[0\]: -1 is less than the minimum of 0"
    ):
        protocol.load(tmp_path / "bad.toml")
