"""The `screen` command: when can this person start? The earliest permissible first infusion
from the protocol's time-bound criteria, for one person (their history on the command line) or
a file of candidates; with `--plan`, the whole calendar that would follow from it.

The tool assists; the investigator decides eligibility. Everything it cannot decide is listed
to check, in the registry's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from mil62sched import eligibility as rules
from mil62sched import i18n, protocol
from mil62sched.commands.options import (
    ScreenOutput,
    WorkingDayOptions,
    at_site,
    warn_study_dates,
)
from mil62sched.environment import Environment
from mil62sched.errors import FILE_LINE, BadRowsError, UsageError
from mil62sched.formats import output_is_folder, unknown_extension
from mil62sched.formats.screening import FORMATS, ScreenFormat, Shown
from mil62sched.inputs import Reading, readable_twice
from mil62sched.messages import N_, Localized, Message, Text, msg
from mil62sched.model.eligibility import Dose, Eligibility, History, Phase, Screening
from mil62sched.model.protocol import Protocol
from mil62sched.outputs import check_target, write_text
from mil62sched.parse import option_date, parse_date
from mil62sched.roster.candidates import (
    parse_days,
    parse_half_life,
    parse_mg,
    parse_pair,
    read_candidates,
)

if TYPE_CHECKING:
    from mil62sched.model.plan import Plan
    from mil62sched.site.workdays import SiteCalendar


# Enough to see what is wrong in a file of candidates, as for a roster's bad rows.
SHOWN_PROBLEMS = 100


@dataclass(frozen=True)
class ScreenOptions:
    """What `screen` is given, as typed (`cli.screen` declares each option)."""

    candidates: Path | None  # a CSV or .xlsx file of candidates, else the options below
    phase: str | None
    screening: str | None
    last: Sequence[str] | None  # NAME=DATE
    attack: Sequence[str] | None  # DATE
    steroid_dose: str | None  # MG
    continuous_days: Sequence[str] | None  # NAME=DAYS
    half_life: Sequence[str] | None  # NAME=DURATION
    classes: Sequence[str] | None  # NAME=CLASS (--class)
    plan: bool
    arm: str | None
    protocol_file: Path | None
    site_file: Path | None
    site: WorkingDayOptions
    output: ScreenOutput


def run(env: Environment, options: ScreenOptions) -> None:
    """Screen, render in the chosen format, and write it (with `--plan`, the plan after it)."""
    options.site.inputs.read_in(env)
    output = options.output
    chosen = choose(output.format, output.output)
    check_target(output.output, output.force)  # a file that exists: refused before the work
    _check_combination(options, chosen)
    trial, _ = at_site(protocol.load(options.protocol_file), options.site_file)
    from mil62sched.protocol.criteria import load_eligibility

    criteria = load_eligibility(trial, options.protocol_file)
    site = options.site.site_calendar(trial, env.reading)
    known = _knowledge(options)
    if options.candidates is None:
        result = _one(options, criteria, trial, site, known)
        results = [result]
    else:
        results = _many(options.candidates, env.reading, criteria, site, known)
    shown = Shown(trial, env.lang)
    text = chosen.render(results, shown)
    the_plan = None
    if options.plan:
        assert options.arm is not None
        the_plan, text = _with_plan(env, text, results[0], options, chosen, trial, site)
    write_text(text, output.output, env.output, force=output.force, terminal=chosen.terminal)
    if the_plan is not None:
        warn_study_dates(env, the_plan)


def choose(fmt: str | None, output: Path | None) -> ScreenFormat:
    """`--format`, else from -o's extension, else table."""
    names = [f.name for f in FORMATS]
    if output is not None and output.is_dir():
        raise output_is_folder(output)
    if fmt is not None:
        for found in FORMATS:
            if found.name == fmt.strip().lower():
                return found
        raise UsageError(
            msg(N_("unknown format")), value=fmt, accepted=msg(N_("accepted: {names}"), names=names)
        )
    if output is None:
        return FORMATS[0]
    for found in FORMATS:
        if output.suffix.lower() in found.extensions:
            return found
    raise unknown_extension(output, [e for f in FORMATS for e in f.extensions], names)


def _check_combination(given: ScreenOptions, chosen: ScreenFormat) -> None:
    """Options that do not go together, refused before any work."""
    if given.candidates is not None:
        typed = [
            option
            for option, value in (
                ("--phase", given.phase), ("--screening", given.screening),
                ("--last", given.last), ("--attack", given.attack),
                ("--steroid-dose", given.steroid_dose),
                ("--continuous-days", given.continuous_days),
            )
            if value
        ]  # fmt: skip
        if typed:
            raise UsageError(
                msg(
                    N_(
                        "{option} is a person's history, and {file} gives each candidate's: give "
                        "it in the file (--half-life and --class apply to every candidate)"
                    ),
                    option=typed[0],
                    file=given.candidates.name,
                )
            )
        if given.plan:
            raise UsageError(
                msg(
                    N_(
                        "--plan plans one person: give their history on the command line, or plan "
                        "a candidate with mil62sched plan --start DATE"
                    )
                )
            )
    if given.arm is not None and not given.plan:
        raise UsageError(msg(N_("--arm is for --plan: add --plan to plan from the earliest date")))
    if given.plan and chosen.name == "csv":
        raise UsageError(
            msg(N_("--plan adds the plan after the screening, and a CSV holds one table")),
            accepted=msg(
                N_("use --format table, json or md, or write the plan with mil62sched plan")
            ),
        )


class _Knowledge(NamedTuple):
    """What the command line says of drugs, for every person: half-lives and classes."""

    half_lives: dict[str, timedelta]
    classes: dict[str, tuple[str, ...]]


def _knowledge(given: ScreenOptions) -> _Knowledge:
    half_lives: dict[str, timedelta] = {}
    for text in given.half_life or ():
        name, value = parse_pair(
            text, "--half-life", msg(N_("NAME=DURATION, e.g. azathioprine=5h or 3d"))
        )
        if name in half_lives:
            raise _twice("--half-life", name)
        half_lives[name] = parse_half_life(value, _for("--half-life", name))
    classes: dict[str, tuple[str, ...]] = {}
    for text in given.classes or ():
        name, value = parse_pair(
            text, "--class", msg(N_("NAME=CLASS, e.g. ocrelizumab=b-cell-depleting"))
        )
        classes[name] = (*classes.get(name, ()), value.strip().lower())
    return _Knowledge(half_lives, classes)


def _one(
    given: ScreenOptions,
    criteria: Eligibility,
    trial: Protocol,
    site: SiteCalendar | None,
    known: _Knowledge,
) -> Screening:
    """The screening of the person whose history the options give."""
    if given.plan and given.arm is None:
        listed = criteria.phase(given.phase).arms if given.phase is not None else ()
        raise UsageError(
            msg(N_("--plan needs --arm")),
            accepted=msg(N_("the arm to plan: {names}"), names=list(listed))
            if listed
            else msg(N_("the arm to plan ('mil62sched arms' lists them)")),
        )
    phase = _phase(criteria, given.phase, given.arm, trial)
    if given.screening is None:
        raise UsageError(
            msg(N_("missing option --screening")),
            accepted=msg(N_("the screening date, YYYY-MM-DD")),
        )
    screening = parse_date(given.screening, option_date("--screening"))
    doses = []
    for text in given.last or ():
        name, when = parse_pair(
            text, "--last", msg(N_("NAME=YYYY-MM-DD, e.g. tocilizumab=2025-06-01"))
        )
        doses.append(
            Dose(name, parse_date(when, msg(N_("{option} date for {code}"), option="--last",
                                            code=name)))
        )  # fmt: skip
    attacks: list[date] = []
    for text in given.attack or ():
        day = parse_date(text, option_date("--attack"))
        if day in attacks:
            raise _twice("--attack", day.isoformat())
        attacks.append(day)
    days: dict[str, int] = {}
    for text in given.continuous_days or ():
        name, value = parse_pair(
            text, "--continuous-days", msg(N_("NAME=DAYS, e.g. methotrexate=5"))
        )
        if name in days:
            raise _twice("--continuous-days", name)
        days[name] = parse_days(value, _for("--continuous-days", name))
    given_names = {dose.name for dose in doses}
    for option, named in (("--continuous-days", days), ("--class", known.classes)):
        for name in named:
            if name not in given_names:
                raise UsageError(
                    msg(
                        N_(
                            "{option} {name} names no --last {name}: give --last {name}=DATE, its "
                            "last dose"
                        ),
                        option=option,
                        name=name,
                    )
                )
    history = History(
        doses=tuple(doses),
        attacks=tuple(attacks),
        steroid_mg=None if given.steroid_dose is None else parse_mg(given.steroid_dose),
        continuous_days=days,
        half_lives=known.half_lives,
        classes=known.classes,
    )
    return rules.screen(criteria, history, phase.name, screening, site)


def _twice(option: str, value: str) -> UsageError:
    """`--attack 2025-08-01 is given twice`."""
    return UsageError(msg(N_("{option} {value} is given twice"), option=option, value=value))


def _for(option: str, name: str) -> Message:
    """What a value given for a drug is called in a refusal: '--half-life for ivig'."""
    return msg(N_("{option} for {name}"), option=option, name=name)


def _phase(criteria: Eligibility, name: str | None, arm: str | None, trial: Protocol) -> Phase:
    """The phase `--phase` names, or the one whose arms hold `--arm`; the arm must be one of
    the phase's arms (a person screened for Phase III is not planned on a Phase Ib arm)."""
    names = [phase.name for phase in criteria.phases]
    planned = None if arm is None else trial.arm(arm).name
    if name is None:
        holding = [p for p in criteria.phases if planned is not None and planned in p.arms]
        if len(holding) != 1:
            raise UsageError(
                msg(N_("missing option --phase")),
                accepted=msg(N_("the phase screened for, one of {names}"), names=names),
            )
        return holding[0]
    phase = criteria.phase(name)
    if planned is not None and phase.arms and planned not in phase.arms:
        raise UsageError(
            msg(
                N_("--arm {arm} is not an arm of {phase} (--phase {name})"),
                arm=planned,
                phase=Localized(phase.title),
                name=phase.name,
            ),
            accepted=msg(N_("its arms are {names}"), names=list(phase.arms)),
        )
    return phase


def _many(
    path: Path,
    reading: Reading,
    criteria: Eligibility,
    site: SiteCalendar | None,
    known: _Knowledge,
) -> list[Screening]:
    """Every candidate of a file (read as `reading` says); every bad row and every refused
    candidate at once, nothing written then."""
    source = readable_twice(path, reading)
    candidates, errors = read_candidates(source, reading)
    results: list[Screening] = []
    problems: list[Text] = [error.message() for error in errors]
    for person in candidates:
        history = person.history._replace(
            half_lives={**known.half_lives, **person.history.half_lives},
            classes={**known.classes, **person.history.classes},
        )
        try:
            results.append(
                rules.screen(
                    criteria, history, person.phase, person.screening, site, person.participant
                )
            )
        except UsageError as exc:
            problems.append(
                msg(
                    N_("{where}: {problem}"),
                    where=msg(FILE_LINE, file=source.name, line=person.line),
                    problem=msg(N_("{participant}: {problem}"), participant=person.participant,
                                problem=exc.message()),
                )
            )  # fmt: skip
    if problems:
        shown = problems[:SHOWN_PROBLEMS]
        if len(problems) > SHOWN_PROBLEMS:
            shown.append(msg(N_("... and {count} more"), count=len(problems) - SHOWN_PROBLEMS))
        raise BadRowsError(
            shown,
            msg(
                N_("{file}: {count} problem(s); nothing written (fix them all)"),
                file=source.name,
                count=len(problems),
            ),
        )
    if not results:
        raise UsageError(msg(N_("no candidate in the file")), where=source.name)
    return results


def _with_plan(
    env: Environment,
    text: str,
    result: Screening,
    given: ScreenOptions,
    chosen: ScreenFormat,
    trial: Protocol,
    site: SiteCalendar | None,
) -> tuple[Plan, str]:
    """The plan that would follow from the first working day on or after the earliest date
    (W1D1 is never moved: a start on a closed day would plan a closed day), after the
    screening's own output."""
    import json

    from mil62sched import engine, formats
    from mil62sched.formats import json_document
    from mil62sched.formats.presentation import Presentation
    from mil62sched.model.plan import Policy

    assert given.arm is not None
    start = result.first_working_day or result.earliest
    the_plan = engine.plan(trial, given.arm, start, policy=Policy(site=site))
    if chosen.name == "json":
        screening = json.loads(text)
        both = {"screening": screening, "plan": json_document.document(the_plan)}
        return the_plan, json.dumps(both, indent=2, ensure_ascii=False) + "\n"
    styled = given.output.output is None and env.styled()
    shown = Presentation(styled=styled, width=env.width if styled else None, lang=env.lang)
    tr = i18n.words(env.lang)
    lead = tr(
        "The plan from {date}, the first working day on or after the earliest first infusion "
        "(mil62sched plan --arm {arm} --start {date}):",
        date=start.isoformat(),
        arm=the_plan.arm.name,
    )
    if chosen.name == "md":
        from mil62sched.formats.markdown import literal

        lead = literal(lead)
    else:  # the screening's own width
        from mil62sched.formats.screening import WIDTH

        lead = "\n".join(i18n.wrap(lead, WIDTH))
    rendered = formats.named(chosen.name).render(the_plan, shown)
    assert isinstance(rendered, str)
    return the_plan, f"{text}\n{lead}\n\n{rendered}"
