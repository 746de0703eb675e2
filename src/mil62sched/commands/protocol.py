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
from mil62sched.errors import FILE_LINE, BadRowsError, ProtocolError, os_problem
from mil62sched.i18n import ENGLISH, Words, words, wrap
from mil62sched.messages import N_, Localized, Message, Text, msg, term
from mil62sched.model.protocol import Arm, Protocol, Schedule
from mil62sched.protocol.loader import CANNOT_READ

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

    tr = words(lang)

    def value(key: str, text: object) -> object:
        return term(text) if key == "field" and isinstance(text, str) else text

    out: list[str] = []

    def para(text: str, first: str = "", indent: str = "") -> None:
        out.extend(line.rstrip() for line in wrap(text, WIDTH, indent=indent, first=first))

    def named(file: str) -> str:
        if file == protocol.BUILTIN_NAME:
            return tr("the built-in protocol ({name})", name=file)
        return file

    old, new_file = named(files[0]), named(files[1])
    para(tr("{protocol}: from {old} to {new}", protocol=new.id, old=old, new=new_file))
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
        said = (
            N_("{file}: {count} problem; not valid")
            if count == 1
            else N_("{file}: {count} problems; not valid")
        )
        raise BadRowsError(problems, msg(said, file=str(file), count=count))
    visits = sum(len(schedule.visits) for schedule in trial.schedules.values())
    valid = msg(
        N_("{file}: valid, {arms} arms, {visits} visits"),
        file=str(file),
        arms=len(trial.arms),
        visits=visits,
    )
    env.stdout.write(env.render(valid) + "\n")


def show(env: Environment, options: ShowOptions) -> None:
    """Print the schedules, journeys, windows and citations of a protocol file, in the run's
    language (the citations in the registry's own words)."""
    env.stdout.write(describe(protocol.load(options.file), words(env.lang)))


def schema(env: Environment) -> None:
    """Print the JSON Schema (draft 2020-12) of the protocol file format."""
    env.stdout.write(protocol.SCHEMA.read_text(encoding="utf-8"))


# --- validate -----------------------------------------------------------------------------------


def check(path: Path) -> tuple[Protocol | None, list[Message]]:
    """The protocol of the file at `path` (None when it has a problem) and every problem, as
    lines `FILE line N: key.path: what`."""
    import tomllib

    from mil62sched.parse import NestingError, read_toml, toml_problem
    from mil62sched.protocol.validation import check as check_table

    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise ProtocolError(msg(CANNOT_READ, file=str(path), problem=os_problem(exc))) from None
    except UnicodeDecodeError as exc:
        english = f"not UTF-8 text ({exc})"
        problem = Localized(english, {"zh": msg(N_("not UTF-8 text (byte {byte})"),
                                                 byte=exc.start + 1)})  # fmt: skip
        raise ProtocolError(msg(CANNOT_READ, file=str(path), problem=problem)) from None
    try:
        table = read_toml(text)
    except NestingError as exc:
        return None, [msg(N_("{where}: {problem}"), where=str(path), problem=exc.said)]
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where: Text = msg(FILE_LINE, file=str(path), line=int(found[1])) if found else str(path)
        not_toml = Localized(f"not TOML: {exc}", {"zh": toml_problem(exc).translations["zh"]})
        return None, [msg(N_("{where}: {problem}"), where=where, problem=not_toml)]
    trial, findings = check_table(text, table)
    return trial, [
        msg(N_("{where}: {problem}"), where=finding.where(str(path)), problem=finding.what())
        for finding in findings
    ]


# --- show ---------------------------------------------------------------------------------------


_Para = Callable[..., None]  # writes a wrapped paragraph: (text, indent="")


def describe(trial: Protocol, tr: Words = ENGLISH) -> str:
    """The protocol as text people read at 80 columns: identity, treatments, schedules (visits,
    windows, kinds, citations) and journeys, in `tr`'s language; the registry's words (its
    title, the citations) as the file gives them."""
    out: list[str] = []
    wrapper = textwrap.TextWrapper(width=WIDTH, break_long_words=False, break_on_hyphens=False)

    def para(text: str, indent: str = "") -> None:
        joined = " ".join(text.split())
        if tr.chinese:  # Chinese has few spaces: broken between its characters too
            lines = wrap(joined, WIDTH, indent, indent)
        else:
            wrapper.initial_indent = wrapper.subsequent_indent = indent
            lines = wrapper.wrap(joined) or [indent.rstrip()]
        out.extend(line.replace(_GLUE, " ") for line in lines)

    site = trial.site_zh if tr.chinese and trial.site_zh else trial.site
    para(tr("{protocol} ({registry}): {title}", protocol=trial.id, registry=trial.registry,
            title=tr.term(trial.title)))  # fmt: skip
    para(
        tr(
            "Sponsor: {sponsor}; site: {site} ({country}, {timezone})",
            sponsor=tr.term(trial.sponsor),
            site=site,
            country=trial.country,
            timezone=trial.timezone,
        )
    )
    dates = []
    if trial.study_start:
        dates.append(msg(N_("study start {date}"), date=trial.study_start))
    if trial.study_completion:
        dates.append(msg(N_("completion {date}"), date=trial.study_completion))
    if dates:
        para(tr("Source: {source}; {dates}.", source=trial.source, dates=dates))
    else:
        para(tr("Source: {source}.", source=trial.source))
    if trial.version is not None:  # a file that states none says nothing of it
        if trial.amends:
            para(tr("Protocol version {version} (amends {amends}).", version=trial.version,
                    amends=trial.amends))  # fmt: skip
        else:
            para(tr("Protocol version {version}.", version=trial.version))
    out.append("")
    out.append(tr("Schedules"))
    for schedule in trial.schedules.values():
        out.append("")
        _schedule(schedule, para, tr)
    journeys = [arm for arm in trial.arms.values() if arm.journey]
    if journeys:
        out += ["", tr("Journeys")]
    for arm in journeys:
        out.append("")
        _journey(arm, para, tr)
    return "\n".join(out) + "\n"


def _masking(masking: str, unblinds: str | None, tr: Words) -> str:
    """'blinded', or 'unblinded, reveals phase3-rcp'."""
    if unblinds:
        return tr("{masking}, reveals {name}", masking=Localized(masking), name=unblinds)
    return tr.term(masking)


def _schedule(schedule: Schedule, para: _Para, tr: Words) -> None:
    title = tr.term(schedule.title)
    if schedule.aliases:
        para(tr("{name} (alias {aliases}): {title}", name=schedule.name,
                aliases=list(schedule.aliases), title=title))  # fmt: skip
    else:
        para(tr("{name}: {title}", name=schedule.name, title=title))
    para(
        tr(
            "period {period}, {masking}; infuses {treatment}",
            period=Localized(schedule.period),
            masking=_masking(schedule.masking, schedule.unblinds, tr),
            treatment=Localized(schedule.treatment.label),
        ),
        "  ",
    )
    if schedule.escalation:
        rule = schedule.escalation
        para(
            tr(
                "may escalate to {treatment} from {code} on",
                treatment=Localized(rule.treatment.label),
                code=str(rule.earliest),
            ),
            "  ",
        )
    visits = []
    for code in schedule.visits:
        words_of = [str(code)]
        kind = schedule.kind_at(code)
        if kind != "infusion":
            words_of.append(tr.term(kind))
        elif code in schedule.overrides:
            words_of.append(f"({tr.term(schedule.overrides[code].label)})")
        if code in schedule.windows:
            words_of.append(tr.message(schedule.windows[code].words()).replace(" ", _GLUE))
        visits.append(_GLUE.join(words_of))
    said = (
        N_("{count} visits (no windows): {visits}")
        if not schedule.windows
        else N_("{count} visits (windows in days): {visits}")
    )
    para(tr(said, count=len(visits), visits=visits), "  ")
    para(tr('cites: "{cites}"', cites=schedule.cites), "    ")


def _journey(arm: Arm, para: _Para, tr: Words) -> None:
    para(tr("{name}: {title}", name=arm.name, title=tr.term(arm.title)))
    legs: list[object] = [arm.legs[0].schedule.name]
    for leg in arm.legs[1:]:
        legs.append(
            msg(
                N_("then {name} (default start at {code})"),
                name=leg.schedule.name,
                code=str(leg.starts_at),
            )
        )
    para(tr("{masking}: {legs}", masking=_masking(arm.masking, arm.unblinds, tr), legs=legs), "  ")
    para(tr('cites: "{cites}"', cites=arm.cites), "    ")
