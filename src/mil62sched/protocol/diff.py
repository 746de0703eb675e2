"""What changed between two protocol files, in the trial's words: for the person who checks an
amendment's file against its summary of changes (`mil62sched protocol diff`).

Each difference is a message id with its values (`Difference`), in sections: the protocol
(version, study dates, identity), treatments, schedules (visits added or removed, windows,
what an infusion gives, titles, periods, masking, escalation), journeys and renamed arms.
Nothing here words them: `commands.protocol` says them in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from mil62sched.i18n import N_
from mil62sched.messages import Localized, Message, Text, msg, term
from mil62sched.model.codes import VisitCode
from mil62sched.model.protocol import Arm, Protocol, Schedule, Treatment, Window

SECTIONS = (N_("Protocol"), N_("Treatments"), N_("Schedules"), N_("Journeys"), N_("Renamed arms"))
NONE = N_("none")  # no value: no version, no window, no date


class Difference(NamedTuple):
    """One difference: its section (`SECTIONS`), a message id, and its values (names, codes
    and dates as the files write them; labels as terms the catalogue may translate; words of
    ours as messages; `none()` for no value)."""

    section: str
    template: str
    values: Mapping[str, object]


def differences(old: Protocol, new: Protocol) -> list[Difference]:
    """Every difference from `old` to `new`, section by section, in the files' order."""
    found: list[Difference] = []
    found += _protocol(old, new)
    found += _treatments(old, new)
    found += _schedules(old, new)
    found += _journeys(old, new)
    for before, after in new.arm_map.items():
        found.append(
            Difference(SECTIONS[4], N_("{old} is now {new}"), {"old": before, "new": after})
        )
    return found


def none() -> Localized:
    """No value, in the reader's language."""
    return term(NONE)


def _text(value: object) -> object:
    return none() if value is None else value if isinstance(value, Message) else str(value)


def _protocol(old: Protocol, new: Protocol) -> list[Difference]:
    fields = (
        (N_("version"), old.version, new.version),
        (N_("amends"), old.amends, new.amends),
        (N_("study start"), old.study_start, new.study_start),
        (N_("study completion"), old.study_completion, new.study_completion),
        (N_("id"), old.id, new.id),
        (N_("registry"), old.registry, new.registry),
        (N_("title"), old.title, new.title),
        (N_("sponsor"), old.sponsor, new.sponsor),
        (N_("site"), old.site, new.site),
        (N_("time zone"), old.timezone, new.timezone),
        (N_("chairs"), old.chairs, new.chairs),
    )
    return [
        Difference(
            SECTIONS[0],
            N_("{field}: {old} → {new}"),
            {"field": field, "old": _text(before), "new": _text(after)},
        )
        for field, before, after in fields
        if before != after
    ]


def _treatment_text(treatment: Treatment) -> str:
    return treatment.label


def _treatments(old: Protocol, new: Protocol) -> list[Difference]:
    before = {t.key: t for s in old.schedules.values() for t in _used(s)}
    after = {t.key: t for s in new.schedules.values() for t in _used(s)}
    found = []
    for key in [*before, *(k for k in after if k not in before)]:
        was, now = before.get(key), after.get(key)
        if was is None and now is not None:
            found.append(
                Difference(
                    SECTIONS[1],
                    N_("{name} added: {label}"),
                    {"name": key, "label": term(now.label)},
                )
            )
        elif now is None and was is not None:
            found.append(Difference(SECTIONS[1], N_("{name} removed"), {"name": key}))
        elif was is not None and now is not None and was != now:
            found.append(
                Difference(
                    SECTIONS[1],
                    N_("{name}: {old} → {new}"),
                    {"name": key, "old": _described(was), "new": _described(now)},
                )
            )
    return found


def _described(treatment: Treatment) -> Message:
    dose = "" if treatment.dose_mg is None else f", {treatment.dose_mg} mg"
    blinded: Text = msg(N_(", blinded")) if treatment.blinded else ""
    return msg(
        N_("{label} ({product}{dose}{blinded})"),
        label=term(treatment.label),
        product=treatment.product,
        dose=dose,
        blinded=blinded,
    )


def _used(schedule: Schedule) -> list[Treatment]:
    """The treatments a schedule gives (at any infusion, or by escalation)."""
    used = [schedule.treatment, *schedule.overrides.values()]
    if schedule.escalation is not None:
        used.append(schedule.escalation.treatment)
    return used


def _window(window: Window | None) -> object:
    return none() if window is None else window.words()


def _schedules(old: Protocol, new: Protocol) -> list[Difference]:
    found: list[Difference] = []
    section = SECTIONS[2]
    for name in [*old.schedules, *(n for n in new.schedules if n not in old.schedules)]:
        was, now = old.schedules.get(name), new.schedules.get(name)
        if was is None and now is not None:
            found.append(
                Difference(
                    section,
                    N_("{name} added: {title}, {count} visits"),
                    {"name": name, "title": now.title, "count": str(len(now.visits))},
                )
            )
            continue
        if now is None:
            found.append(Difference(section, N_("{name} removed"), {"name": name}))
            continue
        assert was is not None
        found += _schedule(was, now)
    return found


def _codes(codes: list[VisitCode]) -> list[str]:
    """Visit codes as a list value: the message says them with its language's separator."""
    return [str(code) for code in codes]


def _schedule(was: Schedule, now: Schedule) -> list[Difference]:
    section, name = SECTIONS[2], was.name
    found: list[Difference] = []
    for field, before, after in (
        (N_("title"), was.title, now.title),
        (N_("period"), was.period, now.period),
        (N_("masking"), was.masking, now.masking),
    ):
        if before != after:
            found.append(
                Difference(
                    section,
                    N_("{name}: {field}: {old} → {new}"),
                    {"name": name, "field": field, "old": before, "new": after},
                )
            )
    added = [code for code in now.visits if code not in was.visits]
    removed = [code for code in was.visits if code not in now.visits]
    if added:
        found.append(
            Difference(
                section, N_("{name}: visits added: {codes}"), {"name": name, "codes": _codes(added)}
            )
        )
    if removed:
        found.append(
            Difference(
                section,
                N_("{name}: visits removed: {codes}"),
                {"name": name, "codes": _codes(removed)},
            )
        )
    for code in now.visits:
        if code not in was.visits:
            continue
        if was.windows.get(code) != now.windows.get(code):
            found.append(
                Difference(
                    section,
                    N_("{name}: {code} window: {old} → {new}"),
                    {
                        "name": name,
                        "code": str(code),
                        "old": _window(was.windows.get(code)),
                        "new": _window(now.windows.get(code)),
                    },
                )
            )
        if was.kind_at(code) != now.kind_at(code):
            found.append(
                Difference(
                    section,
                    N_("{name}: {code} is now a {kind} visit (was {old})"),
                    {
                        "name": name,
                        "code": str(code),
                        "kind": now.kind_at(code),
                        "old": was.kind_at(code),
                    },
                )
            )
        elif was.treatment_at(code).key != now.treatment_at(code).key:  # another treatment
            found.append(
                Difference(
                    section,
                    N_("{name}: {code} gives {new} (was {old})"),
                    {
                        "name": name,
                        "code": str(code),
                        "new": term(now.treatment_at(code).label),
                        "old": term(was.treatment_at(code).label),
                    },
                )
            )
    for code in added:
        if now.treatment_at(code) != now.treatment and now.kind_at(code) == "infusion":
            found.append(
                Difference(
                    section,
                    N_("{name}: {code} gives {new} (was {old})"),
                    {
                        "name": name,
                        "code": str(code),
                        "new": term(now.treatment_at(code).label),
                        "old": none(),
                    },
                )
            )
    escalated_before = _escalation(was)
    escalated_after = _escalation(now)
    if escalated_before != escalated_after:
        found.append(
            Difference(
                section,
                N_("{name}: {field}: {old} → {new}"),
                {
                    "name": name,
                    "field": N_("escalation"),
                    "old": _text(escalated_before),
                    "new": _text(escalated_after),
                },
            )
        )
    return found


def _escalation(schedule: Schedule) -> Message | None:
    if schedule.escalation is None:
        return None
    escalation = schedule.escalation
    return msg(
        N_("{label} from {code}"), label=term(escalation.treatment.label), code=escalation.earliest
    )


def _legs(arm: Arm) -> Text:
    legs: Text = arm.legs[0].schedule.name
    for leg in arm.legs[1:]:
        legs = msg(
            N_("{legs} → {name} (from {code})"), legs=legs, name=leg.schedule.name,
            code=str(leg.starts_at),
        )  # fmt: skip
    return legs


def _journeys(old: Protocol, new: Protocol) -> list[Difference]:
    section = SECTIONS[3]
    before = {name: arm for name, arm in old.arms.items() if arm.journey}
    after = {name: arm for name, arm in new.arms.items() if arm.journey}
    found: list[Difference] = []
    for name in [*before, *(n for n in after if n not in before)]:
        was, now = before.get(name), after.get(name)
        if was is None and now is not None:
            found.append(
                Difference(section, N_("{name} added: {legs}"), {"name": name, "legs": _legs(now)})
            )
        elif now is None:
            found.append(Difference(section, N_("{name} removed"), {"name": name}))
        elif was is not None and _legs(was) != _legs(now):
            found.append(
                Difference(
                    section,
                    N_("{name}: {old} → {new}"),
                    {"name": name, "old": _legs(was), "new": _legs(now)},
                )
            )
    return found
