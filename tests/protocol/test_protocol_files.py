"""Protocol files (issue 11): --protocol FILE, `format = 1`, the JSON Schema, `protocol validate`,
`show` and `schema`, day-numbered codes, visit kinds and windows, repeat rules, and a second trial
(SAkuraStar, satralizumab) planned by every command.

Dates below are worked out by hand from the registry words, never copied from the program:
study day n is start + (n - 1) days from D1 on, start + n days before it (there is no day 0).
"""

from __future__ import annotations

import csv
import gc
import io
import json
import re
import tomllib
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from mil62sched import engine, protocol
from mil62sched.cli import app
from mil62sched.errors import ProtocolError, UsageError
from mil62sched.formats import csv_rows
from mil62sched.formats.contract import plan_visits
from mil62sched.model.codes import W1D1, VisitCode
from mil62sched.site import chairs
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "protocols"
SATRA = EXAMPLES / "satralizumab-sakurastar.toml"
MIL62_WINDOWS = EXAMPLES / "mil62-ct303-site-windows.toml"
SCHEMA = json.loads(protocol.SCHEMA.read_text(encoding="utf-8"))
BUILTIN_TEXT = protocol.BUILTIN.read_text(encoding="utf-8")
D = date.fromisoformat


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), prog_name="mil62sched", env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str, name: str = "trial.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edit(old: str, new: str, text: str = BUILTIN_TEXT) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# --- day-numbered visit codes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "study_day", "day_of_2024"),
    [
        ("D1", 1, "2024-01-01"),
        ("D15", 15, "2024-01-15"),
        ("d29", 29, "2024-01-29"),
        ("D-1", -1, "2023-12-31"),  # the day before D1: there is no day 0
        ("D-28", -28, "2023-12-04"),  # 31 Dec is D-1, so 4 Dec is D-28
    ],
)
def test_day_codes_count_study_days_without_a_day_zero(
    text: str, study_day: int, day_of_2024: str
) -> None:
    code = VisitCode.parse(text)
    assert code.study_day == study_day
    assert code.date_from(D("2024-01-01")) == D(day_of_2024)
    assert str(code) == text.upper()


def test_a_day_code_is_the_visit_its_week_code_names() -> None:
    assert VisitCode.parse("D1") == W1D1
    assert VisitCode.parse("D15") == VisitCode.parse("W3D1")
    assert hash(VisitCode.parse("D169")) == hash(VisitCode.parse("W25D1"))
    assert sorted(map(VisitCode.parse, ["W3D1", "D-1", "D2", "D-28", "W1D1"])) == list(
        map(VisitCode.parse, ["D-28", "D-1", "W1D1", "D2", "W3D1"])
    )


@pytest.mark.parametrize("text", ["D0", "D-0", "D", "D1.5", "D01", "D-01", "D+1"])
def test_malformed_day_codes_are_refused_with_the_day_form(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        VisitCode.parse(text)
    message = str(caught.value)
    assert repr(text) in message or "'D0'" in message
    assert "Dn" in message
    assert "no day 0" in message


def test_week_code_errors_are_unchanged() -> None:
    with pytest.raises(UsageError) as caught:
        VisitCode.parse("W0D1")
    assert str(caught.value) == (
        "invalid visit code 'W0D1': use WnDm with week n >= 1 and day m from 1 to 7, e.g. W1D1, "
        "W3D1, W25D1"
    )


# --- format = 1 ---------------------------------------------------------------------------------


def test_the_builtin_file_says_format_1() -> None:
    assert tomllib.loads(BUILTIN_TEXT)["format"] == 1


def test_an_unknown_format_is_refused_with_the_versions_understood(tmp_path: Path) -> None:
    path = write(tmp_path, edit("format = 1", "format = 2"))
    with pytest.raises(ProtocolError) as caught:
        protocol.load(path)
    assert str(caught.value) == (
        f"{path}: protocol format 2 is not understood: this mil62sched reads format 1"
    )


def test_a_file_without_format_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, edit("format = 1\n", ""))
    with pytest.raises(ProtocolError, match=r"format is not given .*reads format 1"):
        protocol.load(path)


# --- [protocol] version and amends (issue 19 #4) -------------------------------------------------


def test_a_file_without_a_protocol_version_keeps_working() -> None:
    """Format 1 files written before `version` existed load as they did: no version."""
    trial = protocol.load()
    assert (trial.version, trial.amends) == (None, None)
    assert protocol.load(SATRA).version is None


def test_the_protocol_version_and_what_it_amends_are_read(tmp_path: Path) -> None:
    text = edit('id = "MIL62-CT303"\n', 'id = "MIL62-CT303"\nversion = "3.0"\namends = "2.1"\n')
    trial = protocol.load(write(tmp_path, text))
    assert (trial.version, trial.amends) == ("3.0", "2.1")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("version = 3\n", "protocol.version: 3 is not of type 'string'"),
        ('version = ""\n', "protocol.version: must be non-empty text"),
        ('amends = "2.1"\n', "protocol: amends needs version beside it"),
        (
            'version = "3.0"\namends = "3.0"\n',
            "protocol.amends: amends is the version itself (3.0)",
        ),
    ],
)
def test_a_bad_protocol_version_is_refused(tmp_path: Path, lines: str, message: str) -> None:
    path = write(tmp_path, edit('id = "MIL62-CT303"\n', f'id = "MIL62-CT303"\n{lines}'))
    with pytest.raises(ProtocolError) as caught:
        protocol.load(path)
    assert message in str(caught.value)


# --- --protocol FILE on every command that uses the protocol ------------------------------------


SATRA_ROSTER = "participant,arm,start\nS-1,sakurastar-db,2024-01-01\nS-2,sakurastar-db,2024-01-08\n"


@pytest.mark.parametrize(
    "command",
    [
        ["plan", "--arm", "phase3-rcp", "--start", "2024-01-01"],
        ["roster", "ROSTER"],
        ["agenda", "ROSTER", "--from", "2024-01-01"],
        ["arms"],
    ],
)
@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read protocol {path}: No such file or directory"),
        ("format = 2\n", "{path}: protocol format 2 is not understood"),
        ("format = 1\n[protocol]\n", "invalid protocol {path}: "),
        ("format = = 1\n", "cannot read protocol {path}: "),
    ],
)
def test_a_bad_protocol_file_is_one_line_naming_it(
    tmp_path: Path, command: list[str], content: str | None, problem: str
) -> None:
    path = tmp_path / "site-trial.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    roster = write(tmp_path, "participant,arm,start\nP1,phase3-rcp,2024-01-01\n", "r.csv")
    args = [str(roster) if word == "ROSTER" else word for word in command]
    code, out, err = run(*args, "--protocol", str(path))
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mil62sched: error: " + problem.format(path=path)), lines[0]


def test_arms_lists_the_second_trial() -> None:
    code, out, _ = run("arms", "--protocol", str(SATRA))
    assert code == 0
    assert out.splitlines()[0] == "SAkuraStar (NCT02073279) arms:"
    assert re.search(r"sakurastar-db\s+blinded\s+25 infusions", out)
    assert re.search(r"sakurastar-db-placebo\s+unblinded\s+25 infusions", out)


# --- the second trial: SAkuraStar (NCT02073279) -------------------------------------------------

# "120 mg subcutaneously at weeks 0, 2 and 4, then every 4 weeks": week 0 is D1, the start date
# (Monday 2024-01-01); week 2 is D15, week 4 D29, then every 28 days from week 8 (D57) up to the
# file's assumed 96-week double-blind period, whose last dose is week 92 (D645). Screening
# (assumed) opens at D-28. Counted by hand, 28 days at a time:
SATRA_DATES = [
    "2023-12-04",  # D-28 screening (1 Jan - 28 days)
    "2024-01-01",  # D1, week 0
    "2024-01-15",  # D15, week 2
    "2024-01-29",  # D29, week 4
    "2024-02-26",  # D57, week 8: 29 Jan + 28 (January has 31 days)
    "2024-03-25",  # D85: 26 Feb + 28 (February 2024 has 29 days)
    "2024-04-22",
    "2024-05-20",
    "2024-06-17",
    "2024-07-15",
    "2024-08-12",
    "2024-09-09",
    "2024-10-07",
    "2024-11-04",
    "2024-12-02",
    "2024-12-30",  # D365
    "2025-01-27",
    "2025-02-24",
    "2025-03-24",  # February 2025 has 28 days
    "2025-04-21",
    "2025-05-19",
    "2025-06-16",
    "2025-07-14",
    "2025-08-11",
    "2025-09-08",
    "2025-10-06",  # D645 = 2024-01-01 + 644 days: 366 to 2025-01-01, then 278 more
]
SATRA_CODES = ["D-28", "D1", "D15", "D29"] + [f"D{57 + 28 * n}" for n in range(22)]


@pytest.mark.parametrize(
    "arm", ["sakurastar-db", "sakurastar-db-satralizumab", "sakurastar-db-placebo"]
)
def test_satralizumab_dates_are_the_hand_checked_ones(arm: str) -> None:
    trial = protocol.load(SATRA)
    plan = engine.plan(trial, arm, D("2024-01-01"))
    assert [visit.date.isoformat() for visit in plan.visits] == SATRA_DATES
    assert [str(visit.code) for visit in plan.visits] == SATRA_CODES
    assert SATRA_CODES[-1] == "D645"  # 57 + 28 * 21
    assert [visit.kind for visit in plan.visits] == ["screening"] + ["infusion"] * 25
    window = plan.visits[0]
    assert (window.window_start, window.window_end) == (D("2023-12-04"), D("2023-12-31"))


def test_satralizumab_doses_by_arm() -> None:
    trial = protocol.load(SATRA)
    start = D("2024-01-01")
    for arm, label, dose in [
        ("sakurastar-db", "Satralizumab 120 mg or placebo SC", None),
        ("sakurastar-db-satralizumab", "Satralizumab 120 mg SC", 120),
        ("sakurastar-db-placebo", "Placebo SC", 0),
    ]:
        infusions = engine.plan(trial, arm, start).visits[1:]
        assert {(v.treatment.label, v.treatment.dose_mg) for v in infusions} == {(label, dose)}


def test_plan_on_the_second_trial_in_every_format(tmp_path: Path) -> None:
    base = ["plan", "--protocol", str(SATRA), "--start", "2024-01-01", "--no-holidays"]
    code, out, err = run(*base, "--arm", "sakurastar-db", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["date"] for row in rows] == SATRA_DATES
    assert [row["kind"] for row in rows] == ["screening"] + ["infusion"] * 25
    assert rows[0]["treatment"] == rows[0]["dose_mg"] == ""
    # `kind` was added last, then `protocol_version` (issue 18) after it.
    assert list(rows[0])[-2:] == ["kind", "protocol_version"]
    code, out, err = run(*base, "--arm", "sakurastar-db-placebo", "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["protocol"] == "SAkuraStar"
    assert document["registry"] == "NCT02073279"
    assert [v["date"] for v in document["visits"]] == SATRA_DATES
    assert document["visits"][0]["treatment"] is None
    assert document["visits"][0]["kind"] == "screening"
    assert {v["dose_mg"] for v in document["visits"][1:]} == {0}
    for fmt in ("table", "md", "calendar"):
        code, out, err = run(*base, "--arm", "sakurastar-db", "--format", fmt)
        assert code == 0, err
        assert "2025-10-06" in out or fmt == "calendar"
        assert "25 infusions, 1 other visit" in out or fmt == "md"
    target = tmp_path / "S-1.ics"
    code, _, err = run(*base, "--arm", "sakurastar-db", "--participant", "S-1", "-o", str(target))
    assert code == 0, err
    calendar = target.read_text(encoding="utf-8")
    starts = re.findall(r"DTSTART;VALUE=DATE:(\d{8})", calendar)
    assert starts == [day.replace("-", "") for day in SATRA_DATES]
    assert "SUMMARY:S-1 D-28 screening visit" in calendar


def test_roster_and_agenda_on_the_second_trial(tmp_path: Path) -> None:
    roster = write(tmp_path, SATRA_ROSTER, "site.csv")
    code, out, err = run("roster", str(roster), "--protocol", str(SATRA), "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["date"] for r in rows if r["participant"] == "S-1"] == SATRA_DATES
    # S-2 starts a week later: every date 7 days on.
    assert [r["date"] for r in rows if r["participant"] == "S-2"] == [
        (D(day) + timedelta(days=7)).isoformat() for day in SATRA_DATES
    ]
    # S-1's screening (D-28) was done on its day; nothing is recorded for S-2.
    actuals = write(tmp_path, "participant,code,date\nS-1,D-28,2023-12-04\n", "actuals.csv")
    code, out, err = run(
        "agenda", str(roster), "--protocol", str(SATRA), "--actuals", str(actuals),
        "--from", "2024-01-13", "--days", "7", "--today", "2024-01-13", "--no-holidays",
        "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    due = [
        (r["participant"], r["code"], r["date"], r["flags"])
        for r in csv.DictReader(io.StringIO(out))
    ]
    # S-2 has no record: untracked, its past visits (screening 2023-12-11, D1 2024-01-08) not
    # flagged (issue 16 #2), a row of its own first. Then S-1's D1 (2024-01-01), its day
    # closed before 2024-01-13 with nothing recorded: overdue; then S-1's D15 on 2024-01-15.
    # S-2's D15 (2024-01-22) is after the 7 days.
    assert due == [
        ("S-2", "", "", "untracked"),
        ("S-1", "D1", "2024-01-01", "overdue"),
        ("S-1", "D15", "2024-01-15", ""),
    ]


def test_chairs_count_only_infusions() -> None:
    trial = protocol.load(SATRA)
    # Participant A is screened (D-28) on the day participant B has their D1: one infusion.
    one = engine.plan(trial, "sakurastar-db", D("2024-01-29"))
    two = engine.plan(trial, "sakurastar-db", D("2024-01-01"))
    assert one.visits[0].date == two.visits[1].date == D("2024-01-01")
    assert chairs.load([one, two])[D("2024-01-01")] == 1


def test_csv_rows_say_what_the_json_says_for_other_visits() -> None:
    trial = protocol.load(MIL62_WINDOWS)
    plan = engine.plan(trial, "phase3", D("2025-09-17"), participant="CT303-0007")
    fields = plan_visits(plan)
    rows = list(csv_rows.rows(plan))
    header = csv_rows.HEADER
    for visit, row in zip(fields, rows, strict=True):
        assert row == [csv_rows.cell(_plan_or_visit(visit, name)) for name in header]
    assert {visit["kind"] for visit in fields} == {
        "screening", "infusion", "assessment", "end-of-treatment", "follow-up",
    }  # fmt: skip


def _plan_or_visit(visit: dict[str, object], name: str) -> object:
    heads = {"protocol": "MIL62-CT303", "arm": "phase3", "masking": "blinded"}
    heads |= {"participant": "CT303-0007", "start": "2025-09-17"}
    heads["before_study_start"] = False  # 2025-09-17 is after the study start, 2022-08-18
    return heads[name] if name in heads else visit[name]


# --- the MIL62 example with site windows --------------------------------------------------------


def test_the_windows_example_keeps_the_registry_infusions() -> None:
    """The example's infusion dates are the built-in file's, for every arm: only windows and
    visits that are not infusions were added."""
    builtin, example = protocol.load(), protocol.load(MIL62_WINDOWS)
    assert list(builtin.arms) == list(example.arms)
    start = D("2024-03-04")
    for name in builtin.arms:
        mine = [
            (v.period, v.code, v.date, v.treatment)
            for v in engine.plan(example, name, start).visits
            if v.kind == "infusion"
        ]
        theirs = [
            (v.period, v.code, v.date, v.treatment)
            for v in engine.plan(builtin, name, start).visits
        ]
        assert mine == theirs, name


def test_the_windows_example_states_its_windows() -> None:
    """No window at W1D1; W3D1 1 day before, 2 after; other visits 3 either side; screening
    D-28 to D-1 (the example's made-up windows, as its comments say)."""
    plan = engine.plan(protocol.load(MIL62_WINDOWS), "phase3-rcp", D("2024-03-04"))
    by_code = {str(v.code): v for v in plan.visits}
    assert by_code["W1D1"].window is None
    assert by_code["W1D1"].window_start is None
    # W3D1 = 2024-03-18; 1 day before, 2 after.
    assert (by_code["W3D1"].window_start, by_code["W3D1"].window_end) == (
        D("2024-03-17"),
        D("2024-03-20"),
    )
    # W25D1 = 2024-08-19 (169 days): 3 days either side.
    assert (by_code["W25D1"].window_start, by_code["W25D1"].window_end) == (
        D("2024-08-16"),
        D("2024-08-22"),
    )
    # Screening: D-28 = 2024-02-05 (4 March - 28 days, 2024 a leap year) to D-1 = 2024-03-03.
    assert (by_code["D-28"].window_start, by_code["D-28"].window_end) == (
        D("2024-02-05"),
        D("2024-03-03"),
    )
    assert "EXAMPLE" in MIL62_WINDOWS.read_text(encoding="utf-8").splitlines()[0]


# --- repeat rules -------------------------------------------------------------------------------

PHASE1B_LIST = (
    'visits = ["W1D1", "W3D1", "W25D1", "W27D1", "W53D1", "W79D1", "W105D1", "W131D1", "W157D1", '
    '"W183D1", "W209D1"]'
)
PHASE1B_RULE = (
    'visits = ["W1D1", "W3D1", "W25D1"]\n'
    'repeat = { every_weeks = 26, from = "W27D1", through = "W209D1" }'
)
OLP_LIST = 'visits = ["W1D1", "W3D1", "W27D1", "W53D1", "W79D1", "W105D1", "W131D1"]'
OLP_RULE = 'visits = ["W1D1", "W3D1"]\nrepeat = { every_weeks = 26, from = "W27D1", count = 5 }'


def test_the_registry_schedules_written_as_rules_give_the_same_dates(tmp_path: Path) -> None:
    """'every 26 weeks from W27D1 through W209D1' is the registry's Phase 1b list after W25D1,
    and the OLP's from W27D1 is 5 visits 26 weeks apart (W27, 53, 79, 105, 131)."""
    text = BUILTIN_TEXT.replace(PHASE1B_LIST, PHASE1B_RULE).replace(OLP_LIST, OLP_RULE)
    assert text.count("repeat = ") == 5  # 2 Phase 1b + 3 OLP schedules
    ruled = protocol.load(write(tmp_path, text))
    builtin = protocol.load()
    for name in builtin.arms:
        for start in (D("2024-01-01"), D("2025-09-17")):
            mine = engine.plan(ruled, name, start)
            theirs = engine.plan(builtin, name, start)
            assert mine.visits == theirs.visits, name


@pytest.mark.parametrize(
    ("rule", "first", "last", "count"),
    [
        # W4D1 is day 22; 96 weeks later is day 694, not included: W4D1, W8D1 ... W96D1.
        ('{ every_weeks = 4, from = "W4D1", for_weeks = 96 }', "W4D1", "W96D1", 24),
        ('{ every_weeks = 4, from = "D57", through = "D645" }', "D57", "D645", 22),
        ('{ every_weeks = 2, from = "W3D1", count = 3 }', "W3D1", "W7D1", 3),
        # through a day the rule does not land on: the last one before it.
        ('{ every_weeks = 4, from = "D57", through = "D650" }', "D57", "D645", 22),
    ],
)
def test_repeat_rules(tmp_path: Path, rule: str, first: str, last: str, count: int) -> None:
    text = edit(
        'visits = ["W1D1", "W3D1", "W25D1", "W27D1"]\ntreatment = "mil62-1000-or-placebo"',
        f'visits = ["W1D1"]\nrepeat = {rule}\ntreatment = "mil62-1000-or-placebo"',
    )
    text = text.replace('unblinds = "phase3-rcp"\nvisits = ["W1D1", "W3D1", "W25D1", "W27D1"]', (
        f'unblinds = "phase3-rcp"\nvisits = ["W1D1"]\nrepeat = {rule}'
    ))  # fmt: skip
    visits = protocol.load(write(tmp_path, text)).schedule("phase3-rcp").visits[1:]
    assert (str(visits[0]), str(visits[-1]), len(visits)) == (first, last, count)


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        # Worded by the JSON Schema, as `protocol validate` words them (issue 15 #2).
        ('{ every_weeks = 4, from = "W4D1" }', "repeat: needs one of through, for_weeks, count"),
        ('{ every_weeks = 0, from = "W4D1", count = 2 }', "0 is less than the minimum of 1"),
        ('{ every_weeks = 1, from = "W4D1", count = 5000 }', "at most 1000"),
        ('{ every_weeks = 4, from = "W4D1", through = "W2D1" }', "is before its from"),
        ('{ every_weeks = 2, from = "W3D1", count = 2 }', "repeat gives W3D1, which is already"),
        (
            '{ every_weeks = 2, from = "W4D1", count = 2, each = 1 }',
            "repeat.each: Additional properties are not allowed ('each' was unexpected); accepted: "
            "every_weeks, from, through, for_weeks, count, kind, window",
        ),
    ],
)
def test_bad_repeat_rules_are_refused(tmp_path: Path, rule: str, problem: str) -> None:
    text = edit(PHASE1B_LIST, f'visits = ["W1D1", "W3D1"]\nrepeat = {rule}')
    with pytest.raises(ProtocolError, match=re.escape(problem)):
        protocol.load(write(tmp_path, text))


# --- the JSON Schema ----------------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(
    "path", [protocol.BUILTIN, *sorted(EXAMPLES.glob("*.toml"))], ids=lambda p: p.name
)
def test_the_builtin_file_and_every_example_validate(path: Path) -> None:
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    assert list(Draft202012Validator(SCHEMA).iter_errors(table)) == []
    code, out, err = run("protocol", "validate", str(path))
    assert (code, err) == (0, "")
    trial = protocol.load(path)
    visits = sum(len(s.visits) for s in trial.schedules.values())
    assert out == f"{path}: valid, {len(trial.arms)} arms, {visits} visits\n"


def test_the_builtin_file_counts() -> None:
    """11 arms (8 schedules, 3 journeys) and 2 x 11 + 3 x 4 + 3 x 7 = 55 visits."""
    code, out, _ = run("protocol", "validate", str(protocol.BUILTIN))
    assert code == 0
    assert out.endswith(": valid, 11 arms, 55 visits\n")


def test_a_design_table_is_checked_by_the_schema(tmp_path: Path) -> None:
    """The [design] table (the SDTM trial design, README "Trial-design datasets") is part of the
    format: the built-in one is valid, unknown keys in it are not. Planning does not read it,
    but a file that is not valid is refused by every command (issue 15 #2)."""
    assert list(Draft202012Validator(SCHEMA).iter_errors(tomllib.loads(BUILTIN_TEXT))) == []
    schedules = BUILTIN_TEXT.split("\n[design]\n")[0]
    text = schedules + '\n[design]\nphase = "PHASE3"\ncriteria = [{ kind = "inclusion" }]\n'
    assert list(Draft202012Validator(SCHEMA).iter_errors(tomllib.loads(text))) != []
    path = write(tmp_path, text)
    with pytest.raises(ProtocolError, match=r"design.phase: Additional properties are not allow"):
        protocol.load(path)
    assert protocol.load(write(tmp_path, schedules, "no-design.toml")).id == "MIL62-CT303"
    # Issue 19 #7: arms, elements and epochs may be left out together (made from the schedules),
    # not one without the others.
    arms = '[[design.arms]]\narm = "phase1b-500"\narmcd = "X"\ndescription = "d"\n'
    path = write(tmp_path, f"{schedules}\n[design]\n{arms}", "arms-only.toml")
    with pytest.raises(ProtocolError, match=r"design: arms needs elements and epochs beside it"):
        protocol.load(path)


def test_protocol_schema_prints_the_shipped_schema() -> None:
    code, out, _ = run("protocol", "schema")
    assert code == 0
    assert json.loads(out) == SCHEMA


# --- protocol validate: every problem, with its key path and line ---------------------------


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The line (from 1) of the `occurrence`-th line containing `needle`, counted by hand here
    so that the test does not trust `locate`."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return found[occurrence - 1]


def test_validate_reports_every_problem_with_its_path_and_line(tmp_path: Path) -> None:
    text = BUILTIN_TEXT
    text = edit("format = 1\n", "format = 1\nformt = 1\n", text)  # an unknown top-level key
    text = edit("dose_mg = 500", 'dose_mg = "500"', text)  # treatments.mil62-500
    text = edit('masking = "open-label"', 'masking = "open"', text)  # schedules[0]
    # schedules[2] (phase3-rcp): a malformed code at index 2
    text = edit(
        'masking = "blinded"\nvisits = ["W1D1", "W3D1", "W25D1", "W27D1"]',
        'masking = "blinded"\nvisits = ["W1D1", "W3D1", "W25D9", "W27D1"]',
        text,
    )
    # schedules[6] (phase3-olp-from-mil62) is well formed but reveals another treatment at W3D1
    # than the blinded OLP hides: the loader's blinding check, not the schema, finds it.
    text = edit('overrides = { W3D1 = "placebo" }', 'overrides = { W27D1 = "placebo" }', text)
    path = write(tmp_path, text)
    code, out, err = run("protocol", "validate", str(path))
    assert code == 1
    assert out == ""
    lines = [line.removeprefix("mil62sched: error: ") for line in err.splitlines()]
    expected = [
        (line_of(text, "formt = 1"), "formt", "Additional properties are not allowed"),
        (line_of(text, 'dose_mg = "500"'), "treatments.mil62-500.dose_mg", "is not of type"),
        (line_of(text, 'masking = "open"'), "schedules[0].masking", "'open' is not one of"),
        (line_of(text, '"W25D9"'), "schedules[2].visits[2]", "invalid visit code 'W25D9'"),
        (line_of(text, "[[schedules]]", 6), "schedules[5]", "schedule 'phase3-olp' shows"),
    ]
    assert len(lines) == len(expected) + 1, err
    for line, (number, key_path, words) in zip(lines, expected, strict=False):
        assert line.startswith(f"{path} line {number}: {key_path}: "), line
        assert words in line, line
    assert lines[-1] == f"{path}: 5 problems; not valid"


def test_validate_reports_a_toml_syntax_error_with_its_line(tmp_path: Path) -> None:
    text = edit('sponsor = "Beijing', 'sponsor = = "Beijing')
    path = write(tmp_path, text)
    code, _, err = run("protocol", "validate", str(path))
    assert code == 1
    assert err.splitlines()[0].startswith(
        f"mil62sched: error: {path} line {line_of(text, 'sponsor = =')}: not TOML:"
    )


def test_validate_refuses_another_format(tmp_path: Path) -> None:
    path = write(tmp_path, edit("format = 1", "format = 2"))
    code, _, err = run("protocol", "validate", str(path))
    assert code == 1
    assert err.splitlines()[0] == (
        f"mil62sched: error: {path} line {line_of(BUILTIN_TEXT, 'format = 1')}: format: "
        "protocol format 2 is not understood: this mil62sched reads format 1"
    )


def test_validate_names_a_missing_file(tmp_path: Path) -> None:
    code, _, err = run("protocol", "validate", str(tmp_path / "none.toml"))
    assert code == 1
    assert err.startswith(f"mil62sched: error: cannot read protocol {tmp_path / 'none.toml'}: ")
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("old", "new", "key_path", "needle"),
    [
        ("window = [0, 27] }", "window = [0, -1] }", "schedules[0].visits[0].window", "[0, -1]"),
        ('kind = "screening"', 'kind = "screen"', "schedules[0].visits[0].kind", '"screen"'),
        ("every_weeks = 4", "every_weeks = 0", "schedules[0].repeat.every_weeks", "every_weeks"),
        ('from = "D57"', 'from = "D0"', "schedules[0].repeat.from", '"D0"'),
        (
            "dose_mg = 120",
            "dose_mg = 120\nblinded = true",
            "treatments.satralizumab-120",
            "[treatments.satralizumab-120]",
        ),
    ],
)
def test_broken_example_files_give_the_expected_paths(
    tmp_path: Path, old: str, new: str, key_path: str, needle: str | None
) -> None:
    text = edit(old, new, SATRA.read_text(encoding="utf-8"))
    path = write(tmp_path, text)
    code, _, err = run("protocol", "validate", str(path))
    assert code == 1
    first = err.splitlines()[0].removeprefix("mil62sched: error: ")
    line = f" line {line_of(text, needle)}" if needle else ""
    assert first.startswith(f"{path}{line}: {key_path}"), first


# --- protocol show ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [None, MIL62_WINDOWS, SATRA], ids=str)
def test_show_prints_schedules_journeys_windows_and_citations_in_80_columns(
    path: Path | None,
) -> None:
    code, out, err = run("protocol", "show", *([str(path)] if path else []))
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 80
    trial = protocol.load(path)
    for schedule in trial.schedules.values():
        assert f"\n{schedule.name}" in out
        assert " ".join(schedule.cites.split())[:40] in " ".join(out.split())
    if path == MIL62_WINDOWS:
        assert "W3D1 -1/+2 d" in out
        assert "W25D1 ±3 d" in out
        assert "D-28 screening -0/+27 d" in out
        assert "Journeys" in out
        assert "then phase3-olp (default start at W53D1)" in out
    if path is None:
        assert "no windows" in out


def test_protocol_without_a_command_shows_its_commands() -> None:
    code, out, err = run("protocol")
    assert (code, err) == (0, "")
    for command in ("validate", "show", "schema"):
        assert command in out


def test_a_missing_arm_lists_the_arms_of_the_given_protocol() -> None:
    code, _, err = run("plan", "--protocol", str(SATRA), "--start", "2024-01-01")
    assert code == 2
    assert err == (
        "mil62sched: error: missing option '--arm': one of sakurastar-db, "
        "sakurastar-db-satralizumab, sakurastar-db-placebo\n"
    )


def test_any_protocol_file_is_parsed_once_into_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-user parse cache works for a file given with --protocol, as for the built-in."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("MIL62SCHED_CACHE_DIR", str(folder))
    path = write(tmp_path, SATRA.read_text(encoding="utf-8"))
    fresh = protocol.load(path)
    assert len(list(folder.glob("protocol-*.marshal"))) == 1
    assert protocol.load(path) == fresh
    path.write_text(edit('id = "SAkuraStar"', 'id = "SAkuraStar-2"', path.read_text()))
    assert protocol.load(path).id == "SAkuraStar-2"
    assert len(list(folder.glob("protocol-*.marshal"))) == 2


def test_an_unblinded_schedule_must_have_the_blinded_one_s_kinds(tmp_path: Path) -> None:
    """The placebo arm may not have an assessment where the satralizumab arm has a dose: the
    blinded schedule could not hide it."""
    text = SATRA.read_text(encoding="utf-8")
    placebo = text.index('name = "sakurastar-db-placebo"')
    text = text[:placebo] + edit(
        '    "D15",\n', '    { code = "D15", kind = "assessment" },\n', text[placebo:]
    )
    with pytest.raises(
        ProtocolError, match="has other visits or another period than 'sakurastar-db'"
    ):
        protocol.load(write(tmp_path, text))


# --- hostile protocol files (issue 15) ----------------------------------------------------------


@pytest.mark.parametrize("depth", [40, 900, 5000])
@pytest.mark.parametrize(
    "command",
    [
        ["plan", "--arm", "phase3-rcp", "--start", "2024-01-01", "--protocol"],
        ["arms", "--protocol"],
        ["protocol", "show"],
        ["protocol", "validate"],
    ],
    ids=lambda words: words[0] if words[0] != "protocol" else " ".join(words),
)
def test_a_deeply_nested_protocol_file_is_one_line(
    tmp_path: Path, command: list[str], depth: int
) -> None:
    """About 900 nested arrays ended in a RecursionError (#12); a protocol file nests 6 deep
    (schedules[0].visits[0].window), so 40 is refused as well. `validate` adds its count."""
    path = write(tmp_path, edit("format = 1\n", f"format = 1\nx = {'[' * depth}{']' * depth}\n"))
    # In the whole suite this run once also printed "Exception ignored in sys.unraisablehook
    # ... RecursionError": something finalized at the parser's depth, left by earlier tests in
    # this process (a fresh process has none). Collected first, so only this run is judged.
    gc.collect()
    code, out, err = run(*command, str(path))
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert len(lines) == 1 + (command[-1] == "validate"), err
    assert str(path) in lines[0]
    assert "arrays and tables nested more than 32 levels deep" in lines[0]


def one_schedule(visits: str) -> str:
    """The built-in file's [protocol] and [treatments] with one open-label schedule, "trial",
    whose visits are `visits` (TOML lines: `visits = [...]` and/or `repeat = ...`)."""
    head = BUILTIN_TEXT.split("[[schedules]]")[0]
    return (
        f'{head}[[schedules]]\nname = "trial"\ntitle = "A trial"\nperiod = "P"\n'
        f'masking = "open-label"\n{visits}\ntreatment = "mil62-1000"\ncites = "A sentence."\n'
    )


def rules(count: int, each: int) -> str:
    """`count` repeat rules of `each` visits, on distinct days (every `count` weeks from W2D1,
    W3D1 ...), after W1D1."""
    made = ", ".join(
        f'{{ every_weeks = {count}, from = "W{n + 2}D1", count = {each} }}' for n in range(count)
    )
    return f'visits = ["W1D1"]\nrepeat = [{made}]'


def work(action: Callable[[], object]) -> int:
    """How many lines of mil62sched's own code `action` runs, loops counted per turn: a measure
    of work that does not depend on the machine's speed or load (not a timed test)."""
    import sys

    package = str(Path(protocol.__file__).resolve().parents[1])
    count = 0

    def line(frame: Any, event: str, arg: object) -> Any:
        nonlocal count
        count += event == "line"
        return line

    def call(frame: Any, event: str, arg: object) -> Any:
        return line if frame.f_code.co_filename.startswith(package) else None

    before = sys.gettrace()
    sys.settrace(call)
    try:
        action()
    finally:
        sys.settrace(before)
    return count


@pytest.mark.parametrize(
    ("rule", "dates"),
    [
        # W1D1 on 2024-01-01; W27D1 = day 183 = 2024-07-01, W53D1 = day 365 = 2024-12-30.
        ('{ every_weeks = 26, from = "W27D1", count = 2 }', ["2024-07-01", "2024-12-30"]),
        # D57 = 2024-02-26; 4 weeks on, D85 = 2024-03-25; through D100 stops there.
        ('{ every_weeks = 4, from = "D57", through = "D100" }', ["2024-02-26", "2024-03-25"]),
    ],
)
def test_repeat_rules_give_the_hand_checked_dates(
    tmp_path: Path, rule: str, dates: list[str]
) -> None:
    """Rules are counted in study days, never through a calendar of their own (#7, #11)."""
    trial = protocol.load(write(tmp_path, one_schedule(f'visits = ["W1D1"]\nrepeat = {rule}')))
    plan = engine.plan(trial, "trial", D("2024-01-01"))
    assert [visit.target.isoformat() for visit in plan.visits] == ["2024-01-01", *dates]


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        # W27D1 + 500000 weeks is past the calendar: it was "valid" and gave one visit (#7).
        (
            '{ every_weeks = 500000, from = "W27D1", count = 3 }',
            "repeat reaches W1000027D1, past the calendar: a rule's last visit is at most "
            "W521723D5 (study day 3652059)",
        ),
        (
            '{ every_weeks = 300000, from = "W1D1", for_weeks = 900000 }',
            "repeat reaches W600001D1, past the calendar",
        ),
        (
            '{ every_weeks = 200000, from = "D1", count = 2 }',
            "repeat reaches D1400001, past the calendar: a rule's last visit is at most D999999",
        ),
        # OverflowError (#11).
        ('{ every_weeks = 4, from = "W27D1", through = "W999999D1" }', "repeat gives 249994 "),
        (
            '{ every_weeks = 4, from = "W27D1", for_weeks = 99999999999 }',
            "repeat gives 25000000000 visits",
        ),
        (
            '{ every_weeks = 99999999999, from = "W27D1", count = 2 }',
            "repeat reaches W100000000026D1, past the calendar",
        ),
    ],
)
def test_a_rule_past_the_calendar_is_refused_naming_it(
    tmp_path: Path, rule: str, problem: str
) -> None:
    path = write(tmp_path, one_schedule(f'visits = ["W1D1"]\nrepeat = {rule}'))
    with pytest.raises(ProtocolError, match=re.escape(problem)):
        protocol.load(path)
    plan = ["plan", "--arm", "trial", "--start", "2024-01-01", "--protocol"]
    for command in (["protocol", "validate"], plan):
        code, out, err = run(*command, str(path))
        assert (code, out) == (1, ""), err
        assert problem in err.splitlines()[0]
    code, _, err = run("protocol", "validate", str(path))
    assert f"schedules[0].repeat: schedule 'trial': {problem}" in err


def test_a_schedule_has_at_most_1000_visits(tmp_path: Path) -> None:
    """20 rules of 1000 visits made every plan take a minute (#15): a schedule has at most 1000
    visits, listed and given by rules together, and the rule that passes it is named."""
    for made, place, gives in ((rules(20, 1000), 0, 1000), (rules(20, 50), 19, 50)):
        path = write(tmp_path, one_schedule(made))
        code, out, err = run("protocol", "validate", str(path))
        assert (code, out) == (1, "")
        assert (
            f"schedules[0].repeat[{place}]: schedule 'trial': repeat gives {gives} visits, 1001 "
            "with the schedule's others; a schedule has at most 1000 visits"
        ) in err.splitlines()[0]
    listed = ", ".join(f'"D{day}"' for day in range(1, 1002))
    with pytest.raises(ProtocolError, match="visits lists 1001 visits; a schedule has at most"):
        protocol.load(write(tmp_path, one_schedule(f"visits = [{listed}]")))
    # W1D1 and 999 by rule: exactly 1000.
    trial = protocol.load(write(tmp_path, one_schedule(rules(9, 111))))
    assert len(trial.schedule("trial").visits) == 1000


def test_repeat_rules_are_expanded_and_planned_in_linear_work(tmp_path: Path) -> None:
    """Each code was looked up in a list of the codes before it (#15): twice the visits must
    be about twice the work, not four times."""

    def load_and_plan(text: str) -> Callable[[], object]:
        path = write(tmp_path, text, f"{len(text)}.toml")
        return lambda: engine.plan(protocol.load(path), "trial", D("2024-01-01"))

    small = work(load_and_plan(one_schedule(rules(4, 100))))
    large = work(load_and_plan(one_schedule(rules(8, 100))))
    assert large < 2.6 * small, (small, large)


def invalid_schedules(count: int) -> str:
    """The built-in file with `count` more schedules, each with three problems on its lines."""
    text = BUILTIN_TEXT.split("\n[design]\n")[0]
    for n in range(count):
        text += (
            f'\n[[schedules]]\nname = "extra-{n}"\ntitle = "Extra"\nperiod = "X"\n'
            f'masking = "open"\nvisits = ["W1D1", "W2D9"]\ntreatment = "mil62-1000"\n'
            f'cites = "A sentence."\ncolour = "red"\n'
        )
    return text


@pytest.mark.slow  # seconds of CPU in processes: the full run has it
def test_validate_finds_the_lines_of_many_problems_in_linear_work(tmp_path: Path) -> None:
    """Each problem's line was searched for from the top of the file, again and again: 3000
    invalid schedules took 319 s (#15). Twice the problems must be about twice the work."""
    counted: list[int] = []
    results: list[tuple[int, str, str]] = []
    for count in (100, 200):
        path = str(write(tmp_path, invalid_schedules(count), f"{count}.toml"))

        def validate(path: str = path) -> None:
            results.append(run("protocol", "validate", path))

        counted.append(work(validate))
        code, _, err = results[-1]
        assert code == 1
        assert err.splitlines()[-1].endswith(f": {3 * count} problems; not valid")
    small, large = counted
    assert large < 2.6 * small, (small, large)
    text, lines = invalid_schedules(200), err.splitlines()
    last = 8 + 199  # after the built-in file's 8 schedules
    code_line, colour_line = line_of(text, '"W2D9"', 200), line_of(text, "colour = ", 200)
    assert f"line {code_line}: schedules[{last}].visits[1]: invalid visit code" in lines[-3]
    assert f"line {colour_line}: schedules[{last}].colour: " in lines[-2]


TYPO = edit('overrides = { W3D1 = "placebo" }', 'override = { W3D1 = "placebo" }')


@pytest.mark.parametrize(
    "command",
    [
        ["plan", "--arm", "phase3-olp-from-mil62", "--start", "2024-01-01", "-o", "OUT/p.csv"],
        ["roster", "ROSTER", "-o", "OUT/r.csv"],
        ["agenda", "ROSTER", "--from", "2024-01-01"],
        ["arms"],
        ["sdtm", "-o", "OUT/sdtm"],
    ],
    ids=lambda words: words[0],
)
def test_a_misspelled_key_is_refused_by_every_command_as_validate_says(
    tmp_path: Path, command: list[str]
) -> None:
    """`override` for `overrides` gave MIL62 at W3D1 where the file meant placebo, exit 0 (#2):
    every command refuses a file that is not valid, with the first line `validate` prints."""
    path = write(tmp_path, TYPO, "typo.toml")
    roster = write(
        tmp_path, "participant,arm,start\nP1,phase3-olp-from-mil62,2024-01-01\n", "r.csv"
    )
    (tmp_path / "OUT").mkdir()
    args = [
        str(roster) if word == "ROSTER" else word.replace("OUT", str(tmp_path / "OUT"))
        for word in command
    ]
    code, _, said = run("protocol", "validate", str(path))
    assert code == 1
    expected = (
        f"{path} line {line_of(TYPO, 'override = ')}: schedules[6].override: Additional "
        "properties are not allowed ('override' was unexpected); accepted: name, title, period, "
        "masking, unblinds, aliases, visits, repeat, treatment, overrides, escalation, window, "
        "windows, cites"
    )
    assert said.splitlines()[0] == f"mil62sched: error: {expected}"
    code, out, err = run(*args, "--protocol", str(path))
    assert (code, out) == (1, "")
    assert err == f"mil62sched: error: invalid protocol {expected}\n"
    assert list((tmp_path / "OUT").iterdir()) == []
    code, out, err = run("protocol", "show", str(path))
    assert (code, out, err) == (1, "", f"mil62sched: error: invalid protocol {expected}\n")


def test_a_valid_file_is_checked_once_per_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schema check runs on every load of a file not yet found valid; a valid file's content
    is remembered in the cache, so it pays the check once (#2). The built-in one never does."""
    from mil62sched.protocol import validation

    monkeypatch.setenv("MIL62SCHED_CACHE_DIR", str(tmp_path / "cache"))
    checked: list[str] = []
    real = validation.check

    def counting(text: str, table: dict[str, Any]) -> validation.Checked:
        checked.append(text)
        return real(text, table)

    monkeypatch.setattr(validation, "check", counting)
    protocol.load()
    assert checked == []
    path = write(tmp_path, SATRA.read_text(encoding="utf-8"))
    first = protocol.load(path)
    assert protocol.load(path) == first
    assert len(checked) == 1
    path.write_text(edit('id = "SAkuraStar"', 'id = "SAkuraStar-2"', path.read_text()))
    assert protocol.load(path).id == "SAkuraStar-2"
    assert protocol.load(path).id == "SAkuraStar-2"
    assert len(checked) == 2
    path.write_text(TYPO)  # an invalid file is checked, and refused, at every load
    for _ in range(2):
        with pytest.raises(ProtocolError, match="'override' was unexpected"):
            protocol.load(path)
    assert len(checked) == 4


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            'timezone = "Asia/Shanghai"',
            'timezone = "Asia/Shangai"',
            "protocol.timezone: unknown time zone 'Asia/Shangai': use an IANA name such as "
            "Asia/Shanghai or America/New_York",
        ),
        (
            'timezone = "Asia/Shanghai"',
            'timezone = "../../etc/passwd"',
            "protocol.timezone: unknown time zone '../../etc/passwd': use an IANA name",
        ),
        (
            'country = "CN"',
            'country = "XX"',
            "protocol.country: unknown country 'XX': use an ISO 3166-1 alpha-2 code supported by "
            "the holidays package, e.g. CN or DE",
        ),
    ],
)
def test_the_site_s_zone_and_country_are_checked_at_load(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    """A misspelled zone passed validate, then every plan ended in ZoneInfoNotFoundError; an
    unknown country passed validate (#10)."""
    text = edit(old, new)
    path = write(tmp_path, text)
    line = line_of(text, new)
    code, out, err = run("protocol", "validate", str(path))
    assert (code, out) == (1, "")
    assert err.startswith(f"mil62sched: error: {path} line {line}: {problem}")
    code, out, err = run(
        "plan", "--arm", "phase3-rcp", "--start", "2024-01-01", "--protocol", str(path)
    )
    assert (code, out) == (1, "")
    assert err.startswith(f"mil62sched: error: invalid protocol {path} line {line}: {problem}")
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("old", "new", "key_path", "character"),
    [
        # ESC ] 0 ; ... BEL sets the terminal's title; ESC [ 2 J clears it (#17).
        ('id = "MIL62-CT303"', 'id = "MIL62\\u001b]0;pwned\\u0007"', "protocol.id", "001B"),
        ('label = "MIL62 500 mg"', 'label = "MIL62\\u001b[2J 500 mg"', None, "001B"),
        ('title = "Phase 1b, MIL62 500 mg"', 'title = "Phase 1b\\u0007"', None, "0007"),
        ('period = "Phase 1b"', 'period = "Phase\\u009b1b"', None, "009B"),  # C1 CSI
        ('title = "Phase 1b, MIL62 500 mg"', 'title = "Phase 1b,\\nMIL62"', None, "000A"),
        ('title = "Phase 1b, MIL62 500 mg"', 'title = "Phase 1b,\\tMIL62"', None, "0009"),
        ("[treatments.placebo]", '[treatments."placebo\\u001b"]', None, "001B"),
        ('cites = """Phase 1b: Part', 'cites = """Phase 1b:\\u001b Part', None, "001B"),
    ],
)
def test_control_characters_in_protocol_text_are_refused_at_load(
    tmp_path: Path, old: str, new: str, key_path: str | None, character: str
) -> None:
    """ESC and BEL in a protocol's id or labels reached the terminal raw in tables, the month
    view, `arms` and `protocol show` (#17): refused, naming the key path, as validate does."""
    text = edit(old, new)
    path = write(tmp_path, text)
    code, out, err = run("protocol", "validate", str(path))
    assert (code, out) == (1, "")
    first = err.splitlines()[0]
    assert f"contains a control character (U+{character}): use plain text" in first, first
    if key_path is not None:
        assert f" line {line_of(text, new.split(' = ')[0])}: {key_path}: " in first, first
    for command in (["arms"], ["protocol", "show"]):
        code, out, err = run(*command, *(["--protocol"] if command == ["arms"] else []), str(path))
        assert (code, out) == (1, ""), command
        said = first.removeprefix("mil62sched: error: ")
        assert err == f"mil62sched: error: invalid protocol {said}\n"
        assert not any(c in err for c in "\x1b\x07\x9b")  # the code point is named instead


def test_line_breaks_are_text_only_in_citations(tmp_path: Path) -> None:
    """A citation may span lines (a registry paragraph); the one rule allows it there only."""
    text = edit('cites = """Phase 1b: Part', 'cites = """Phase 1b:\\n\\tPart')
    trial = protocol.load(write(tmp_path, text))
    assert trial.schedules["phase1b-500"].cites.startswith("Phase 1b:\n\tPart")


# --- one rule, one place: the schema says what is malformed, the loader what it means (issue 17 #7)


def edit_nth(old: str, new: str, occurrence: int, text: str = BUILTIN_TEXT) -> str:
    """`text` with the `occurrence`-th `old` (from 1) replaced."""
    parts = text.split(old)
    assert len(parts) > occurrence, old
    return old.join(parts[:occurrence]) + new + old.join(parts[occurrence:])


def problems_of(tmp_path: Path, text: str) -> list[str]:
    """What `protocol validate` says of `text`, one problem a line, without the file's name
    and the count: `line N: key.path: what`."""
    path = write(tmp_path, text)
    code, out, err = run("protocol", "validate", str(path))
    assert (code, out) == (1, ""), err
    lines = [line.removeprefix(f"mil62sched: error: {path}") for line in err.splitlines()]
    count = len(lines) - 1
    assert lines[-1] == f": {count} problem{'s' if count != 1 else ''}; not valid", lines
    return [line.removeprefix(" ") for line in lines[:-1]]


TREATMENT_KEYS = "mil62-500, mil62-1000, placebo, mil62-1000-or-placebo"
OLP_FROM_MIL62 = 'overrides = { W3D1 = "placebo" }'


# --- [eligibility]: the time-bound criteria of `screen` (issue 20) -------------------------------

ELIGIBILITY = BUILTIN_TEXT[BUILTIN_TEXT.index("\n[eligibility]\n") :]


def test_the_builtin_eligibility_table_is_valid_and_covered_by_the_schema() -> None:
    table = tomllib.loads(BUILTIN_TEXT)
    assert "eligibility" in table
    assert list(Draft202012Validator(SCHEMA).iter_errors(table)) == []
    assert "eligibility" in SCHEMA["properties"]
    assert SCHEMA["$defs"]["rule"]["properties"]["kind"]["enum"] == [
        "wait",
        "check",
        "dose",
        "attacks",
    ]


def test_a_file_without_an_eligibility_table_keeps_working(tmp_path: Path) -> None:
    """Format 1 files written before the table existed are valid and plan as before."""
    path = write(tmp_path, BUILTIN_TEXT.replace(ELIGIBILITY, "\n"))
    code, out, err = run("protocol", "validate", str(path))
    assert (code, err) == (0, "")
    assert out.endswith(": valid, 11 arms, 55 visits\n")
    assert run("plan", "--protocol", str(path), "--arm", "phase3", "--start", "2024-01-01")[0] == 0


@pytest.mark.parametrize(
    ("old", "new", "key_path", "message"),
    [
        # the schema: a period is a number and a unit
        ('period = "3 months"', 'period = "3 monts"', "eligibility.rules[5].period",
         "'3 monts' is not a period"),
        ('wording = "exceeds"', 'wording = "exceed"', "eligibility.rules[6].wording",
         "'exceed' is not one of ['within', 'at-least', 'exceeds']"),
        ('kind = "dose"', 'kind = "doses"', "eligibility.rules[2].kind", "'doses' is not one of"),
        # the loader: what a schema cannot say
        ('applies_to = ["live-vaccines"]', 'applies_to = ["live-vaccine"]',
         "eligibility.rules[10].applies_to", "class 'live-vaccine' is not one of"),
        ('arms = ["phase1b-500", "phase1b-1000"]', 'arms = ["phase1b-500", "phase1b-2000"]',
         "eligibility.phases[0].arms", "arm 'phase1b-2000' is not an arm of the file"),
        ('phases = ["1b"]\napplies_to = ["immunosuppressants"]',
         'phases = ["1"]\napplies_to = ["immunosuppressants"]',
         "eligibility.rules[6].phases", "phase '1' is not one of 1b, 3"),
        # a rule quotes its criterion word for word ([[design.criteria]])
        ('check = "stable or improved attack symptoms"', 'check = "stable attack symptoms"',
         "eligibility.rules[3].check",
         "check is not in the words of inclusion criterion 6 ([[design.criteria]])"),
        ('to = "first-administration"\nperiod = "4 weeks"', 'to = "screening"\nperiod = "4 weeks"',
         "eligibility.rules[3].to", "a wait rule is measured to the first administration"),
        ('period = "5 half-lives"\nwording = "exceeds"',
         'period = "5 half-lives"\nwording = "within"\nexempt_days = 7',
         "eligibility.rules[6].exempt_days", "exempt_days and exempt go together"),
    ],
)  # fmt: skip
def test_validate_names_each_problem_of_the_eligibility_table(
    tmp_path: Path, old: str, new: str, key_path: str, message: str
) -> None:
    path = write(tmp_path, edit(old, new))
    code, out, err = run("protocol", "validate", str(path))
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert len(lines) == 2, err  # the problem, then the count
    assert re.match(
        rf"mil62sched: error: {re.escape(str(path))} line \d+: {re.escape(key_path)}: ", lines[0]
    )
    assert message in lines[0]
    line = int(lines[0].split(" line ")[1].split(":")[0])
    key = key_path.split(".")[-1].split("[")[0]  # the line gives the key, or opens its table
    given = path.read_text(encoding="utf-8").splitlines()[line - 1]
    assert given.startswith(f"{key} =") or given.startswith("[[eligibility"), given
    # every command refuses it with that first line (issue 15 #2)
    refused = run("screen", "--protocol", str(path), "--phase", "3", "--screening", "2025-09-01")
    assert refused[0] == 1
    assert key_path in refused[2]


def test_validate_lists_every_problem_of_the_eligibility_table_at_once(tmp_path: Path) -> None:
    text = edit('period = "3 months"', 'period = "3 monts"')
    text = edit('applies_to = ["live-vaccines"]', 'applies_to = ["live-vaccine"]', text)
    code, _, err = run("protocol", "validate", str(write(tmp_path, text)))
    assert code == 1
    assert "eligibility.rules[5].period" in err
    assert "eligibility.rules[10].applies_to" in err
    assert err.splitlines()[-1].endswith(": 2 problems; not valid")


# The rules a schema cannot state, each broken once: (edited file, the line's needle and its
# occurrence, key path, message). The messages are the loader's; the key paths name the key at
# fault where one key is (the schedule or journey otherwise).
MEANING = [
    pytest.param(
        edit('"W1D1", "W3D1", "W25D1"', '"W3D1", "W1D1", "W25D1"'),
        ("[[schedules]]", 1), "schedules[0]",
        "schedule 'phase1b-500': visits must be in study-day order without repeats",
        id="visits-out-of-order",
    ),
    pytest.param(
        edit('treatment = "mil62-500"', 'treatment = "mil62-50"'),
        ('treatment = "mil62-50"', 1), "schedules[0].treatment",
        f"schedule 'phase1b-500': treatment 'mil62-50' is not one of {TREATMENT_KEYS}",
        id="unknown-treatment",
    ),
    pytest.param(
        edit('{ treatment = "mil62-1000", earliest', '{ treatment = "mil62-100", earliest'),
        ("escalation = ", 1), "schedules[0].escalation.treatment",
        f"schedule 'phase1b-500': escalation treatment 'mil62-100' is not one of {TREATMENT_KEYS}",
        id="unknown-escalation-treatment",
    ),
    pytest.param(
        edit('earliest = "W25D1"', 'earliest = "W26D1"'),
        ("escalation = ", 1), "schedules[0].escalation.earliest",
        "schedule 'phase1b-500': escalation from W26D1 is not a visit",
        id="escalation-not-a-visit",
    ),
    pytest.param(
        edit('{ W3D1 = "mil62-1000-or-placebo" }', '{ W3D1 = "mil62-1000-or-placeb" }'),
        ("overrides = ", 1), "schedules[5].overrides.W3D1",
        f"schedule 'phase3-olp': override at W3D1 'mil62-1000-or-placeb' is not one of "
        f"{TREATMENT_KEYS}",
        id="unknown-override-treatment",
    ),
    pytest.param(
        edit(OLP_FROM_MIL62, 'overrides = { W5D1 = "placebo" }'),
        ("overrides = ", 2), "schedules[6].overrides.W5D1",
        "schedule 'phase3-olp-from-mil62': override at W5D1 is not one of its visits",
        id="override-not-a-visit",
    ),
    pytest.param(
        one_schedule(
            'visits = ["W1D1", { code = "W2D1", kind = "assessment" }]\n'
            'overrides = { W2D1 = "placebo" }'
        ),
        ("overrides = ", 1), "schedules[0].overrides.W2D1",
        "schedule 'trial': override at W2D1, which is not an infusion",
        id="override-not-an-infusion",
    ),
    pytest.param(
        one_schedule('visits = ["W1D1", "W3D1"]\nwindows = { W5D1 = [1, 1] }'),
        ("windows = ", 1), "schedules[0].windows.W5D1",
        "schedule 'trial': window at W5D1 is not one of its visits",
        id="window-not-a-visit",
    ),
    pytest.param(
        one_schedule(
            'visits = ["W1D1", { code = "W3D1", window = [1, 1] }]\nwindows = { W3D1 = [2, 2] }'
        ),
        ("windows = ", 1), "schedules[0].windows.W3D1",
        "schedule 'trial': the window at W3D1 is given twice",
        id="window-given-twice",
    ),
    pytest.param(
        one_schedule('visits = [{ code = "W1D1", kind = "assessment" }]'),
        ("[[schedules]]", 1), "schedules[0]",
        "schedule 'trial': a schedule needs at least one infusion visit",
        id="no-infusion",
    ),
    pytest.param(
        # "visits must be a non-empty list of visit codes" before: one rule says both.
        one_schedule("visits = []"),
        ("[[schedules]]", 1), "schedules[0]",
        "schedule 'trial': a schedule needs at least one infusion visit",
        id="no-visit",
    ),
    pytest.param(
        edit('name = "phase1b-1000"', 'name = "phase1b-500"'),
        ('name = "phase1b-500"', 2), "schedules[1].name",
        "schedule name 'phase1b-500' is used twice",
        id="schedule-name-twice",
    ),
    pytest.param(
        edit('aliases = ["phase3-ocp"]', 'aliases = ["phase1b-500"]'),
        ("aliases = ", 1), "schedules[5].aliases",
        "alias 'phase1b-500' is used twice",
        id="alias-twice",
    ),
    pytest.param(
        edit('legs = ["phase3-rcp", "phase3-olp"]', 'legs = ["phase3-rcp", "phase3-olq"]'),
        ("legs = ", 1), "journeys[0].legs[1]",
        "journey 'phase3': leg 'phase3-olq' is not a schedule",
        id="leg-not-a-schedule",
    ),
    pytest.param(
        edit('legs = ["phase3-rcp", "phase3-olp"]', 'legs = ["phase3-rcp-mil62", "phase3-olp"]'),
        ("legs = ", 1), "journeys[0].legs[0]",
        "journey 'phase3' is blinded, so its leg 'phase3-rcp-mil62' may not be",
        id="blinded-journey-unblinded-leg",
    ),
    pytest.param(
        edit('legs = ["phase3-rcp", "phase3-olp"]', 'legs = ["phase3-rcp", "phase3-rcp"]'),
        ("legs = ", 1), "journeys[0].legs[1]",
        "journey 'phase3': two legs in period 'RCP'",
        id="two-legs-one-period",
    ),
    pytest.param(
        edit('starts = { OLP = "W53D1" }', 'starts = { RCP = "W53D1" }'),
        ("starts = ", 1), "journeys[0].starts",
        "journey 'phase3': starts must give the default start of OLP",
        id="starts-without-the-period",
    ),
    pytest.param(
        edit('unblinds = "phase3"\n', 'unblinds = "phase3-rcp"\n'),
        ('unblinds = "phase3-rcp"', 3), "journeys[1].unblinds",
        "journey 'phase3-mil62' unblinds 'phase3-rcp', not a blinded journey",
        id="journey-unblinds-a-schedule",
    ),
    pytest.param(
        edit_nth('starts = { OLP = "W53D1" }', 'starts = { OLP = "W54D1" }', 2),
        ("[[journeys]]", 2), "journeys[1]",
        "journey 'phase3-mil62''s legs do not reveal 'phase3''s legs one by one",
        id="journey-does-not-reveal",
    ),
    pytest.param(
        edit('name = "phase3-placebo"', 'name = "phase3-mil62"'),
        ('name = "phase3-mil62"', 2), "journeys[2].name",
        "journey name 'phase3-mil62' is used twice",
        id="journey-name-twice",
    ),
    pytest.param(
        edit('study_start = "2022-08-18"', 'study_start = "2022-02-30"'),
        ("study_start = ", 1), "protocol.study_start",
        "'2022-02-30' is not a date: use YYYY-MM-DD, e.g. 2022-08-18",
        id="no-such-study-start",
    ),
    pytest.param(
        edit('study_completion = "2027-03-31"', 'study_completion = "2021-03-31"'),
        ("study_completion = ", 1), "protocol.study_completion",
        "study_completion 2021-03-31 is before study_start 2022-08-18",
        id="completion-before-start",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "needle", "key_path", "message"), MEANING)
def test_each_rule_of_meaning_is_one_problem_at_its_key(
    tmp_path: Path, text: str, needle: tuple[str, int], key_path: str, message: str
) -> None:
    """Each rule that needs the file's meaning (references, order, blinding, journeys, dates) is
    one line naming the key at fault and its line, counted here by hand, and said once: not
    again by the schema, nor by what refers to the entry."""
    assert problems_of(tmp_path, text) == [f"line {line_of(text, *needle)}: {key_path}: {message}"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A treatment the schema refuses is not also "not one of" the treatments of the
        # schedule that gives it (it was: schedules[0] said so too).
        pytest.param(
            edit("dose_mg = 500", 'dose_mg = "500"'),
            [("dose_mg = ", "treatments.mil62-500.dose_mg: '500' is not of type 'integer'")],
            id="refused-treatment",
        ),
        # A missing table is the schema's one problem (the loader said "protocol must be a
        # table" as well).
        pytest.param(
            edit(BUILTIN_TEXT.split("[protocol]")[1].split("\n\n")[0], "", edit("[protocol]", "")),
            [(None, "(top level): 'protocol' is a required property")],
            id="no-protocol-table",
        ),
        # Misspelled, the [treatments.*] tables are two problems: not eleven (the loader said
        # every schedule's treatment was "not one of" none).
        pytest.param(
            BUILTIN_TEXT.replace("[treatments.", "[treatment."),
            [
                (None, "(top level): 'treatments' is a required property"),
                (None, "treatment: Additional properties are not allowed ('treatment' was "
                 "unexpected); accepted: format, protocol, treatments, schedules, journeys, "
                 "arm_map, design, eligibility"),
            ],
            id="misspelled-treatments",
        ),
        # No treatment: the schema's one problem ("{} should be non-empty" before), not also
        # every schedule's.
        pytest.param(
            "format = 1\ntreatments = {}\n"
            + BUILTIN_TEXT[BUILTIN_TEXT.index("[protocol]") : BUILTIN_TEXT.index("[treatments.")]
            + BUILTIN_TEXT[BUILTIN_TEXT.index("[[schedules]]") :],
            [("treatments = {}", "treatments: must have at least one entry")],
            id="no-treatment",
        ),
        # Without its masking, an unblinded schedule is one problem: not also "only an
        # unblinded schedule names what it unblinds" (the schema's own rule said it as well).
        pytest.param(
            edit('masking = "unblinded"\nunblinds = "phase3-rcp"\n', 'unblinds = "phase3-rcp"\n'),
            [(("[[schedules]]", 4), "schedules[3]: 'masking' is a required property")],
            id="no-masking",
        ),
        # The blinded RCP moved a visit: each arm that reveals it says it differs, and the
        # journeys through them are not checked as well.
        pytest.param(
            edit('"W25D1", "W27D1"]\ntreatment = "mil62-1000-or', '"W25D1", "W28D1"]\ntreatment = '
                 '"mil62-1000-or'),
            [
                (("[[schedules]]", 4), "schedules[3]: schedule 'phase3-rcp-mil62' has "
                 "other visits or another period than 'phase3-rcp', which it unblinds"),
                (("[[schedules]]", 5), "schedules[4]: schedule 'phase3-rcp-placebo' has "
                 "other visits or another period than 'phase3-rcp', which it unblinds"),
            ],
            id="blinded-visit-moved",
        ),
        # A schedule whose name the schema refuses: not also the schedules that unblind it,
        # nor the journey that goes through it.
        pytest.param(
            edit('name = "phase3-rcp"\n', 'name = "Phase3-rcp"\n'),
            [("Phase3-rcp", "schedules[2].name: 'Phase3-rcp' is not a name: use lower-case "
              "letters, digits and '-', starting with a letter or digit")],
            id="refused-schedule",
        ),
    ],
)  # fmt: skip
def test_a_problem_is_said_once_not_again_by_what_refers_to_it(
    tmp_path: Path, text: str, expected: list[tuple[str | tuple[str, int] | None, str]]
) -> None:
    """Each line's needle (and its occurrence) finds the line by hand; None: no line."""

    def line(needle: str | tuple[str, int]) -> int:
        return line_of(text, *needle) if isinstance(needle, tuple) else line_of(text, needle)

    said = [f"line {line(needle)}: {what}" if needle else f": {what}" for needle, what in expected]
    assert said == problems_of(tmp_path, text)


@pytest.mark.parametrize(
    ("old", "new", "key_path", "value"),
    [
        ("dose_mg = 500", "dose_mg = 500.0", "treatments.mil62-500.dose_mg", "500.0"),
        ('source = "seeds', 'chairs = 2.0\nsource = "seeds', "protocol.chairs", "2.0"),
        ("every_weeks = 26", "every_weeks = 26.0", "schedules[0].repeat.every_weeks", "26.0"),
    ],
)
def test_a_whole_number_with_a_decimal_point_is_refused_by_the_schema(
    tmp_path: Path, old: str, new: str, key_path: str, value: str
) -> None:
    """TOML tells 2 from 2.0, and JSON Schema's integer does not: the schema's integer is TOML's,
    so that the schema alone refuses 2.0 where a whole number goes (the loader no longer checks
    types). The loader refused these before, naming the table, not the key."""
    text = edit(old, new, BUILTIN_TEXT.replace(PHASE1B_LIST, PHASE1B_RULE))
    line = line_of(text, f"= {value}")
    assert problems_of(tmp_path, text) == [
        f"line {line}: {key_path}: {value} is not of type 'integer'"
    ]


TEXT = "must be non-empty text"


@pytest.mark.parametrize(
    ("old", "new", "key_path", "message"),
    [
        # `' ' does not match '\\S'` before: the schema's pattern for text.
        ('site_zh = "中国人民解放军总医院"', 'site_zh = " "', "protocol.site_zh", TEXT),
        ('title = "Phase 1b, MIL62 500 mg"', 'title = ""', "schedules[0].title", TEXT),
        (
            'name = "phase1b-500"', 'name = "phase1b 500"', "schedules[0].name",
            "'phase1b 500' is not a name: use lower-case letters, digits and '-', starting with "
            "a letter or digit",
        ),
        (
            'study_start = "2022-08-18"', 'study_start = "2022-8-18"', "protocol.study_start",
            "'2022-8-18' is not a date: use YYYY-MM-DD, e.g. 2022-08-18",
        ),
        (
            'legs = ["phase3-rcp", "phase3-olp"]', 'legs = ["phase3-rcp"]', "journeys[0].legs",
            "must list at least 2",
        ),
        (
            'etcd = "RCPPBO"', 'etcd = "RCPPLACEBO"', "design.elements.phase3-rcp-placebo.etcd",
            "'RCPPLACEBO' is too long: at most 8 characters",
        ),
        (
            'parameter = "PLANSUB"', 'parameter = "PLAN SUB"', "design.summary[0].parameter",
            "'PLAN SUB' is not a TSPARMCD: use A-Z and 0-9, at most 8, starting with a letter",
        ),
        # Choices: "'none' was expected", "3 is valid under each of {'required': ['for_weeks']},
        # ...", "Expected at most 2 items but found 1 extra: 3" and "[] should be non-empty"
        # before.
        (
            '"W183D1", "W209D1"]\ntreatment = "mil62-500"',
            '"W183D1", "W209D1"]\nwindow = 3\ntreatment = "mil62-500"',
            "schedules[0].window", "3 is not of type 'array' nor 'none'",
        ),
        (
            '"W183D1", "W209D1"]\ntreatment = "mil62-500"',
            '"W183D1", "W209D1"]\nwindow = [1, 2, 3]\ntreatment = "mil62-500"',
            "schedules[0].window", "must list at most 2, not 3",
        ),
        (
            '"W183D1", "W209D1"]\ntreatment = "mil62-500"',
            '"W183D1", "W209D1"]\nrepeat = { every_weeks = 1, from = "W235D1", through = "W235D1", '
            'count = 1 }\ntreatment = "mil62-500"',
            "schedules[0].repeat",
            "needs only one of through, for_weeks, count, not through and count",
        ),
        (
            '"W183D1", "W209D1"]\ntreatment = "mil62-500"',
            '"W183D1", "W209D1"]\nrepeat = []\ntreatment = "mil62-500"',
            "schedules[0].repeat", "must list at least one",
        ),
        (
            '"W183D1", "W209D1"]\ntreatment = "mil62-500"',
            '"W183D1", "W209D1"]\nrepeat = 3\ntreatment = "mil62-500"',
            "schedules[0].repeat", "3 is not of type 'object' or 'array'",
        ),
        (
            'start = "Informed consent signed"',
            'start = "Informed consent signed"\nduration = "28 days"',
            "design.screening.duration",
            "'28 days' is not an ISO 8601 duration: use e.g. P28D, P4W or P1Y6M",
        ),
    ],
    ids=[
        "empty-site-zh", "empty-title", "name", "date", "too-few-legs", "too-long-etcd",
        "tsparmcd", "duration", "window-of-no-form", "window-of-three", "two-ends-of-a-rule",
        "no-rule", "rule-of-no-form",
    ],
)  # fmt: skip
def test_the_schema_s_problems_are_worded_for_people(
    tmp_path: Path, old: str, new: str, key_path: str, message: str
) -> None:
    """A pattern's problem was the pattern (`' ' does not match '\\S'`): each is said in words,
    in one place, with the key path and the line as before."""
    text = edit(old, new)
    given = [line for line in new.split("\n") if line not in old.split("\n")][0]
    assert problems_of(tmp_path, text) == [f"line {line_of(text, given)}: {key_path}: {message}"]


def test_every_pattern_of_the_schema_is_worded() -> None:
    """A pattern added to the schema needs its words (validation.PATTERNS), or people would
    read the regular expression."""
    from mil62sched.protocol.validation import PATTERNS

    def patterns(node: object) -> set[str]:
        if isinstance(node, dict):
            own = {node["pattern"]} if isinstance(node.get("pattern"), str) else set()
            return own.union(*map(patterns, node.values()))
        if isinstance(node, list):
            return set().union(*map(patterns, node))
        return set()

    assert patterns(SCHEMA) == set(PATTERNS)
