"""Random option combinations and generated roster, actuals and holiday files, seeded: whatever
goes in, the tool ends with exit status 0, 1 or 2 and never a traceback.

A few hundred runs in-process (typer's CliRunner), so a program error shows as an exception
other than SystemExit. The seed is fixed, so a failure is reproducible: the assertion message
gives the arguments and the files.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from tests.conftest import Run

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
        result = run(*args)
        files = {p.name: p.read_bytes()[:300] for p in folder.iterdir()}
        where = f"mil62sched {' '.join(args)!r} with {files}"
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            where,
            result.exception,
        )
        assert result.exit_code in (0, 1, 2), (where, result.exit_code, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr, where
        if result.exit_code != 0:  # after any notes (a file not read as UTF-8) and warnings
            errors = re.sub(r"^(mil62sched: (note|warning): [^\n]*\n)*", "", result.stderr)
            assert errors.startswith("mil62sched: error: "), (where, result.stderr)
