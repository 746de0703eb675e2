"""The `protocol` commands: check a protocol file (`validate`), print what it says (`show`), and
print the JSON Schema of the format (`schema`).

`validate` reports every problem at once, each with its TOML key path and a line of the file.
tomllib gives no positions, so the line is found by searching the file's text (see `locate`).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from mil62sched import protocol
from mil62sched.errors import BadRowsError, ProtocolError
from mil62sched.model.protocol import Arm, Protocol, Schedule

WIDTH = 80  # `show` is read in terminals of 80 columns
_GLUE = "\x00"  # a space that `show` never breaks a line at (inside "W3D1 ±3 d")

commands = typer.Typer(
    name="protocol",
    help="Check, show and describe protocol files (the trial as data).",
)


@commands.callback(invoke_without_command=True)
def _group(ctx: typer.Context) -> None:
    """Check, show and describe protocol files (the trial as data)."""
    if ctx.invoked_subcommand is None:  # no command: say what there is, as `mil62sched` does
        typer.echo(ctx.get_help())
        raise typer.Exit()


File = Annotated[
    Path, typer.Argument(metavar="FILE", help="A protocol file (TOML).", show_default=False)
]


@commands.command()
def validate(file: File) -> None:
    """Check a protocol file: every problem, one line each, with its key path and line."""
    problems = check(file)
    if problems:
        count = len(problems)
        raise BadRowsError(problems, f"{file}: {count} problem{'s' * (count != 1)}; not valid")
    trial = protocol.load(file)
    visits = sum(len(schedule.visits) for schedule in trial.schedules.values())
    typer.echo(f"{file}: valid, {len(trial.arms)} arms, {visits} visits")


@commands.command()
def show(
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar="FILE", help="A protocol file; default the built-in MIL62-CT303 one."
        ),
    ] = None,
) -> None:
    """Print the schedules, journeys, windows and citations of a protocol file."""
    typer.echo(describe(protocol.load(file)), nl=False)


@commands.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the protocol file format."""
    typer.echo(protocol.SCHEMA.read_text(encoding="utf-8"), nl=False)


# --- validate -----------------------------------------------------------------------------------


def check(path: Path) -> list[str]:
    """Every problem of the file at `path`, as lines `FILE line N: key.path: what`."""
    import json
    import tomllib

    from jsonschema import Draft202012Validator

    from mil62sched.parse import NestingError, read_toml

    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise ProtocolError(f"cannot read protocol {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"cannot read protocol {path}: not UTF-8 text ({exc})") from None
    try:
        table = read_toml(text)
    except NestingError as exc:
        return [f"{path}: {exc}"]
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where = f"{path} line {found[1]}" if found else str(path)
        return [f"{where}: not TOML: {exc}"]
    version = protocol.check_format(table)
    if version is not None:  # another format's file cannot be checked against this one's rules
        return [_line(path, text, _segments(version.path), version.path, version.message)]
    rules = json.loads(protocol.SCHEMA.read_text(encoding="utf-8"))
    validator = Draft202012Validator(rules)
    found_lines: list[tuple[int, str]] = []
    broken: set[str] = set()  # entries the schema refused: their semantic checks would repeat it
    errors = [leaf for found in validator.iter_errors(table) for leaf in _leaves(found)]
    for error in errors:
        segments: list[str | int] = list(error.absolute_path)
        broken.add(_entry(_key_path(segments)))
        hint = error.instance if isinstance(error.instance, str | int) else None
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            extra = [key for key in error.instance if key not in known]
            if extra:  # point at the first key that should not be there
                segments.append(extra[0])
                hint = None
        key_path = _key_path(segments)
        message = _wording(error, rules["$defs"]["code"]["pattern"])
        found_lines.append(_located(path, text, segments, key_path, message, hint))
    problems: list[protocol.Problem] = []
    trial = protocol.build(table, problems)
    for problem in problems:
        if _entry(problem.path) in broken:
            continue
        segments = _segments(problem.path)
        found_lines.append(_located(path, text, segments, problem.path, problem.message, None))
    if trial is not None and "design" in table and not any(b.startswith("design") for b in broken):
        found_lines.extend(_design_problem(path, text, table["design"], trial))
    return [line for _, line in sorted(found_lines, key=lambda found: found[0])]


def _design_problem(path: Path, text: str, body: object, trial: Protocol) -> list[tuple[int, str]]:
    """What the schema cannot say about the [design] table (the SDTM trial design): that the
    arms, schedules and periods it names are the file's, codes unique, criteria numbered."""
    from mil62sched.protocol.design import check_design

    try:
        check_design(body, trial)
    except ProtocolError as exc:
        return [_located(path, text, ["design"], "design", exc.line(), None)]
    return []


def _leaves(error: Any) -> list[Any]:
    """For an error of `oneOf` or `anyOf` (a visit is a code or a table), the errors of the
    alternative that was meant: not one refusing the value's type outright, and of those the one
    that went deepest into the value, naming the keys at fault."""
    if not error.context or all(e.validator == "required" for e in error.context):
        return [error]  # e.g. "one of through, for_weeks, count": worded by `_wording`
    branches: dict[object, list[Any]] = {}
    for found in error.context:
        branches.setdefault(found.relative_schema_path[0], []).append(found)
    meant = [
        found
        for found in branches.values()
        if not any(e.validator == "type" and not e.relative_path for e in found)
    ] or list(branches.values())
    best = max(meant, key=lambda found: max(len(e.absolute_path) for e in found))
    return [leaf for found in best for leaf in _leaves(found)]


def _wording(error: Any, code_pattern: str) -> str:
    """The schema's message, or for a malformed visit code the message `plan` gives, or the
    schema's own description of a rule (`not`) that the default message would not explain."""
    from mil62sched.errors import Mil62schedError
    from mil62sched.model.codes import VisitCode

    def about_codes(found: Any) -> bool:
        schema = found.schema if isinstance(found.schema, dict) else {}
        return schema.get("pattern") == code_pattern or any(map(about_codes, found.context or ()))

    if isinstance(error.instance, str) and about_codes(error):
        try:
            VisitCode.parse(error.instance)
        except Mil62schedError as exc:
            return exc.line()
    if error.context and all(e.validator == "required" for e in error.context):
        names = [str(name) for e in error.context for name in e.validator_value]
        return f"needs one of {', '.join(names)}"
    if error.validator == "not" and isinstance(error.schema, dict) and error.schema.get("title"):
        return str(error.schema["title"])
    return str(error.message)


def _located(
    path: Path,
    text: str,
    segments: Sequence[str | int],
    key_path: str,
    message: str,
    hint: object,
) -> tuple[int, str]:
    line = locate(text, segments, hint)
    return line or 0, _line(path, text, segments, key_path, message, hint)


def _line(
    path: Path,
    text: str,
    segments: Sequence[str | int],
    key_path: str,
    message: str,
    hint: object = None,
) -> str:
    line = locate(text, segments, hint)
    where = f"{path} line {line}" if line else str(path)
    return f"{where}: {key_path or '(top level)'}: {message}"


def _key_path(segments: Iterable[str | int]) -> str:
    """`schedules[2].visits[3]` from ["schedules", 2, "visits", 3].

    >>> _key_path(["schedules", 2, "visits", 3])
    'schedules[2].visits[3]'
    """
    text = ""
    for segment in segments:
        text += f"[{segment}]" if isinstance(segment, int) else f".{segment}" if text else segment
    return text


def _segments(key_path: str) -> list[str | int]:
    """The inverse of `_key_path`.

    >>> _segments("schedules[2].visits[3]")
    ['schedules', 2, 'visits', 3]
    """
    return [
        int(index) if index else name
        for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", key_path)
    ]


def _entry(key_path: str) -> str:
    """The top-level entry a key path is in: `schedules[2]`, `protocol`, `treatments`."""
    found = re.match(r"[^.\[]*(\[\d+\])?", key_path)
    return found[0] if found else key_path


_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def locate(text: str, segments: Sequence[str | int], hint: object = None) -> int | None:
    """The line (from 1) where the key path `segments` can be found in the TOML `text`, or None.

    tomllib keeps no positions, so this searches the text: the table headers (`[protocol]`, the
    n-th `[[schedules]]`) along the path, then the first `key =` line of the next key inside that
    table, then, when the value is known (`hint`), the first line from there that holds it. The
    file is not parsed again: a path written in an unusual way (dotted keys, a key repeated in
    an inline table) is found at the nearest line before it, which is still the right table.

    >>> text = 'format = 1\\n[[s]]\\nv = ["W1D1"]\\n[[s]]\\nv = [\\n  "W2D9",\\n]\\n'
    >>> locate(text, ["s", 1, "v", 0], "W2D9")
    6
    """
    lines = text.splitlines()
    headers = [(n, _HEADER.match(line)) for n, line in enumerate(lines)]
    low, high = 0, len(lines)
    found: int | None = None
    table: list[str] = []  # the dotted name of the table we are in
    index = 0
    inside_value = False  # past a `key =`: further names are inline-table keys
    while index < len(segments):
        segment = segments[index]
        following = segments[index + 1] if index + 1 < len(segments) else None
        if isinstance(segment, int):
            index += 1  # an element of an inline array: found by its value, if known
            continue
        name = ".".join([*table, segment])
        if not inside_value:
            if any(m and m[2].startswith(name + ".") for _, m in headers[low:]) and not any(
                m and m[2] == name for _, m in headers[low:]
            ):  # only sub-tables are written out: [treatments.drug]
                table = [*table, segment]
                index += 1
                continue
            # Searched to the end, as `one` is: `[[design.arms]]` follows other tables of [design].
            many = [n for n, m in headers[low:] if m and m[1] == "[[" and m[2] == name]
            if many and isinstance(following, int) and following < len(many):
                found = many[following]
                low, high = found + 1, _next_header(headers, found + 1)
                table = [*table, segment]
                index += 2
                continue
            one = [n for n, m in headers[low:] if m and m[1] == "[" and m[2] == name]
            if one:
                found = one[0]
                low, high = found + 1, _next_header(headers, found + 1)
                table = [*table, segment]
                index += 1
                continue
        key = re.compile(
            (r"^\s*" if not inside_value else r"(?:^|[{,\s])")
            + rf"(?:\"{re.escape(segment)}\"|'{re.escape(segment)}'|{re.escape(segment)})\s*="
        )
        hit = next((n for n in range(low, high) if key.search(lines[n])), None)
        if hit is None:
            break
        found, low = hit, hit
        inside_value = True
        index += 1
    if found is not None and hint is not None and not isinstance(hint, bool):
        literal = f'"{hint}"' if isinstance(hint, str) else str(hint)
        start = found
        hit = next((n for n in range(start, high) if literal in lines[n]), None)
        if hit is not None:
            found = hit
    return None if found is None else found + 1


def _next_header(headers: Sequence[tuple[int, re.Match[str] | None]], start: int) -> int:
    return next((n for n, m in headers[start:] if m), len(headers))


# --- show ---------------------------------------------------------------------------------------


_Para = Callable[..., None]  # writes a wrapped paragraph: (text, indent="")


def describe(trial: Protocol) -> str:
    """The protocol as text people read at 80 columns: identity, treatments, schedules (visits,
    windows, kinds, citations) and journeys."""
    out: list[str] = []
    wrap = textwrap.TextWrapper(width=WIDTH, break_long_words=False, break_on_hyphens=False)

    def para(text: str, indent: str = "") -> None:
        wrap.initial_indent = wrap.subsequent_indent = indent
        lines = wrap.wrap(" ".join(text.split())) or [indent.rstrip()]
        out.extend(line.replace(_GLUE, " ") for line in lines)

    para(f"{trial.id} ({trial.registry}): {trial.title}")
    para(f"Sponsor: {trial.sponsor}; site: {trial.site} ({trial.country}, {trial.timezone})")
    dates = []
    if trial.study_start:
        dates.append(f"study start {trial.study_start.isoformat()}")
    if trial.study_completion:
        dates.append(f"completion {trial.study_completion.isoformat()}")
    para(f"Source: {trial.source}" + (f"; {', '.join(dates)}." if dates else "."))
    out.append("")
    out.append("Schedules")
    for schedule in trial.schedules.values():
        out.append("")
        _schedule(schedule, para)
    journeys = [arm for arm in trial.arms.values() if arm.journey]
    if journeys:
        out += ["", "Journeys"]
    for arm in journeys:
        out.append("")
        _journey(arm, para)
    return "\n".join(out) + "\n"


def _schedule(schedule: Schedule, para: _Para) -> None:
    alias = f" (alias {', '.join(schedule.aliases)})" if schedule.aliases else ""
    para(f"{schedule.name}{alias}: {schedule.title}")
    masking: str = schedule.masking
    if schedule.unblinds:
        masking += f", reveals {schedule.unblinds}"
    para(f"period {schedule.period}, {masking}; infuses {schedule.treatment.label}", "  ")
    if schedule.escalation:
        rule = schedule.escalation
        para(f"may escalate to {rule.treatment.label} from {rule.earliest} on", "  ")
    visits = []
    for code in schedule.visits:
        words = [str(code)]
        kind = schedule.kind_at(code)
        if kind != "infusion":
            words.append(kind)
        elif code in schedule.overrides:
            words.append(f"({schedule.overrides[code].label})")
        if code in schedule.windows:
            words.append(str(schedule.windows[code]).replace(" ", _GLUE))
        visits.append(_GLUE.join(words))
    windows = "no windows" if not schedule.windows else "windows in days"
    para(f"{len(visits)} visits ({windows}): {', '.join(visits)}", "  ")
    para(f'cites: "{schedule.cites}"', "    ")


def _journey(arm: Arm, para: _Para) -> None:
    para(f"{arm.name}: {arm.title}")
    masking = arm.masking + (f", reveals {arm.unblinds}" if arm.unblinds else "")
    legs = [arm.legs[0].schedule.name]
    for leg in arm.legs[1:]:
        legs.append(f"then {leg.schedule.name} (default start at {leg.starts_at})")
    para(f"{masking}: {', '.join(legs)}", "  ")
    para(f'cites: "{arm.cites}"', "    ")
