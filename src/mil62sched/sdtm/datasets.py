"""The SDTM trial-design datasets of a protocol: TA, TE, TV, TI and TS, as SDTMIG 3.4 defines
them (variables, labels, types and keys), built from the schedules and the file's `[design]`.

Pure: a protocol and its design in, datasets out. They describe the trial's plan, which is
public; they hold no participant and so no assignment.
"""

from __future__ import annotations

from typing import NamedTuple

from mil62sched.errors import ProtocolError
from mil62sched.messages import N_, msg
from mil62sched.model.codes import VisitCode
from mil62sched.model.design import Design, DesignArm
from mil62sched.model.protocol import Protocol, Schedule
from mil62sched.sdtm.summary import trial_summary
from mil62sched.sdtm.terminology import terminology
from mil62sched.sdtm.variables import DOMAIN as _DOMAIN
from mil62sched.sdtm.variables import STUDYID as _STUDYID
from mil62sched.sdtm.variables import (
    TEXT_LENGTH,
    Dataset,
    Value,
    Variable,
)

_ARMCD = Variable("ARMCD", "Planned Arm Code", most=20)
_ARM = Variable("ARM", "Description of Planned Arm")
_ETCD = Variable("ETCD", "Element Code", most=8)
_ELEMENT = Variable("ELEMENT", "Description of Element")


def datasets(protocol: Protocol, design: Design) -> tuple[Dataset, ...]:
    """TA, TE, TV, TI and TS of the protocol, in that order. A text longer than the 200
    characters an SDTM variable holds is refused, naming where it is (a rule made from long
    names in the file), rather than cut."""
    built = (
        trial_arms(protocol, design),
        trial_elements(protocol, design),
        trial_visits(protocol, design),
        trial_criteria(protocol, design),
        trial_summary(protocol, design, terminology()),
    )
    for dataset in built:
        for row in dataset.rows:
            for variable, value in zip(dataset.variables, row, strict=True):
                if isinstance(value, str) and len(value) > TEXT_LENGTH:
                    raise ProtocolError(
                        msg(
                            N_(
                                "{dataset} {variable} would be {count} characters, more than the "
                                "{most} SDTM holds ({value!r}...): shorten the names it is made of"
                            ),
                            dataset=dataset.name,
                            variable=variable.name,
                            count=len(value),
                            most=TEXT_LENGTH,
                            value=value[:50],
                        )
                    )
    return built


# --- TA and TE: each arm's path through the elements -------------------------------------------


class _Step(NamedTuple):
    """One element in an arm's path, and the rules that depend on where it stands."""

    etcd: str
    element: str
    epoch: str
    schedule: Schedule | None  # None for screening
    transition: str = ""
    # Where the element ends when its schedule is followed by another period: that period's name
    # and its default start on this schedule's timeline.
    next_period: tuple[str, VisitCode] | None = None


def _path(protocol: Protocol, design: Design, arm: DesignArm) -> list[_Step]:
    steps: list[_Step] = []
    if design.screening is not None:
        steps.append(_Step(design.screening.etcd, design.screening.element, "SCREENING", None))
    legs = protocol.arm(arm.arm).legs
    for index, leg in enumerate(legs):
        schedule = leg.schedule
        element = design.elements[schedule.name]
        epoch = design.epochs[schedule.period]
        following = legs[index + 1] if index + 1 < len(legs) else None
        after = None
        if following is not None and following.starts_at is not None:
            after = (following.period, following.starts_at)
        if schedule.escalation is None:
            steps.append(_Step(element.etcd, element.element, epoch, schedule, "", after))
            continue
        target = _escalation_target(protocol, design, schedule)
        position = len(steps) + 2  # TAETORD of the escalated element
        rest = f"go to TAETORD {position + 1}" if following is not None else "the arm ends here"
        transition = (
            f"If not escalated to {_in_sentence(schedule.escalation.treatment.label)} "
            f"({schedule.escalation.earliest} or a later infusion): {rest}"
        )
        steps.append(_Step(element.etcd, element.element, epoch, schedule, transition, after))
        escalated = design.elements[target.name]
        steps.append(_Step(escalated.etcd, escalated.element, epoch, target, "", after))
    return steps


def _escalation_target(protocol: Protocol, design: Design, schedule: Schedule) -> Schedule:
    """The schedule whose element an escalated participant continues in: the one of the same
    period that gives the escalation's treatment throughout."""
    assert schedule.escalation is not None
    for name in design.elements:
        other = protocol.schedules.get(name)
        if (
            other is not None
            and other.period == schedule.period
            and other.escalation is None
            and other.treatment == schedule.escalation.treatment
            and not other.overrides
        ):
            return other
    raise ProtocolError(
        msg(
            N_(
                "design.elements: schedule {name!r} escalates to {label!r}, but no schedule of "
                "period {period!r} with an element gives it throughout"
            ),
            name=schedule.name,
            label=schedule.escalation.treatment.label,
            period=schedule.period,
        )
    )


def trial_arms(protocol: Protocol, design: Design) -> Dataset:
    """TA: one row per element per planned arm."""
    rows: list[tuple[Value, ...]] = []
    for arm in design.arms:
        for order, step in enumerate(_path(protocol, design, arm), 1):
            # The branch is taken at the end of screening, the element before the arms diverge.
            branch = (arm.branch or "") if step.schedule is None else ""
            rows.append(
                (
                    protocol.id,
                    "TA",
                    arm.armcd,
                    arm.description,
                    order,
                    step.etcd,
                    step.element,
                    branch,
                    step.transition,
                    step.epoch,
                )
            )
    variables = (
        _STUDYID,
        _DOMAIN,
        _ARMCD._replace(key=2),
        _ARM,
        Variable("TAETORD", "Planned Order of Element within Arm", "integer", key=3),
        _ETCD,
        _ELEMENT,
        Variable("TABRANCH", "Branch"),
        Variable("TATRANS", "Transition Rule"),
        Variable("EPOCH", "Epoch"),
    )
    return Dataset("TA", "Trial Arms", variables, tuple(rows))


def trial_elements(protocol: Protocol, design: Design) -> Dataset:
    """TE: one row per element, with the rules for its start and end."""
    steps: dict[str, _Step] = {}
    escalated: dict[str, Schedule] = {}  # target schedule name -> the schedule escalating to it
    for arm in design.arms:
        path = _path(protocol, design, arm)
        for step, following in zip(path, [*path[1:], None], strict=True):
            steps.setdefault(step.etcd, step)
            source = step.schedule
            if source is not None and source.escalation is not None and following is not None:
                assert following.schedule is not None
                escalated.setdefault(following.schedule.name, source)
    rows: list[tuple[Value, ...]] = []
    for step in steps.values():
        if step.schedule is None:
            assert design.screening is not None
            screening = design.screening
            rule = (screening.start, screening.end, screening.duration or "")
        else:
            rule = _element_rules(step, escalated.get(step.schedule.name))
        rows.append((protocol.id, "TE", step.etcd, step.element, *rule))
    variables = (
        _STUDYID,
        _DOMAIN,
        _ETCD._replace(key=2),
        _ELEMENT,
        Variable("TESTRL", "Rule for Start of Element"),
        Variable("TEENRL", "Rule for End of Element"),
        Variable("TEDUR", "Planned Duration of Element"),
    )
    return Dataset("TE", "Trial Elements", variables, tuple(rows))


def _element_rules(step: _Step, escalated_from: Schedule | None) -> tuple[str, str, str]:
    """TESTRL, TEENRL and TEDUR of a treatment element. The start rule says first what a blinded
    person sees (the period's first infusion), then what is given."""
    schedule = step.schedule
    assert schedule is not None
    infusions = _infusions(schedule)
    first = infusions[0]
    given = _in_sentence(schedule.treatment_at(first).label)
    extra = "".join(
        f"; {_in_sentence(treatment.label)} at {code}"
        for code, treatment in schedule.overrides.items()
    )
    if escalated_from is not None and escalated_from.escalation is not None:
        earliest = escalated_from.escalation.earliest
        start = (
            f"First infusion of {given} in the {schedule.period} period: {first}, or the first "
            f"escalated infusion ({earliest} or later){extra}"
        )
    else:
        start = f"First infusion in the {schedule.period} period ({first}), where the infusion is "
        start += given + extra
    if step.next_period is not None:
        period, starts_at = step.next_period
        end = (
            f"Entry into the {period} period (by default at {schedule.period} {starts_at}, "
            f"study day {starts_at.study_day})"
        )
        # An event ends the element, not a fixed time: no planned duration (SDTMIG 3.4 TEDUR).
        duration = ""
    else:
        last = infusions[-1]
        later = [code for code in schedule.visits if code.study_day > last.study_day]
        end = (
            f"After the last infusion of the {schedule.period} period ({last}, study day "
            f"{last.study_day}); "
        )
        end += (
            f"then visits without infusion to {later[-1]} (study day {later[-1].study_day})"
            if later
            else "the protocol plans no later visit"
        )
        duration = ""
    if schedule.escalation is not None:
        escalation = schedule.escalation
        target = _in_sentence(escalation.treatment.label)
        end = (
            f"Escalation to {target} ({escalation.earliest} or a later infusion); "
            f"else {end[:1].lower()}{end[1:]}"
        )
    return start, end, duration


def _infusions(schedule: Schedule) -> tuple[VisitCode, ...]:
    """The schedule's dosing visits: those at which it gives a treatment."""
    return tuple(code for code in schedule.visits if schedule.treatment_at(code).key)


def _in_sentence(label: str) -> str:
    """A treatment's label inside a sentence: a capital that only starts a sentence is lowered,
    a name (MIL62) is kept.

    >>> _in_sentence("Matching placebo"), _in_sentence("MIL62 1000 mg")
    ('matching placebo', 'MIL62 1000 mg')
    """
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _iso_days(days: int) -> str:
    """An ISO 8601 duration of whole days, in weeks when it is a whole number of weeks.

    >>> _iso_days(364), _iso_days(10)
    ('P52W', 'P10D')
    """
    return f"P{days // 7}W" if days % 7 == 0 else f"P{days}D"


# --- TV ----------------------------------------------------------------------------------------


def trial_visits(protocol: Protocol, design: Design) -> Dataset:
    """TV: one row per planned visit per arm; one row per visit, without an arm, when every
    arm has the same visits at the same times (SDTMIG 3.4 TV assumption 1)."""
    planned: list[tuple[DesignArm, list[tuple[str, int | None, str]]]] = []
    for arm in design.arms:
        visits: list[tuple[str, int | None, str]] = []
        legs = protocol.arm(arm.arm).legs
        for index, leg in enumerate(legs):
            previous = legs[index - 1].schedule if index else None
            for code in leg.schedule.visits:
                visits.append(_visit(leg.schedule, code, previous, leg.starts_at))
        planned.append((arm, visits))
    numbers: dict[str, int] = {}
    for _, visits in planned:
        for name, _, _ in visits:
            numbers.setdefault(name, len(numbers) + 1)
    same_for_all = all(visits == planned[0][1] for _, visits in planned)
    rows: list[tuple[Value, ...]] = []
    for arm, visits in planned[:1] if same_for_all else planned:
        armcd, description = ("", "") if same_for_all else (arm.armcd, arm.description)
        for name, day, start in visits:
            rows.append(
                (protocol.id, "TV", numbers[name], name, day, armcd, description, start, "")
            )
    order = {arm.armcd: index for index, arm in enumerate(design.arms)}
    rows.sort(key=lambda row: (row[2], order.get(str(row[5]), -1)))
    variables = (
        _STUDYID,
        _DOMAIN,
        Variable("VISITNUM", "Visit Number", "float", key=2),
        Variable("VISIT", "Visit Name"),
        Variable("VISITDY", "Planned Study Day of Visit", "integer"),
        _ARMCD._replace(key=3),
        _ARM,
        Variable("TVSTRL", "Visit Start Rule"),
        Variable("TVENRL", "Visit End Rule"),
    )
    return Dataset("TV", "Trial Visits", variables, tuple(rows))


def _visit(
    schedule: Schedule,
    code: VisitCode,
    previous: Schedule | None,
    starts_at: VisitCode | None,
) -> tuple[str, int | None, str]:
    """VISIT, VISITDY and TVSTRL of one visit of a schedule. A visit of the first period falls on
    a planned study day; one of a later period is counted from that period's own day 1, which
    depends on when the participant enters it."""
    period = schedule.period
    name = f"{period} {code}"
    # Days from day 1, the period's first infusion; there is no day 0, so day -1 is 1 day before.
    offset = code.study_day - 1 if code.study_day > 0 else code.study_day
    if offset == 0 and previous is not None:
        start = f"Entry into the {period} period: its first infusion"
        if starts_at is not None:
            start += (
                f" (by default at {previous.period} {starts_at}, study day {starts_at.study_day})"
            )
    elif offset == 0:
        start = f"First infusion of the {period} period ({code}): study day 1"
    else:
        start = (
            f"{_days(abs(offset))} {'after' if offset > 0 else 'before'} the first infusion of "
            f"the {period} period"
        )
        if previous is None:
            start += f": study day {code.study_day}"
    window = schedule.windows.get(code)
    if window is not None and (window.before or window.after):
        start += f"; window {_days(window.before)} before to {_days(window.after)} after"
    if previous is not None:  # why VISITDY is empty
        start += f"; no planned study day: the {period} starts on entry"
    return name, code.study_day if previous is None else None, start


def _days(count: int) -> str:
    """A number of days in words.

    >>> _days(1), _days(14)
    ('1 day', '14 days')
    """
    return f"{count} day" if count == 1 else f"{count} days"


# --- TI ----------------------------------------------------------------------------------------


def trial_criteria(protocol: Protocol, design: Design) -> Dataset:
    """TI: one row per inclusion and exclusion criterion, and per phase for one that differs by
    phase (IESCAT). IETEST is the criterion's text, or the file's short text for a longer one:
    never cut (SDTMIG 3.4 TI: the full text is in define.xml). TIVERS, the protocol's version, is
    left out when the file states none, as SDTMIG 3.4 allows for a single version; IESCAT when
    no criterion has a subcategory."""
    version = design.criteria_version or protocol.version
    parted = any(c.subcategory for c in design.criteria)
    rows: list[tuple[Value, ...]] = []
    for criterion in sorted(design.criteria, key=lambda c: c.category != "inclusion"):
        row: tuple[Value, ...] = (
            protocol.id,
            "TI",
            criterion.ietestcd,
            criterion.ietest,
            criterion.category.upper(),
        )
        row += (criterion.subcategory or "",) if parted else ()
        row += (version,) if version else ()
        rows.append(row)
    variables: tuple[Variable, ...] = (
        _STUDYID,
        _DOMAIN,
        Variable("IETESTCD", "Incl/Excl Criterion Short Name", key=2, most=8),
        Variable("IETEST", "Inclusion/Exclusion Criterion"),
        Variable("IECAT", "Inclusion/Exclusion Category", most=9),
    )
    if parted:
        variables += (Variable("IESCAT", "Inclusion/Exclusion Subcategory"),)
    if version:
        variables += (Variable("TIVERS", "Protocol Criteria Versions", key=3),)
    return Dataset("TI", "Trial Inclusion/Exclusion Criteria", variables, tuple(rows))
