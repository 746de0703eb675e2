"""When can this person start? The earliest permissible first administration from the
protocol's time-bound criteria. Pure.

It never reads the clock, the environment or a file: the criteria (`Eligibility`, from the
protocol file), a screened person's history, their phase and screening date, and the site's
working days come in; a `Screening` comes out. It assists: every condition it cannot decide (a
lab result, whether symptoms are stable, whether attacks needed rescue treatment) is listed to
check, quoted, and the investigator decides eligibility.

The arithmetic, one rule for every criterion:
- A period runs from the day it is measured from (the last dose, an attack) to its last day:
  that day + N days (weeks: 7N), or + N calendar months or years (`dateutil.relativedelta`:
  31 August + 3 months is 30 November, 29 February + 1 year is 28 February), or + N times the
  drug's half-life (given by the user; never built in).
- "within N before the first administration": an item on the period's last day still counts,
  so the first clear day is the day after it. "at least N before": the last day itself is
  clear. "exceeds N": strictly longer, counted in whole days between the two dates.
- Screening and the first administration are two events: every criterion tells them apart
  ("prior to screening", "before the first administration") and the screening period ends with
  the first infusion, so with nothing to wait for the earliest is the day after screening.
- A history item dated after the screening date is counted in the waits to the first
  administration (it can only make the date later) and flagged to check, never dropped: a
  vaccine given during screening is real, a mistyped year is caught by the flag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta

from mil62sched.errors import UsageError
from mil62sched.messages import N_, Listing, Localized, Message, msg
from mil62sched.model.eligibility import (
    Counted,
    Eligibility,
    Finding,
    History,
    Period,
    Phase,
    Rule,
    Screening,
    Status,
    ToCheck,
    Wording,
)
from mil62sched.model.plan import DayStatus, WorkingDays

# How far after the earliest date the site's first working day is looked for: past any closure
# a calendar holds (China's longest, the Spring Festival, is about nine days).
SEARCH_DAYS = 60
_DAY = timedelta(days=1)


def screen(
    eligibility: Eligibility,
    history: History,
    phase: str,
    screening: date,
    site: WorkingDays | None = None,
    participant: str | None = None,
) -> Screening:
    """The earliest permissible first administration of a person screened on `screening` for
    `phase`, and the first working day at `site` on or after it (None: no working-day check).

    Refuses (UsageError) a name in no class, a class that does not exist, a drug a rule times
    in half-lives without its half-life, and a glucocorticoid without its daily dose.
    """
    chosen = eligibility.phase(phase)
    classes = _classes(eligibility, history)
    rules = tuple(rule for rule in eligibility.rules if rule.applies_in(chosen.name))
    floor = Finding(None, "clears", since=screening, clears=_after(screening, 1))
    findings: list[Finding] = [floor]
    checks: list[ToCheck] = []
    for rule in rules:
        made, said = _KINDS[rule.kind](rule, history, classes, screening, chosen)
        findings += made
        checks += said
    checks += [
        ToCheck(None, "after-screening", item=name, on=day)
        for name, day in _items(history)
        if day > screening
    ]
    timed = [f for f in findings if f.clears is not None and f.status == "clears"]
    earliest = max(f.clears for f in timed if f.clears is not None)
    by_rule = [f for f in timed if f.rule is not None and f.clears == earliest]
    binding = by_rule or [floor]  # the screening binds only when no rule reaches its date
    marked = tuple(
        f._replace(status="binds") if any(f is b for b in binding) else f for f in findings
    )
    first, status, provisional = _working_day(site, earliest)
    return Screening(
        phase=chosen,
        screening=screening,
        earliest=earliest,
        binding=tuple(f for f in marked if f.status == "binds"),
        findings=marked,
        to_check=tuple(checks),
        first_working_day=first,
        earliest_status=status,
        provisional=provisional,
        participant=participant,
    )


def period_end(since: date, period: Period, half_life: timedelta | None = None) -> date:
    """The last day of `period` measured from `since` (for half-lives: the last whole day).

    >>> period_end(date(2025, 8, 31), Period(3, "months"))
    datetime.date(2025, 11, 30)
    >>> period_end(date(2024, 2, 29), Period(1, "years")), period_end(date(2025, 8, 1), Period(4, "weeks"))
    (datetime.date(2025, 2, 28), datetime.date(2025, 8, 29))
    """  # noqa: E501
    if period.unit == "half-lives":
        if half_life is None:
            raise ValueError("a period of half-lives needs the half-life")
        whole = (half_life * period.amount) // _DAY
        return _after(since, whole)
    if period.unit in ("days", "weeks"):
        return _after(since, period.amount * (7 if period.unit == "weeks" else 1))
    from dateutil.relativedelta import relativedelta  # only when a person is screened

    months = period.amount * (12 if period.unit == "years" else 1)
    try:
        return since + relativedelta(months=months)
    except (OverflowError, ValueError):
        raise _past_calendar(since) from None


def first_clear(
    since: date, period: Period, wording: Wording, half_life: timedelta | None = None
) -> date:
    """The first day that `period` from `since`, as `wording` reads it, no longer holds back.

    >>> first_clear(date(2025, 8, 31), Period(3, "months"), "within")  # 30 Nov still within
    datetime.date(2025, 12, 1)
    >>> first_clear(date(2025, 8, 1), Period(4, "weeks"), "at-least")  # 28 days have passed
    datetime.date(2025, 8, 29)
    >>> first_clear(date(2025, 8, 28), Period(5, "half-lives"), "exceeds", timedelta(hours=5))
    datetime.date(2025, 8, 30)
    """
    end = period_end(since, period, half_life)
    if wording == "at-least" and period.unit == "half-lives" and half_life is not None:
        exact = (half_life * period.amount) % _DAY == timedelta(0)
        return end if exact else _after(end, 1)
    return end if wording == "at-least" else _after(end, 1)


def first_counted(screening: date, period: Period) -> date:
    """The first day on which an item is still within `period` before `screening` (an item on
    it counts, the day before does not): by the same forward arithmetic as every rule.

    >>> first_counted(date(2025, 9, 1), Period(6, "months"))
    datetime.date(2025, 3, 1)
    >>> first_counted(date(2024, 2, 29), Period(1, "years"))  # 2023-02-28 + 1 year is 02-28
    datetime.date(2023, 3, 1)
    """
    from dateutil.relativedelta import relativedelta

    days = {"days": 1, "weeks": 7}.get(period.unit)
    try:
        if days is not None:
            return screening - timedelta(days=period.amount * days)
        months = period.amount * (12 if period.unit == "years" else 1)
        day = screening - relativedelta(months=months)
        while period_end(day, period) < screening:  # a month end clamped on the way back
            day += _DAY
        while period_end(day - _DAY, period) >= screening:
            day -= _DAY
        return day
    except (OverflowError, ValueError):
        raise _past_calendar(screening) from None


# --- each kind of rule ------------------------------------------------------------------------

_Made = tuple[list[Finding], list[ToCheck]]


def _wait(
    rule: Rule,
    history: History,
    classes: Mapping[str, tuple[str, ...]],
    screening: date,
    phase: Phase,
) -> _Made:
    """The first administration waits until the period after each item has passed."""
    assert rule.period is not None
    items = _counted_items(rule, history, classes)
    if not items:
        return [Finding(rule, "none")], []
    made: list[Finding] = []
    checks: list[ToCheck] = []
    for name, since in items:
        days = history.continuous_days.get(name) if rule.start == "last-dose" else None
        if rule.exempt_days is not None and days is not None and days <= rule.exempt_days:
            made.append(
                Finding(rule, "exempt", item=name, since=since, days=days,
                        after_screening=since > screening)
            )  # fmt: skip
            continue
        if rule.exempt_days is not None and days is None:
            checks.append(ToCheck(rule, "continuous-use", item=name, on=since))
        half_life = _half_life(rule, name, history, phase)
        made.append(
            Finding(
                rule,
                "clears",
                item=name,
                since=since,
                end=period_end(since, rule.period, half_life),
                clears=first_clear(since, rule.period, rule.wording, half_life),
                length=None if half_life is None else half_life * rule.period.amount,
                half_life=half_life,
                days=days,
                after_screening=since > screening,
            )
        )
    counted = [f for f in made if f.status == "clears" and f.clears is not None]
    if rule.check is not None and counted:  # the item the date is counted from: the latest
        latest = max(counted, key=lambda f: f.clears or screening)
        checks.insert(0, ToCheck(rule, "condition", item=latest.item, on=latest.since))
    return made, checks


def _check(
    rule: Rule,
    history: History,
    classes: Mapping[str, tuple[str, ...]],
    screening: date,
    phase: Phase,
) -> _Made:
    """An item within the period before screening leaves the rule's condition to check."""
    assert rule.period is not None
    items = _counted_items(rule, history, classes)
    if not items:
        return [Finding(rule, "none")], []
    made: list[Finding] = []
    checks: list[ToCheck] = []
    for name, since in items:
        clears = first_clear(since, rule.period, rule.wording)
        end = period_end(since, rule.period)
        late = since > screening
        inside = since <= screening < clears
        status: Status = "to-check" if inside or late else "outside"
        made.append(
            Finding(rule, status, item=name, since=since, end=end, clears=clears,
                    after_screening=late)
        )  # fmt: skip
        if inside:
            checks.append(ToCheck(rule, "condition", item=name, on=since))
    return made, checks


def _dose(
    rule: Rule,
    history: History,
    classes: Mapping[str, tuple[str, ...]],
    screening: date,
    phase: Phase,
) -> _Made:
    """A daily dose above the limit starts the period from its last day (the last dose's date,
    or the screening date while it is still taken); within the limit, it is met, to check."""
    assert rule.period is not None
    assert rule.limit_mg is not None
    items = _counted_items(rule, history, classes)
    mg = history.steroid_mg
    if mg is None:
        if not items:
            return [Finding(rule, "none")], []
        raise UsageError(
            msg(N_("no daily dose for {name}"), name=items[0][0]),
            accepted=msg(
                N_(
                    "{criterion} limits the daily dose of {classes} within the period before the "
                    "first administration: give --steroid-dose MG (mg a day, prednisone or its "
                    "equivalent)"
                ),
                criterion=_criterion(rule),
                classes=list(rule.applies_to),
            ),
        )
    check = ToCheck(rule, "dose", mg=mg)
    if mg <= rule.limit_mg:
        return [Finding(rule, "met", mg=mg)], [check]
    name, since = max(items, key=lambda item: item[1]) if items else ("", screening)
    finding = Finding(
        rule,
        "clears",
        item=name or None,
        since=since,
        end=period_end(since, rule.period),
        clears=first_clear(since, rule.period, rule.wording),
        mg=mg,
        after_screening=since > screening,
    )
    return [finding], [check]


def _attacks(
    rule: Rule,
    history: History,
    classes: Mapping[str, tuple[str, ...]],
    screening: date,
    phase: Phase,
) -> _Made:
    """How many attacks fall in each of the rule's periods before screening: reported to check
    (whether each needed rescue treatment is the investigator's to say), never decided."""
    counted = []
    for option in rule.any_of:
        since = first_counted(screening, option.period)
        count = sum(1 for day in history.attacks if since <= day <= screening)
        counted.append(Counted(option, count, since))
    return [Finding(rule, "to-check")], [ToCheck(rule, "attacks", counted=tuple(counted))]


_KINDS: dict[str, Callable[[Rule, History, Mapping[str, tuple[str, ...]], date, Phase], _Made]] = {
    "wait": _wait,
    "check": _check,
    "dose": _dose,
    "attacks": _attacks,
}


# --- the history ---------------------------------------------------------------------------------


def _classes(eligibility: Eligibility, history: History) -> dict[str, tuple[str, ...]]:
    """Each dose's classes: the protocol's, and those the user gave (`--class NAME=CLASS`);
    a name in none, or a class the protocol does not have, is refused."""
    known = list(eligibility.classes)
    for name, given in history.classes.items():
        for key in given:
            if key not in eligibility.classes:
                raise UsageError(
                    msg(N_("{name}: unknown class"), name=name),
                    value=key,
                    accepted=msg(N_("classes: {classes}"), classes=known),
                )
    found: dict[str, tuple[str, ...]] = {}
    for dose in history.doses:
        own = eligibility.classes_of(dose.name) + history.classes.get(dose.name, ())
        if not own:
            raise unknown_name(eligibility, dose.name)
        found[dose.name] = tuple(dict.fromkeys(own))
    return found


def unknown_name(eligibility: Eligibility, name: str) -> UsageError:
    """The refusal of a name in no class: the closest names, the classes, and `--class`."""
    close = eligibility.closest(name)
    classes = list(eligibility.classes)
    accepted = msg(
        N_(
            "the classes are {classes}; give --class {name}=CLASS for one the protocol does not "
            "list"
        ),
        classes=classes,
        name=name,
    )
    if close:
        accepted = msg(
            N_(
                "did you mean {names}? the classes are {classes}; give --class {name}=CLASS for "
                "one the protocol does not list"
            ),
            names=Listing(close, "or"),
            classes=classes,
            name=name,
        )
    return UsageError(msg(N_("unknown drug, vaccine or procedure")), value=name, accepted=accepted)


def _counted_items(
    rule: Rule, history: History, classes: Mapping[str, tuple[str, ...]]
) -> list[tuple[str, date]]:
    """The items a rule times: attacks, or the doses of its classes, in the order given."""
    if rule.start == "attack":
        return [("attack", day) for day in history.attacks]
    return [
        (dose.name, dose.last)
        for dose in history.doses
        if set(classes.get(dose.name, ())) & set(rule.applies_to)
    ]


def _items(history: History) -> Iterable[tuple[str, date]]:
    yield from ((dose.name, dose.last) for dose in history.doses)
    yield from (("attack", day) for day in history.attacks)


def _half_life(rule: Rule, name: str, history: History, phase: Phase) -> timedelta | None:
    """The half-life of `name` when the rule counts in half-lives; refused when not given."""
    assert rule.period is not None
    if rule.period.unit != "half-lives":
        return None
    found = history.half_lives.get(name)
    if found is None:
        raise UsageError(
            msg(N_("no half-life for {name}"), name=name),
            accepted=msg(
                N_(
                    "{criterion} ({phase}) waits more than {span} after the drug is stopped: give "
                    "--half-life {name}=DURATION (e.g. 5h or 3d)"
                ),
                criterion=_criterion(rule),
                phase=Localized(phase.title),
                span=rule.period.words(),
                name=name,
            ),
        )
    return found


def _criterion(rule: Rule) -> Message:
    """'Exclusion 3', as an error names a rule."""
    if rule.category == "inclusion":
        return msg(N_("Inclusion {number}"), number=rule.number)
    return msg(N_("Exclusion {number}"), number=rule.number)


def _working_day(
    site: WorkingDays | None, earliest: date
) -> tuple[date | None, DayStatus | None, bool]:
    """The first working day on or after `earliest`, the earliest day's own status, and whether
    either rests on holiday data not yet published."""
    if site is None or site.country is None:
        return earliest, None, False
    status = site.status(earliest)
    first = site.nearest_working_day(earliest, 0, SEARCH_DAYS)
    provisional = status.provisional or (first is not None and site.status(first).provisional)
    return first, status, provisional


def _after(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise _past_calendar(day) from None


def _past_calendar(day: date) -> UsageError:
    return UsageError(
        msg(N_("a period from {date} runs off the calendar (0001-01-01 to 9999-12-31)"), date=day)
    )
