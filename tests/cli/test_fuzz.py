"""Random option combinations and generated files, seeded: whatever goes in, the tool ends with
exit status 0, 1 or 2, never a traceback, and within bounds of CPU and wall time (`checked`).

Four generators, each with its own seed and number of runs: options with roster, actuals and
holiday CSV files; protocol files (mutations of the built-in and example files); site files
(`--site`); and workbooks (.xlsx roster, actuals and holiday files, built with openpyxl and then
patched where openpyxl cannot express the attack). Each kind of mutation or attack is taken in
turn, so that every one is met whatever the seed; the rest is drawn.

The runs are in-process (typer's CliRunner), so a program error shows as an exception other
than SystemExit. The seeds are fixed, so a failure is reproducible: the assertion message gives
the arguments and what was done to the files (kept in pytest's temporary folder).
"""

from __future__ import annotations

import copy
import math
import random
import re
import signal
import threading
import time
import tomllib
import traceback
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from typer.testing import Result

from mil62sched.protocol import BUILTIN
from tests.conftest import EXAMPLES, Run
from tests.workbooks import shared_strings

# Hundreds of runs through the whole command line: the longest tests but the browser's.
pytestmark = pytest.mark.slow

SEED = 20261201
RUNS = 300

ARMS = ["phase3-rcp", "phase3-olp", "phase3-ocp", "phase3", "phase1b-500", "phase3-mil62",
        "phase3-rcx", "", "PHASE3-RCP"]  # fmt: skip
DATES = ["2025-01-06", "2024-02-29", "2025-02-30", "01/02/2024", "2025/1/6", "9999-12-20",
         "0001-01-01", "", " 2025-01-06 ", "2025-1-6", "２０２５-01-06"]  # fmt: skip
CODES = ["W1D1", "W3D1", "w25d1", "OLP:W3D1", "RCP:W27D1", "W0D1", "W1D8", "W" + "9" * 50 + "D1",
         "X1", "", "::"]  # fmt: skip
IDS = ["CT303-0001", "ct303-0001", " P1 ", "P/2", "CON", "-x", "A" * 65, "", "P1", "受试者"]
WORDS = ["Site closed", "[/]", "[red]x[/red]", "a|b", 'say "hi"', "=1+2", "\x1b[31m", "国庆节",
         "", "a,b"]  # fmt: skip


def _pick(rng: random.Random, values: list[str]) -> str:
    """Mostly one of the first, valid, values; sometimes any, so that most runs go deep."""
    return rng.choice(values[:2] if rng.random() < 0.75 else values)


def _cell(rng: random.Random, values: list[str]) -> str:
    value = _pick(rng, values)
    if rng.random() < 0.03:
        value = f'"{value}'  # a stray quote
    elif "," in value or '"' in value:
        value = '"' + value.replace('"', '""') + '"'
    return value


def _file(rng: random.Random, header: str, columns: list[list[str]]) -> str:
    lines = [header]
    for _ in range(rng.randint(0, 8)):
        row = [_cell(rng, values) for values in columns]
        if rng.random() < 0.1:
            row = row[: rng.randint(0, len(row))]  # a short row
        lines.append(",".join(row))
    ending = rng.choice(["\n", "\r\n"])
    return ending.join(lines) + (ending if rng.random() < 0.8 else "")


def _write(rng: random.Random, path: Path, text: str) -> Path:
    encoding = rng.choice(["utf-8"] * 6 + ["utf-8-sig", "gbk", "utf-16"])
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(text.encode("utf-8"))
    return path


def _arguments(rng: random.Random, folder: Path) -> list[str]:
    command = rng.choice(["plan", "plan", "roster", "agenda", "day"])
    if command == "day":
        return ["day", _pick(rng, CODES + DATES + ["169", "0"]), "--start", _pick(rng, DATES)]
    args = [command]
    if command == "plan":
        args += ["--arm", _pick(rng, ARMS), "--start", _pick(rng, DATES)]
        for option, values in [("--participant", IDS), ("--actual", [f"{c}={d}" for c in CODES
                               for d in DATES[:3]]), ("--missed", CODES),
                               ("--escalate-at", CODES), ("--olp-start", DATES)]:  # fmt: skip
            if rng.random() < 0.25:
                args += [option, _pick(rng, values)]
    else:
        roster = _file(
            rng, "participant,arm,start,window,notes", [IDS, ARMS, DATES, ["", "3", "2,4"], WORDS]
        )
        args.append(str(_write(rng, folder / "roster.csv", roster)))
        if rng.random() < 0.4:
            actuals = _file(rng, "participant,code,date,status",
                            [IDS, CODES, DATES, ["", "done", "missed", "gone"]])  # fmt: skip
            args += ["--actuals", str(_write(rng, folder / "actuals.csv", actuals))]
        if command == "agenda" and rng.random() < 0.5:
            args += ["--from", _pick(rng, DATES), "--days", rng.choice(["1", "14", "3660"])]
    if rng.random() < 0.3:
        holidays = _file(rng, "date,name,kind", [DATES, WORDS, ["holiday", "workday", "x"]])
        args += ["--holidays", str(_write(rng, folder / "site.csv", holidays))]
    for option, values in [("--window", ["3", "1,2", "61", "x"]), ("--today", DATES),
                           ("--format", ["table", "csv", "json", "md", "ics", "calendar", "x"]),
                           ("--time", ["09:00", "9:00", "25:00"]), ("--tz", ["Asia/Shanghai",
                           "localtime", ""]), ("--anchor", ["previous", "x"])]:  # fmt: skip
        if rng.random() < 0.2:
            args += [option, _pick(rng, values)]
    for flag in ("--adjust", "--no-holidays", "--skip-bad"):
        if rng.random() < 0.15:
            args.append(flag)
    return args


@pytest.mark.parametrize("block", range(10))
def test_random_inputs_end_in_0_1_or_2_never_a_traceback(
    run: Run, tmp_path: Path, block: int
) -> None:
    rng = random.Random(SEED + block)
    for number in range(RUNS // 10):
        folder = tmp_path / str(number)
        folder.mkdir()
        args = _arguments(rng, folder)
        files = {p.name: p.read_bytes()[:300] for p in folder.iterdir()}
        checked(run, args, f"mil62sched {' '.join(args)!r} with {files}")


# --- each run: a clean end, in bounded time ------------------------------------------------------

# Each run in-process (typer's CliRunner), not in a process of its own: a program error shows as
# the exception itself, and a run costs its work (20 ms to 2 s of CPU here) instead of an
# interpreter's start-up, so that the module's some 1,000 runs fit in about a minute. A run that
# runs away cannot be killed from outside, so timers interrupt it from inside (on Unix, in the
# main thread), and the bounds are checked again after each run for work they could not
# interrupt (one long call into C).
#
# The bound is on the run's CPU time, which is the work it did whatever else the machine runs:
# on this 2-core machine shared with other work, wall times went three times slower at a load of
# 6, so a wall-clock bound tight enough to matter would fail runs that did nothing wrong. Ten
# seconds of CPU is four times the slowest run seen (2.4 s: 300 schedules of 984 visits each,
# checked) and far below what issue 15's runaways took (34 s to hours). A wall-clock bound of a
# minute, generous for a loaded machine, catches a run that waits without working.
CPU_SECONDS = 10.0
WALL_SECONDS = 60.0


class Overran(BaseException):
    """Raised by a timer inside a run past a bound: a BaseException, so that no `except
    Exception` in the tool or in CliRunner takes it for the tool's own error."""


@contextmanager
def bounded() -> Iterator[None]:
    """Interrupt the code inside after CPU_SECONDS of CPU time or WALL_SECONDS of wall time (on
    Unix, in the main thread; elsewhere `checked` checks the bounds after the run)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def overran(signum: int, frame: object) -> None:
        bound = f"{CPU_SECONDS:g} s of CPU" if signum == signal.SIGPROF else f"{WALL_SECONDS:g} s"
        raise Overran(bound)

    timers = {signal.ITIMER_PROF: signal.SIGPROF, signal.ITIMER_REAL: signal.SIGALRM}
    previous = {number: signal.signal(number, overran) for number in timers.values()}
    signal.setitimer(signal.ITIMER_PROF, CPU_SECONDS)
    signal.setitimer(signal.ITIMER_REAL, WALL_SECONDS)
    try:
        yield
    finally:
        for timer, number in timers.items():
            signal.setitimer(timer, 0)
            signal.signal(number, previous[number])


def checked(run: Run, args: list[str], where: str) -> Result:
    """Run `mil62sched ARGS` and check how it ended: exit 0, 1 or 2, no exception but SystemExit,
    no traceback, a refusal's first line after notes and warnings an error line, all within
    CPU_SECONDS of CPU and WALL_SECONDS. `where` says what was run, on what, for the messages."""
    began, began_cpu = time.perf_counter(), time.process_time()
    try:
        with bounded():
            result = run(*args)
    except Overran as exc:
        pytest.fail(f"still running after {exc}: {where}")
    seconds, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    assert cpu < CPU_SECONDS, (f"took {cpu:.1f} s of CPU", where)
    assert seconds < WALL_SECONDS, (f"took {seconds:.1f} s", where)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        where,
        "".join(traceback.format_exception(result.exception)),
    )
    assert result.exit_code in (0, 1, 2), (where, result.exit_code, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr, where
    if result.exit_code != 0:  # after any notes (a file not read as UTF-8) and warnings
        errors = re.sub(r"^(mil62sched: (note|warning): [^\n]*\n)*", "", result.stderr)
        assert errors.startswith("mil62sched: error: "), (where, result.stderr)
    return result


# --- protocol files ------------------------------------------------------------------------------

PROTOCOL_SEED = 20261215
PROTOCOL_RUNS = 216  # 12 rounds of the 18 kinds: each kind meets each command twice
PROTOCOL_BLOCKS = 8
BASE_PROTOCOLS = [BUILTIN, *sorted(EXAMPLES.glob("protocols/*.toml"))]

BAD_CODES = ["W0D1", "W1D8", "W1D0", "D0", "D-0", "W-1D1", "w3d1", "W03D1", "W3D1 ", "W３D1",
             "W" + "9" * 30 + "D1", "D99999999999", "W999999D1", "W521722D1", "D3652059",
             "W1D1D1", "", "OLP:W3D1", "D-999999", "W1", "W3D1\x1b"]  # fmt: skip
TIMEZONES = ["Asia/Shangai", "../../etc/passwd", "", "UTC", "localtime", "Asia/Shanghai\x00",
             "/etc/localtime", "Etc/GMT+14", "EST5EDT", "America/New_York", "a" * 300, "Factory",
             "Asia/Shanghai/../Shanghai", "zone.tab", "tzdata.zi", "leapseconds", "posixrules",
             "asia/shanghai", "Asia/Shanghai "]  # fmt: skip
COUNTRIES = ["XX", "C", "cn", "CHN", "中国", "", "US", "ZZ", "UN", "EU", "1A", "CN ", "Ｃ Ｎ"]
CONTROLS = ["\x1b[2J", "\x07", "\x00", "\x7f", "\x85", "\u2028", "\u202e", "\x9b", "\t", "\n",
            "\r", "\ufeff", "\x1b]0;title\x07", "\x08"]  # fmt: skip
VALUES: list[object] = [0, -1, 1, 1.5, math.nan, math.inf, True, False, "", "x", [], {}, [1, "a"],
                        {"a": 1}, date(2025, 1, 1), 2**70, -(2**63), "W3D1", ["W1D1"], 10**30,
                        "2025-01-06", "blinded", "phase3-rcp"]  # fmt: skip
REPEAT_EVERY = [1, 2, 4, 26, 52, 2000, 500_000, 2**31, 10**20, 0, -4]
REPEAT_FROM = ["W27D1", "W3D1", "D57", "W1D1", "W999999D1", "D-28", "W0D1", "W235D1"]
REPEAT_ENDS: dict[str, list[object]] = {
    "through": ["W999999D1", "W521722D1", "W521000D1", "W209D1", "D3652059", "W1D1", "D645"],
    "for_weeks": [1, 52, 99_999_999_999, 10**30, 521_700, 0],
    "count": [1, 3, 999, 1000, 1001, 10**6, 2**64],
}


class Raw(str):
    """TOML text written as it is: what `toml_text` would not write (deep nesting)."""


_ESCAPED = re.compile(r'["\\\x00-\x1f\x7f]')
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_value(value: object) -> str:
    """`value` as TOML text: control characters escaped, so that they reach the loader."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)  # inf and -inf are TOML's words too
    if isinstance(value, str):
        return '"' + _ESCAPED.sub(lambda m: f"\\u{ord(m[0]):04X}", value) + '"'
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    assert isinstance(value, dict), value
    return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"


def toml_key(key: str) -> str:
    """A key, bare when TOML allows, else quoted."""
    return key if _BARE_KEY.fullmatch(key) else toml_value(key)


def toml_text(table: dict[str, Any]) -> str:
    """A TOML document of `table`: its tables as [sections], its lists of tables as
    [[sections]], the rest `key = value` lines, so that problems have lines of their own."""
    plain, sections = [], []
    for key, value in table.items():
        if isinstance(value, dict):
            sections += [f"\n[{toml_key(key)}]"]
            sections += [f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for entry in value:
                sections += [f"\n[[{toml_key(key)}]]"]
                sections += [f"{toml_key(k)} = {toml_value(v)}" for k, v in entry.items()]
        else:
            plain.append(f"{toml_key(key)} = {toml_value(value)}")
    return "\n".join(plain + sections) + "\n"


Place = tuple[dict[str, Any] | list[Any], Any]  # a container and the key (or index) of a value


def places(value: object, into: list[Place] | None = None) -> list[Place]:
    """Every value of a parsed TOML table, as (its container, its key or index)."""
    found: list[Place] = [] if into is None else into
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((value, key))
            places(item, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((value, index))
            places(item, found)
    return found


def nested(rng: random.Random) -> Raw:
    """Arrays or inline tables nested from a few to thousands of levels deep."""
    depth = rng.choice([5, 31, 33, 100, 900, 3000])
    if rng.random() < 0.5:
        return Raw("[" * depth + "1" + "]" * depth)
    return Raw("{ a = " * depth + "1" + " }" * depth)


def _schedules(table: dict[str, Any]) -> list[dict[str, Any]]:
    entries = table.get("schedules")
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def _named_entries(table: dict[str, Any]) -> list[dict[str, Any]]:
    """The schedules, journeys and design arms: the entries that have a name."""
    found = _schedules(table)
    journeys = table.get("journeys")
    if isinstance(journeys, list):
        found += [e for e in journeys if isinstance(e, dict)]
    design = table.get("design")
    if isinstance(design, dict) and isinstance(design.get("arms"), list):
        found += [e for e in design["arms"] if isinstance(e, dict)]
    return found


def misspelled(rng: random.Random, table: dict[str, Any]) -> str:
    """A key of some table renamed as a typo renames it (the issue's `override`)."""
    tables = [c for c, _ in places(table) if isinstance(c, dict)] + [table]
    where = rng.choice(tables)
    if not where:
        return "nothing to misspell"
    key = rng.choice(list(where))
    typo = rng.choice([key[:-1], key + "s", key.upper(), key.replace("_", "-"), key + " ",
                       "override" if key == "overrides" else key[::-1], "x" + key])  # fmt: skip
    where[typo] = where.pop(key)
    return f"key {key!r} misspelled {typo!r}"


def wrong_type(rng: random.Random, table: dict[str, Any]) -> str:
    """Some value replaced by one of another type or range."""
    container, key = rng.choice(places(table))
    value = rng.choice(VALUES)
    container[key] = value
    return f"{key!r} = {value!r}"


def bad_code(rng: random.Random, table: dict[str, Any]) -> str:
    """A visit code (a value, or a key of overrides, windows or starts) made a bad one."""
    code = re.compile(r"(W\d+D\d+|D-?\d+)")
    found = [(c, k) for c, k in places(table) if isinstance(c[k], str) and code.fullmatch(c[k])]
    keyed = [(c, k) for c, k in places(table) if isinstance(k, str) and code.fullmatch(k)]
    bad = rng.choice(BAD_CODES)
    if keyed and (not found or rng.random() < 0.3):
        container, key = rng.choice(keyed)
        assert isinstance(container, dict)
        container[bad] = container.pop(key)
        return f"key {key!r} -> {bad!r}"
    if not found:
        return "no visit code"
    container, key = rng.choice(found)
    was, container[key] = container[key], bad
    return f"code {was!r} -> {bad!r}"


def repeat_rule(rng: random.Random) -> dict[str, object]:
    """A repeat rule, often past the calendar or the bound of visits."""
    rule: dict[str, object] = {"every_weeks": rng.choice(REPEAT_EVERY),
                               "from": rng.choice(REPEAT_FROM)}  # fmt: skip
    for end in rng.sample(list(REPEAT_ENDS), 2 if rng.random() < 0.1 else 1):
        rule[end] = rng.choice(REPEAT_ENDS[end])
    if rng.random() < 0.2:
        rule[rng.choice(["kind", "window"])] = rng.choice(["infusion", "follow-up", [3, 3], -1])
    return rule


def huge_repeat(rng: random.Random, table: dict[str, Any]) -> str:
    """A schedule given a rule past the bounds; or 20 rules at or past the bound of visits
    (issue 15 #15), on the schedule and those it unblinds or that unblind it, so that it may be
    valid and planned."""
    schedules = _schedules(table)
    if not schedules:
        return "no schedule"
    schedule = rng.choice(schedules)
    if rng.random() < 0.3:
        count = rng.choice([49, 50, 1000])  # 20 x 49 and the listed visits: within 1,000
        rules = [{"every_weeks": rng.choice([1, 2]), "from": f"W{1000 + 2000 * n}D1",
                  "count": count} for n in range(20)]  # fmt: skip
        family = schedule.get("unblinds", schedule.get("name"))
        for member in schedules:
            if family in (member.get("name"), member.get("unblinds")):
                member["repeat"] = rules
        return f"{family!r} repeat = 20 rules of {count}"
    schedule["repeat"] = repeat_rule(rng)
    return f"{schedule.get('name')!r} repeat = {schedule['repeat']!r}"[:300]


def deep(rng: random.Random, table: dict[str, Any]) -> str:
    """Some value replaced by arrays or tables nested deep."""
    container, key = rng.choice(places(table))
    container[key] = nested(rng)
    return f"{key!r} nested {container[key].count('a') or container[key].count('[')} deep"


def control(rng: random.Random, table: dict[str, Any]) -> str:
    """A control character (ESC, BEL, NUL, C1, a line break ...) put into some text."""
    texts = [(c, k) for c, k in places(table) if isinstance(c[k], str)]
    if not texts:
        return "no text"
    container, key = rng.choice(texts)
    text, char = container[key], rng.choice(CONTROLS)
    at = rng.randint(0, len(text))
    container[key] = text[:at] + char + text[at:]
    return f"{key!r} holds {char!r}"


def zone_or_country(rng: random.Random, table: dict[str, Any]) -> str:
    """The protocol's time zone or country made one that does not exist."""
    head = table.get("protocol")
    if not isinstance(head, dict):
        return "no [protocol]"
    key, value = rng.choice(
        [("timezone", rng.choice(TIMEZONES)), ("country", rng.choice(COUNTRIES))]
    )
    head[key] = value
    return f"protocol.{key} = {value!r}"


def duplicate(rng: random.Random, table: dict[str, Any]) -> str:
    """Two schedules, journeys or design arms given one name (and an alias equal to it)."""
    entries = [e for e in _named_entries(table) if isinstance(e.get("name", e.get("arm")), str)]
    if len(entries) < 2:
        return "fewer than two names"
    first, second = rng.sample(entries, 2)
    key = "name" if "name" in second else "arm"
    second[key] = first.get("name", first.get("arm"))
    if rng.random() < 0.3:  # an alias equal to a name
        first["aliases"] = [second[key]]
    return f"{key} {second[key]!r} twice"


def deleted(rng: random.Random, table: dict[str, Any]) -> str:
    """A table or list deleted, often a whole one of the file's sections."""
    tables = [(c, k) for c, k in places(table) if isinstance(c[k], dict | list)]
    if rng.random() < 0.4:
        tables = [(table, k) for k in table]
    container, key = rng.choice(tables)
    del container[key]
    return f"{key!r} deleted"


def huge_text(rng: random.Random, table: dict[str, Any]) -> str:
    """Some text made from 201 to 300,000 characters long."""
    texts = [(c, k) for c, k in places(table) if isinstance(c[k], str)]
    container, key = rng.choice(texts)
    length = rng.choice([201, 1000, 32_768, 300_000])
    container[key] = rng.choice(["x", "长", "W1D1 ", "="]) * length
    return f"{key!r} {length} characters"


def many_schedules(rng: random.Random, table: dict[str, Any]) -> str:
    """Copies of a schedule, named anew or all with one name."""
    schedules = _schedules(table)
    if not schedules:
        return "no schedule"
    # At most 1 MB of copies: a file of hundreds of MB is slow to parse, as it should be.
    largest = max(len(toml_value(schedule)) for schedule in schedules)
    copies = min(rng.choice([20, 100, 300]), 1_000_000 // largest)
    named = rng.random() < 0.5
    table["schedules"] = schedules + [
        {**copy.deepcopy(rng.choice(schedules)), "name": f"extra-{n}" if named else "phase3-rcp"}
        for n in range(copies)
    ]
    return f"{copies} more schedules"


def unknown_key(rng: random.Random, table: dict[str, Any]) -> str:
    """A key the format does not have, in some table."""
    tables = [c for c, _ in places(table) if isinstance(c, dict)] + [table]
    where = rng.choice(tables)
    key = rng.choice(["note", "visit", "Overrides", "masking ", "日期", ""])
    where[key] = rng.choice(VALUES)
    return f"unknown key {key!r}"


def fair_repeat(rng: random.Random, table: dict[str, Any]) -> str:
    """A repeat rule within the bounds (at most some hundreds of visits), after the last listed
    visit, on a schedule and on those it unblinds or that unblind it (which must have the same
    visits)."""
    schedules = _schedules(table)
    if not schedules:
        return "no schedule"
    schedule = rng.choice(schedules)
    first = rng.randint(210, 400)
    rule: dict[str, object] = {"every_weeks": rng.randint(1, 52), "from": f"W{first}D1"}
    end = rng.choice(list(REPEAT_ENDS))
    rule[end] = {"through": f"W{first + rng.randint(0, 400)}D{rng.randint(1, 7)}",
                 "for_weeks": rng.randint(1, 400), "count": rng.randint(1, 50)}[end]  # fmt: skip
    family = schedule.get("unblinds", schedule.get("name"))
    for member in schedules:  # a blinded schedule and those that unblind it: the same visits
        if family in (member.get("name"), member.get("unblinds")):
            member["repeat"] = rule
    return f"{family!r} repeat = {rule!r}"


def other_site(rng: random.Random, table: dict[str, Any]) -> str:
    """Another country and zone that exist."""
    head = table.get("protocol")
    if not isinstance(head, dict):
        return "no [protocol]"
    head["country"], head["timezone"] = rng.choice(
        [("US", "America/New_York"), ("JP", "Asia/Tokyo"), ("DE", "Europe/Berlin"),
         ("NZ", "Pacific/Chatham"), ("CN", "UTC"), ("KI", "Pacific/Kiritimati")]
    )  # fmt: skip
    return f"site {head['country']} {head['timezone']}"


def odd_text(rng: random.Random, table: dict[str, Any]) -> str:
    """Text that is valid but not plain: markup, formulas, right-to-left, emoji, Chinese."""
    texts = [(c, k) for c, k in places(table) if isinstance(c[k], str) and isinstance(k, str)
             and k in ("title", "label", "product", "sponsor", "site", "id", "cites", "element",
                       "description", "text", "value")]  # fmt: skip
    if not texts:
        return "no text"
    container, key = rng.choice(texts)
    container[key] = rng.choice(["[red]x[/red]", "=HYPERLINK(\"http://x\")", "<b>x</b>",
                                 "שלום", "💉 输注", "a|b", "+1-1",
                                 "@SUM(A1)", "x" * 201, "长" * 201])  # fmt: skip
    return f"{key!r} = {container[key][:20]!r}"


MUTATIONS = [misspelled, wrong_type, bad_code, huge_repeat, deep, control, zone_or_country,
             duplicate, deleted, huge_text, many_schedules, unknown_key]  # fmt: skip
# What a valid file may hold, so that a good share of the runs plan (and format) it.
FAIR_MUTATIONS = [fair_repeat, other_site, odd_text]
# The kinds of file taken in turn: each mutation, then four fair ones, then two damaged.
PROTOCOL_KINDS = len(MUTATIONS) + 6


def text_damage(rng: random.Random, raw: bytes) -> tuple[bytes, str]:
    """The bytes of a file damaged as a disk, an editor or a transfer damages them."""
    how = rng.choice(["truncated", "random bytes", "line deleted", "line doubled", "not UTF-8",
                      "all random", "empty", "BOM", "UTF-16"])  # fmt: skip
    if how == "truncated":
        return raw[: rng.randrange(len(raw) + 1)], how
    if how == "random bytes":
        at = rng.randrange(len(raw) + 1)
        return raw[:at] + rng.randbytes(rng.randint(1, 40)) + raw[at + rng.randint(0, 40) :], how
    lines = raw.split(b"\n")
    line = rng.randrange(len(lines))
    if how == "line deleted":
        return b"\n".join(lines[:line] + lines[line + 1 :]), how
    if how == "line doubled":
        return b"\n".join(lines[: line + 1] + lines[line:]), how
    if how == "not UTF-8":
        return raw.replace(b"MIL62", b"MIL\xff62", 1).replace(b"title", b"ti\xc3tle", 1), how
    if how == "all random":
        return rng.randbytes(rng.choice([1, 100, 5000])), how
    if how == "empty":
        return b"", how
    if how == "BOM":
        return b"\xef\xbb\xbf" + raw, how
    return raw.decode("utf-8").encode("utf-16"), how


def protocol_file(rng: random.Random, turn: int, path: Path) -> tuple[list[str], list[str]]:
    """A protocol file written at `path`: a base file, mutated (MUTATIONS, the first taken in
    turn so that each is met) or damaged as text; its arm names, and what was done."""
    base = rng.choice(BASE_PROTOCOLS)
    raw = base.read_bytes()
    table = tomllib.loads(raw.decode("utf-8"))
    done = [base.name]
    kind = turn % PROTOCOL_KINDS
    if kind < len(MUTATIONS):
        mutations = [MUTATIONS[kind], *rng.sample(MUTATIONS, rng.choice([0, 0, 1, 2]))]
    elif kind < len(MUTATIONS) + 4:
        mutations = rng.sample(FAIR_MUTATIONS, rng.randint(1, len(FAIR_MUTATIONS)))
    else:
        mutations = []
    for mutation in mutations:
        done.append(mutation(rng, table))
    if mutations:
        raw = toml_text(table).encode("utf-8")
    if kind >= len(MUTATIONS) + 4 or rng.random() < 0.05:
        raw, how = text_damage(rng, raw)
        done.append(how)
    path.write_bytes(raw)
    names = [str(e.get("name")) for e in _named_entries(table) if isinstance(e.get("name"), str)]
    return names or ["phase3-rcp"], done


def protocol_arguments(
    rng: random.Random, turn: int, protocol: Path, names: list[str], folder: Path
) -> list[str]:
    """Arguments of a command reading the protocol file: the next command at each round of the
    kinds of file, so that each kind meets each command."""
    command = ["validate", "plan", "arms", "sdtm", "roster", "show"][turn // PROTOCOL_KINDS % 6]
    arm = rng.choice(names if rng.random() < 0.9 else ARMS)
    start = _pick(rng, DATES)
    if command == "validate":
        return ["protocol", "validate", str(protocol)]
    if command == "show":
        return ["protocol", "show", str(protocol)]
    if command == "arms":
        return ["arms", "--protocol", str(protocol), *rng.choice([[], ["--lang", "zh"]])]
    if command == "sdtm":
        return ["sdtm", "-o", str(folder / "sdtm"), "--protocol", str(protocol)]
    options = rng.choice([[], [], ["--adjust"], ["--no-holidays"], ["--window", "3"]])
    formats = ["table", "csv", "json", "ics", "md", "calendar", "xlsx", "html"]
    if command == "plan":
        options += rng.choice(
            [[], [], ["--period-start", f"OLP={start}"], ["--olp-start", start],
             ["--escalate-at", "W25D1"], ["--actual", f"W3D1={start}"]]
        )  # fmt: skip
        options += ["--format", rng.choice(formats)]
        return ["plan", "--protocol", str(protocol), "--arm", arm, "--start", start, *options]
    roster = folder / "roster.csv"
    rows = [f"P{n},{rng.choice(names)},{_pick(rng, DATES)}" for n in range(rng.randint(1, 4))]
    roster.write_text("participant,arm,start\n" + "\n".join(rows) + "\n", encoding="utf-8")
    options += ["--format", rng.choice(formats[:4] + ["xlsx"])]
    if options[-1] == "xlsx":
        options += ["-o", str(folder / "plan.xlsx")]
    return ["roster", str(roster), "--protocol", str(protocol), *options]


@pytest.mark.parametrize("block", range(PROTOCOL_BLOCKS))
def test_random_protocol_files_end_in_0_1_or_2_never_a_traceback(
    run: Run, tmp_path: Path, block: int
) -> None:
    """Mutated copies of the built-in and example protocol files (misspelled keys, wrong types,
    bad visit codes, repeat rules past the calendar, deep nesting, control characters, bad
    zones and countries, duplicate names, deleted tables, huge text, hundreds of schedules,
    damaged bytes) through validate, plan, arms, sdtm, roster and show."""
    rng = random.Random(PROTOCOL_SEED + block)
    per_block = PROTOCOL_RUNS // PROTOCOL_BLOCKS
    for number in range(per_block):
        turn = block * per_block + number
        folder = tmp_path / str(number)
        folder.mkdir()
        names, done = protocol_file(rng, turn, folder / "protocol.toml")
        args = protocol_arguments(rng, turn, folder / "protocol.toml", names, folder)
        result = checked(run, args, f"mil62sched {' '.join(args)!r} on {done}")
        if args[0] == "sdtm" and result.exit_code != 0:  # refused: nothing written
            assert not (folder / "sdtm").exists(), (args, done, result.stderr)


# --- site files ----------------------------------------------------------------------------------

SITE_SEED = 20261216
SITE_RUNS = 240
SITE_BLOCKS = 6
SITE_KEYS = ["name", "address", "phone", "coordinator", "contact", "what_to_bring", "call_us_if",
             "country", "timezone", "chairs"]  # fmt: skip
CHAIRS: list[object] = [1, 4, 0, -1, True, 2**63, 10**30, 1.5, "4", [4], math.inf]


def site_table(rng: random.Random) -> dict[str, Any]:
    """A valid site: the example's, or a few of its keys."""
    table = tomllib.loads((EXAMPLES / "site.toml").read_text(encoding="utf-8"))
    if rng.random() < 0.4:
        table = {k: v for k, v in table.items() if k == "name" or rng.random() < 0.5}
    if rng.random() < 0.3:
        table["country"], table["timezone"] = rng.choice(
            [("CN", "Asia/Shanghai"), ("US", "America/New_York"), ("HK", "Asia/Hong_Kong")]
        )
    return table


def site_file(rng: random.Random, turn: int, path: Path) -> list[str]:
    """A site file written at `path`, valid or mutated (each way in turn); what was done."""
    table = site_table(rng)
    how = ["valid", "valid", "nested", "country", "timezone", "control", "wrong type",
           "huge", "chairs", "unknown key", "damaged", "not a file"][turn % 12]  # fmt: skip
    key = rng.choice(SITE_KEYS)
    if how == "nested":
        table[key] = nested(rng)
    elif how == "country":
        table["country"] = COUNTRIES[turn // 12 % len(COUNTRIES)]  # each in turn
    elif how == "timezone":
        table["timezone"] = TIMEZONES[turn // 12 % len(TIMEZONES)]
    elif how == "control":
        char = rng.choice(CONTROLS)
        table[key] = rng.choice([f"Ward{char}5", [f"line{char}"]])
    elif how == "wrong type":
        table[key] = rng.choice(VALUES)
    elif how == "huge":
        length = rng.choice([1000, 100_000, 600_000, 2_000_000])
        table[key] = rng.choice(["x" * length, ["长" * (length // 3)] * 3, ["a"] * (length // 5)])
    elif how == "chairs":
        table["chairs"] = CHAIRS[turn // 12 % len(CHAIRS)]
    elif how == "unknown key":
        table[rng.choice(["Name", "chair", "tz", "holidays", ""])] = "x"
    raw = toml_text(table).encode("utf-8")
    if how == "damaged":
        raw, how = text_damage(rng, raw)
    if how == "not a file":
        path.mkdir()
    else:
        path.write_bytes(raw)
    return [how, key]


def site_arguments(rng: random.Random, turn: int, site: Path, folder: Path) -> list[str]:
    """Arguments of plan (mostly its visit card), roster or agenda with `--site SITE`."""
    command = ["plan", "roster", "agenda"][turn // 12 % 3]  # each file kind meets each
    options = ["--site", str(site), *rng.choice([[], ["--lang", "zh"], ["--paper", "a5"]])]
    if command == "plan":
        fmt = rng.choice(["html", "html", "table", "ics", "json"])
        return ["plan", "--arm", _pick(rng, ARMS), "--start", _pick(rng, DATES), "--format", fmt,
                *options]  # fmt: skip
    roster = folder / "roster.csv"
    rows = [f"P{n},{_pick(rng, ARMS)},2025-01-{6 + n:02d}" for n in range(rng.randint(1, 6))]
    roster.write_text("participant,arm,start\n" + "\n".join(rows) + "\n", encoding="utf-8")
    options += rng.choice([[], ["--adjust"], ["--adjust", "--chairs", "1"]])
    fmt = rng.choice(["html", "csv", "table"] if command == "agenda" else ["html", "csv", "ics"])
    if command == "agenda":
        options += ["--today", "2025-01-06", "--from", "2025-01-06", "--days", "30"]
    return [command, str(roster), "--format", fmt, *options]


@pytest.mark.parametrize("block", range(SITE_BLOCKS))
def test_random_site_files_end_in_0_1_or_2_never_a_traceback(
    run: Run, tmp_path: Path, block: int
) -> None:
    """Valid and mutated --site files (deep nesting, bad country and zone, control characters,
    wrong types, huge text, chairs, unknown keys, damaged bytes, a folder) through plan's
    visit card, roster and agenda."""
    rng = random.Random(SITE_SEED + block)
    per_block = SITE_RUNS // SITE_BLOCKS
    for number in range(per_block):
        turn = block * per_block + number
        folder = tmp_path / str(number)
        folder.mkdir()
        done = site_file(rng, turn, folder / "site.toml")
        args = site_arguments(rng, turn, folder / "site.toml", folder)
        checked(run, args, f"mil62sched {' '.join(args)!r} with a site file {done}")


# --- workbooks -----------------------------------------------------------------------------------

WORKBOOK_SEED = 20261217
WORKBOOK_RUNS = 192  # 16 rounds of the 12 attacks: each a roster 8 times, the others 4
WORKBOOK_BLOCKS = 8
COLUMNS = {
    "roster": ["participant", "arm", "start"],
    "actuals": ["participant", "code", "date", "status"],
    "holidays": ["date", "name", "kind"],
}
SHEET_NAMES = ["Roster", "Old", "Sheet1", "Roster ", "ROSTER", "Straße", "STRASSE", "名单",
               "x" * 31, "Ｒoster"]  # fmt: skip
DATE_TEXTS = ["2025-01-06", "2025/1/6", "2025年1月6日", "2025年01月06日", "２０２５年１月６日",
              "2025-1-6", "2025/01/13"]  # fmt: skip
STRANGE_DATES = ["2025.1.6", "6/1/2025", "2025年13月6日", "2025/02/30", "二〇二五年一月六日",
                 "2025年1月6", " 2025-01-06 ", "2025-01-06 09:30"]  # fmt: skip
SERIALS: list[object] = [45663, 45670, 45663.0]  # Excel's day numbers of 2025-01-06 and -13
STRANGE_SERIALS: list[object] = [45663.5, 0, -1, 60, 61, 2958465, 2958466, 10**12, 1e308]
DATE_FORMATS = ["yyyy-mm-dd", 'yyyy"年"m"月"d"日"', "m/d/yy", "yyyy/m/d"]
NUMBER_FORMATS = ["General", "[h]:mm", "0.00", "@", "yyyy/m/d h:mm", "yyyy-mm-dd"]
PLAIN_WORDS = [word for word in WORDS if word.isprintable()]  # openpyxl refuses the rest
ATTACKS = ["hidden", "active", "bloated", "shared strings", "formulas", "dates", "empty", "cells",
           "east asian", "broken", "sheet option", "plain"]  # fmt: skip


def sheet_cell(rng: random.Random, column: str, sheet: int, row: int) -> tuple[object, str | None]:
    """A cell's value for `column` of sheet number `sheet`, and its number format if any: mostly
    one a site would type, sometimes not. Participant IDs name their sheet (SHEET2-5), so that a
    hidden sheet's rows can be told; the sheets after the first hold an unblinded arm."""
    odd = rng.random() < 0.12
    if column == "participant":
        return (
            rng.choice([42, "0042", date(2025, 1, 2), None]) if odd else f"SHEET{sheet}-{row}"
        ), None
    if column == "arm":
        return (
            rng.choice(ARMS) if odd else "phase3-rcp" if sheet == 0 else "phase3-rcp-mil62"
        ), None
    if column == "code":
        return rng.choice(CODES if odd else ["W1D1", "W3D1", "W25D1"]), None
    if column == "status":
        return rng.choice(["gone", "x"] if odd else ["", "done", "missed"]), None
    if column == "name":
        return rng.choice(PLAIN_WORDS), None
    if column == "kind":
        return rng.choice(["x", ""] if odd else ["holiday", "workday"]), None
    if odd:  # a date as no one should type it
        return rng.choice([rng.choice(STRANGE_DATES), "=TODAY()", None, True, 3.5]), None
    chance = rng.random()  # a date cell, a date typed as text, or a number in a date format
    if chance < 0.35:
        return datetime(2025, 1, rng.randint(1, 28)), None
    if chance < 0.7:
        return rng.choice(DATE_TEXTS), None
    if chance < 0.85:
        return rng.choice(SERIALS), rng.choice(DATE_FORMATS)
    return rng.choice(STRANGE_SERIALS), rng.choice(NUMBER_FORMATS)


def build_workbook(rng: random.Random, role: str, path: Path, *, sheets: int = 0) -> list[str]:
    """A workbook of one to four sheets of `role`'s columns, saved by openpyxl; the sheets'
    names. The first sheet holds the rows a site means; the others hold rows of another arm."""
    import openpyxl

    book = openpyxl.Workbook()
    assert book.active is not None
    book.remove(book.active)
    names = rng.sample(SHEET_NAMES, sheets or rng.choice([1, 1, 2, 3, 4]))
    for number, name in enumerate(names):
        sheet = book.create_sheet(name)
        if rng.random() < 0.1:
            continue  # an empty sheet
        header = list(COLUMNS[role])
        if rng.random() < 0.15:
            rng.shuffle(header)
        if rng.random() < 0.1:
            header = [rng.choice([name.upper(), f" {name} "]) for name in header] + ["notes"]
        first = rng.choice([1, 1, 1, 3])  # the header may start lower
        for column, name in enumerate(header, 1):
            sheet.cell(row=first, column=column, value=name)
        for row in range(first + 1, first + 1 + rng.randint(0, 6)):
            for column, name in enumerate(header, 1):
                value, number_format = sheet_cell(rng, name.strip().lower(), number, row)
                cell = sheet.cell(row=row, column=column, value=value)  # type: ignore[arg-type]
                if number_format is not None:
                    cell.number_format = number_format
    book.save(path)
    return names


def _parts(path: Path) -> dict[str, bytes]:
    """The parts of a workbook's zip, by name."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _save(path: Path, parts: dict[str, bytes]) -> None:
    """A workbook's zip written again from its parts (deflated: a bomb stays small)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)


def _sheet_part(parts: dict[str, bytes], rng: random.Random) -> str:
    """One of the workbook's sheet parts."""
    return rng.choice(sorted(name for name in parts if name.startswith("xl/worksheets/")))


def with_states(parts: dict[str, bytes], states: list[str]) -> None:
    """Each sheet's state (visible, hidden, veryHidden, or another word), in tab order."""
    given = iter(states)
    parts["xl/workbook.xml"] = re.sub(
        rb'state="visible"', lambda _: f'state="{next(given)}"'.encode(), parts["xl/workbook.xml"]
    )


def with_active(parts: dict[str, bytes], active: str | None) -> None:
    """The active tab: an index in or out of range, not a number, or none given."""
    view = re.sub(rb' activeTab="[^"]*"', b"", parts["xl/workbook.xml"])
    if active is not None:
        view = view.replace(b"<workbookView ", f'<workbookView activeTab="{active}" '.encode())
    parts["xl/workbook.xml"] = view


def bloated(parts: dict[str, bytes], part: str, column: str) -> None:
    """The recorded dimension to the last row and `column`, and one empty styled cell there, as
    Excel leaves a sheet after Ctrl+End bloat."""
    sheet = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{column}1048576"'.encode(),
                   parts[part])  # fmt: skip
    far = f'<row r="1048576"><c r="{column}1048576" s="0"/></row>'.encode()
    parts[part] = sheet.replace(b"</sheetData>", far + b"</sheetData>")


def saved_values(rng: random.Random, parts: dict[str, bytes]) -> None:
    """Some formulas given a saved value (a date's serial, text, an error), others none."""
    saved = [b"<v>45663</v>", b"<v>45663.75</v>", b"<v></v>", b"<v>abc</v>"]
    for name in [name for name in parts if name.startswith("xl/worksheets/")]:
        parts[name] = re.sub(rb"<v />", lambda _: rng.choice(saved), parts[name])
        if rng.random() < 0.5:  # a formula's text result
            parts[name] = re.sub(rb'<c r="([A-Z]+[0-9]+)"><f>', rb'<c r="\1" t="str"><f>',
                                 parts[name], count=1)  # fmt: skip


def east_asian(rng: random.Random, parts: dict[str, bytes]) -> None:
    """The workbook's own number formats given by the number of an East Asian built-in date
    format instead, as a Chinese Excel or WPS saves them."""
    styles = parts["xl/styles.xml"]
    for number in re.findall(rb'numFmtId="(1[6-9][0-9])" formatCode="[^"]*"', styles):
        builtin = str(rng.choice([31, 57, 58, 27, 14, 22, 49, 300])).encode()
        styles = styles.replace(b'numFmtId="' + number + b'"', b'numFmtId="' + builtin + b'"')
    parts["xl/styles.xml"] = styles


ODD_CELLS = [b'<c r="{r}" t="s"><v>99999</v></c>', b'<c r="{r}"><v>abc</v></c>',
             b'<c r="{r}" t="b"><v>2</v></c>', b'<c r="{r}" t="d"><v>2025-01-06T00:00:00</v></c>',
             b'<c r="{r}" t="d"><v>2025-13-45</v></c>', b'<c r="{r}" t="e"><v>#REF!</v></c>',
             b'<c r="XFE1"><v>1</v></c>', b'<c r="A0"><v>1</v></c>', b'<c r=""><v>1</v></c>',
             b"<c><v>1</v></c>", b'<c r="{r}" s="999"><v>45663</v></c>',
             b'<c r="{r}" s="x"><v>1</v></c>', b'<c r="{r}"><v>' + b"9" * 5000 + b"</v></c>",
             b'<c r="{r}"><v>1e400</v></c>', b'<c r="{r}"><v>nan</v></c>',
             b'<c r="{r}" t="inlineStr"><is><r><t>CT303-</t></r><r><t>7</t></r></is></c>',
             b'<c r="{r}" t="n"><f>A1</f></c>', b'<c r="{r}" t="weird"><v>1</v></c>']  # fmt: skip
ODD_ROWS = [b'<row r="0">', b'<row r="1048577">', b'<row r="x">', b"<row>", b'<row r="-3">']


def odd_cells(rng: random.Random, parts: dict[str, bytes], part: str) -> None:
    """Cells and rows as no spreadsheet program saves them, in place of some the sheet has."""
    sheet = parts[part]
    cells = list(re.finditer(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', sheet))
    for match in rng.sample(cells, min(len(cells), rng.randint(1, 3))):
        odd = rng.choice(ODD_CELLS).replace(b"{r}", match[1])
        sheet = sheet.replace(match[0], odd, 1)
    if rng.random() < 0.3:
        sheet = re.sub(rb'<row r="[0-9]+">', rng.choice(ODD_ROWS), sheet, count=1)
    parts[part] = sheet


def emptied(rng: random.Random, parts: dict[str, bytes], part: str) -> str:
    """A sheet with no cells, no sheetData, no part; or a workbook with no sheets."""
    how = rng.choice(["no cells", "no sheetData", "no part", "no sheets"])
    if how == "no cells":
        parts[part] = re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData/>", parts[part])
    elif how == "no sheetData":
        parts[part] = re.sub(rb"<sheetData>.*</sheetData>", b"", parts[part])
    elif how == "no part":
        del parts[part]
    else:
        parts["xl/workbook.xml"] = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>",
                                          parts["xl/workbook.xml"])  # fmt: skip
    return how


def broken(rng: random.Random, parts: dict[str, bytes], part: str) -> str:
    """A part cut short, not well-formed, with an entity, or missing; links that go nowhere."""
    how = rng.choice(["cut", "control character", "entity", "no workbook", "no rels",
                      "no content types", "rels elsewhere", "styles cut"])  # fmt: skip
    if how == "cut":
        parts[part] = parts[part][: rng.randrange(len(parts[part]))]
    elif how == "control character":
        parts[part] = parts[part].replace(b"<t>", b"<t>&#27;", 1)
    elif how == "entity":
        doctype = (
            b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        )
        parts[part] = doctype + parts[part].replace(b"<t>", b"<t>&x;", 1)
    elif how == "no workbook":
        del parts["xl/workbook.xml"]
    elif how == "no rels":
        del parts["_rels/.rels"]
    elif how == "no content types":
        del parts["[Content_Types].xml"]
    elif how == "rels elsewhere":
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"/xl/worksheets/", b"/../../worksheets/"
        )
    else:
        parts["xl/styles.xml"] = parts["xl/styles.xml"][:200]
    return how


class WorkbookRun(NamedTuple):
    """The arguments of a run on a workbook, what was done to it, and its hidden sheets'
    numbers (their participants are called SHEET<number>-<row>)."""

    args: list[str]
    done: list[str]
    hidden: list[int]


def workbook_run(rng: random.Random, turn: int, folder: Path) -> WorkbookRun:
    """A workbook written into `folder` with one attack (each in turn) and sheet states drawn,
    and the arguments that read it as a roster, actuals or holiday file."""
    role = ["roster", "roster", "actuals", "holidays"][turn // len(ATTACKS) % 4]  # each meets each
    attack = ATTACKS[turn % len(ATTACKS)]
    book = folder / "book.xlsx"
    names = build_workbook(rng, role, book, sheets=rng.randint(2, 4) if attack == "hidden" else 0)
    parts = _parts(book)
    done = [role, attack, f"{len(names)} sheets"]
    states = ["visible"] * len(names)
    if attack == "hidden" or rng.random() < 0.3:
        states = [rng.choice(["visible", "visible", "hidden", "veryHidden"]) for _ in names]
        if rng.random() < 0.1:  # a state no program writes: not visible either
            states[rng.randrange(len(states))] = rng.choice(["Hidden", "", "VISIBLE"])
        with_states(parts, states)
        done.append(f"states {states}")
    if attack == "active" or rng.random() < 0.3:
        active = rng.choice([None, "0", str(len(names) - 1), str(len(names)), "99", "-1", "x"])
        with_active(parts, active)
        done.append(f"activeTab {active}")
    part = _sheet_part(parts, rng)
    if attack == "bloated":
        column = rng.choice(["Z", "XFD", "XFD", "AMJ"])
        bloated(parts, part, column)
        done.append(f"{part} to {column}1048576")
    elif attack == "shared strings":
        extra = rng.choice([0, 10, 2000, 200_000, 1_000_000])
        shared_strings(parts, b"<si><t>x</t></si>" * extra)
        done.append(f"{extra} more shared strings")
    elif attack == "formulas":
        saved_values(rng, parts)
    elif attack == "east asian":
        east_asian(rng, parts)
    elif attack == "cells":
        odd_cells(rng, parts, part)
    elif attack == "empty":
        done.append(emptied(rng, parts, part))
    elif attack == "broken":
        done.append(broken(rng, parts, part))
    _save(book, parts)
    if attack == "broken" and rng.random() < 0.3:
        book.write_bytes(book.read_bytes()[: rng.randrange(book.stat().st_size)])
        done.append("zip cut")
    hidden = [number for number, state in enumerate(states) if state != "visible"]
    sheet: list[str] = []
    if attack == "sheet option" or rng.random() < 0.1:
        sheet = ["--sheet", rng.choice([*names, "nope", "", "x" * 1000, "roster", " Roster"])]
        done.append(f"--sheet {sheet[1][:40]!r}")
    roster = folder / "roster.csv"
    rows = "".join(f"SHEET0-{n},phase3-rcp,2025-01-06\n" for n in range(1, 10))
    roster.write_text("participant,arm,start\n" + rows, encoding="utf-8")
    options = [*sheet, "--format", "csv"]
    if role != "holidays" and rng.random() < 0.5:
        options.append("--skip-bad")
    if role == "roster" and rng.random() < 0.7:
        args = ["roster", str(book), *options]
    elif role == "roster":
        args = ["agenda", str(book), "--today", "2025-01-06", "--from", "2025-01-01", *options]
    elif role == "actuals":
        args = ["roster", str(roster), "--actuals", str(book), "--today", "2025-03-01", *options]
    else:
        options += ["--holidays", str(book), *rng.choice([[], ["--adjust"]])]
        if rng.random() < 0.5:
            args = ["plan", "--arm", "phase3-rcp", "--start", "2025-01-06", *options]
        else:
            args = ["roster", str(roster), *options]
    return WorkbookRun(args, done, hidden)


@pytest.mark.parametrize("block", range(WORKBOOK_BLOCKS))
def test_random_workbooks_end_in_0_1_or_2_never_a_traceback(
    run: Run, tmp_path: Path, block: int
) -> None:
    """Roster, actuals and holiday workbooks with hidden and very hidden sheets, odd active
    tabs, a recorded dimension bloated to the last row and column, shared strings up to a bomb,
    formulas without saved values, dates as numbers and as text (Chinese year-first forms too),
    empty sheets, cells and parts no spreadsheet program saves. A hidden sheet's rows are never
    planned unless --sheet names it."""
    rng = random.Random(WORKBOOK_SEED + block)
    per_block = WORKBOOK_RUNS // WORKBOOK_BLOCKS
    for number in range(per_block):
        folder = tmp_path / str(number)
        folder.mkdir()
        args, done, hidden = workbook_run(rng, block * per_block + number, folder)
        result = checked(run, args, f"mil62sched {' '.join(args)!r} on a workbook {done}")
        if done[0] == "roster" and "--sheet" not in args:  # also when bad rows were skipped
            shown = [number for number in hidden if f"SHEET{number}-" in result.stdout]
            assert not shown, (f"hidden sheet(s) {shown} read", args, done)
