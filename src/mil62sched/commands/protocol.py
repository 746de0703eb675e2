"""The `protocol` commands: check a protocol file (`validate`), print what it says (`show`), what
changed between two (`diff`), and print the JSON Schema of the format (`schema`); `cli`
declares them.

`validate` reports every problem at once, each with its TOML key path and a line of the file
(`protocol.validation`, which every command reading a protocol file refuses it by).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mil62sched import protocol
from mil62sched.environment import Environment
from mil62sched.errors import BadRowsError, ProtocolError
from mil62sched.i18n import words
from mil62sched.model.protocol import Arm, Protocol, Schedule

WIDTH = 80  # `show` is read in terminals of 80 columns
_GLUE = "\x00"  # a space that `show` never breaks a line at (inside "W3D1 ±3 d")


@dataclass(frozen=True)
class ValidateOptions:
    """What `protocol validate` is given: the protocol file to check."""

    file: Path


@dataclass(frozen=True)
class ShowOptions:
    """What `protocol show` is given: a protocol file (None: the built-in one)."""

    file: Path | None


@dataclass(frozen=True)
class DiffOptions:
    """What `protocol diff` is given: the file as it was, and the one that amends it."""

    old: Path
    new: Path


def diff(env: Environment, options: DiffOptions) -> None:
    """What changed between two protocol files, section by section, at 80 columns."""
    from mil62sched.protocol.diff import differences

    old, new = protocol.load(options.old), protocol.load(options.new)
    files = (str(options.old), str(options.new))
    env.stdout.write(said_differences(new, files, differences(old, new), env.lang))


def said_differences(
    new: Protocol, files: tuple[str, str], found: list[Any], lang: str = "en"
) -> str:
    """The differences (`protocol.diff.Difference`) as text for an 80-column terminal, in
    `lang`: a heading naming the two files, then each section's lines."""
    from mil62sched.i18n import wrap
    from mil62sched.protocol.diff import NONE

    tr = words(lang)

    def value(key: str, text: str) -> str:
        return tr(text) if text == NONE or key == "field" else tr.sentence(text)

    out: list[str] = []

    def para(text: str, first: str = "", indent: str = "") -> None:
        out.extend(line.rstrip() for line in wrap(text, WIDTH, indent=indent, first=first))

    para(tr("{protocol}: from {old} to {new}", protocol=new.id, old=files[0], new=files[1]))
    if not found:
        para(tr("No differences."))
    section = None
    for difference in found:
        if difference.section != section:
            section = difference.section
            out += ["", tr(section)]
        values = {key: value(key, text) for key, text in difference.values.items()}
        para(tr(difference.template, **values), first="  ", indent="    ")
    return "\n".join(out) + "\n"


def validate(env: Environment, options: ValidateOptions) -> None:
    """Check a protocol file: every problem, one line each, with its key path and line."""
    file = options.file
    trial, problems = check(file)
    if trial is None or problems:
        count = len(problems)
        raise BadRowsError(problems, f"{file}: {count} problem{'s' * (count != 1)}; not valid")
    visits = sum(len(schedule.visits) for schedule in trial.schedules.values())
    env.stdout.write(f"{file}: valid, {len(trial.arms)} arms, {visits} visits\n")


def show(env: Environment, options: ShowOptions) -> None:
    """Print the schedules, journeys, windows and citations of a protocol file."""
    env.stdout.write(describe(protocol.load(options.file)))


def schema(env: Environment) -> None:
    """Print the JSON Schema (draft 2020-12) of the protocol file format."""
    env.stdout.write(protocol.SCHEMA.read_text(encoding="utf-8"))


# --- validate -----------------------------------------------------------------------------------


def check(path: Path) -> tuple[Protocol | None, list[str]]:
    """The protocol of the file at `path` (None when it has a problem) and every problem, as
    lines `FILE line N: key.path: what`."""
    import tomllib

    from mil62sched.parse import NestingError, read_toml
    from mil62sched.protocol.validation import check as check_table

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
        return None, [f"{path}: {exc}"]
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where = f"{path} line {found[1]}" if found else str(path)
        return None, [f"{where}: not TOML: {exc}"]
    trial, findings = check_table(text, table)
    return trial, [f"{finding.where(str(path))}: {finding.what()}" for finding in findings]


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
    if trial.version is not None:  # a file that states none says nothing of it
        amends = f" (amends {trial.amends})" if trial.amends else ""
        para(f"Protocol version {trial.version}{amends}.")
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
