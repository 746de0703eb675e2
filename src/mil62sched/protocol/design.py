"""Read a protocol file's `[design]` table: what the SDTM trial-design datasets need beyond the
schedules (arm and element codes, epochs, eligibility criteria, trial summary parameters).

The table is checked against the protocol it belongs to (every arm and schedule it names exists,
every period has an epoch) and against SDTMIG 3.4's limits on codes, so that a dataset built
from it never needs to cut a code short.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

from mil62sched.errors import Mil62schedError, ProtocolError, os_problem
from mil62sched.messages import N_, Localized, Message, Text, msg
from mil62sched.model.design import (
    PARAMETER_NAMES,
    Category,
    Criterion,
    Design,
    DesignArm,
    DesignElement,
    Screening,
    SummaryParameter,
)
from mil62sched.model.protocol import Protocol
from mil62sched.protocol.loader import BUILTIN, INVALID_PROTOCOL

_CATEGORIES: tuple[Category, ...] = ("inclusion", "exclusion")
# SDTMIG 3.4: ARMCD at most 20 characters, ETCD and TSPARMCD at most 8, TSPARM at most 40, and
# no text value longer than 200 (TS would split a longer TSVAL into TSVAL1..n; none needs it).
_ARMCD = 20
_ETCD = 8
_PARMCD = re.compile(r"[A-Z][A-Z0-9]{0,7}")
_TEXT = 200
# ISO 21090 NullFlavor, the values of TSVALNF (SDTMIG 3.4 TS), most general first.
NULL_FLAVORS = (
    "NI", "INV", "DER", "OTH", "PINF", "NINF", "UNC", "MSK", "NA", "UNK", "ASKU", "NAV", "NASK",
    "QS", "TRC", "NP",
)  # fmt: skip
_DURATION = re.compile(r"P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?")


def load_design(protocol: Protocol, path: Path | None = None) -> Design:
    """The `[design]` table of the protocol file at `path` (the built-in one when None), checked
    against `protocol`, the schedules loaded from the same file; a file without one gets the
    design `derived_design` makes of its schedules."""
    from mil62sched.parse import read_toml, toml_problem

    path = path or BUILTIN
    where = path.name if path == BUILTIN else str(path)
    try:
        table = read_toml(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise ProtocolError(
            msg(N_("cannot read protocol {file}: {problem}"), file=where, problem=os_problem(exc))
        ) from None
    except ValueError as exc:  # not UTF-8, not TOML, or nested too deep
        raise ProtocolError(
            msg(N_("cannot read protocol {file}: {problem}"), file=where, problem=toml_problem(exc))
        ) from None
    body = table.get("design")
    if body is None:
        return derived_design(protocol)
    try:
        return _design(_table(body, "design"), protocol)
    except ProtocolError as exc:
        raise ProtocolError(exc.message(), where=msg(INVALID_PROTOCOL, file=where)) from None


def check_design(body: object, protocol: Protocol) -> Design:
    """The design of a parsed file's `[design]` table, checked against `protocol`; raises
    ProtocolError naming the first problem (for `protocol validate`, which has no file path to
    give)."""
    return _design(_table(body, "design"), protocol)


def derived_design(protocol: Protocol) -> Design:
    """The design of a protocol file without a `[design]` table, from its schedules alone.

    The arms are the open-label and unblinded arms that are not a period of a longer journey,
    coded by their names (ARM1, ARM2 ... for a name longer than ARMCD's 20 characters); each
    schedule has an element (E01, E02 ...); a period whose treatment is blinded is BLINDED
    TREATMENT, another OPEN LABEL TREATMENT (with the period's name when several would share
    it); a screening element when the schedules plan visits before study day 1 (SCRN); no
    criteria, no summary beyond what [protocol] and the schedules state.
    `Design.derived` says so."""
    legs = {leg.schedule.name for arm in protocol.arms.values() if arm.journey for leg in arm.legs}
    chosen = [
        arm
        for arm in protocol.arms.values()
        if arm.masking != "blinded" and (arm.journey or arm.name not in legs)
    ]
    arms = tuple(
        DesignArm(
            arm=arm.name,
            armcd=arm.name.upper() if len(arm.name) <= _ARMCD else f"ARM{number}",
            description=arm.title[:_TEXT],
        )
        for number, arm in enumerate(chosen, 1)
    )
    schedules = [s for s in protocol.schedules.values() if s.masking != "blinded"]
    elements = {
        schedule.name: DesignElement(f"E{number:02d}", schedule.title[:_TEXT])
        for number, schedule in enumerate(schedules, 1)
    }
    # A period is blinded when a schedule in it hides what it gives (not only at one visit).
    blinded = {s.period for s in protocol.schedules.values() if s.treatment.blinded}
    named = {
        s.period: "BLINDED TREATMENT" if s.period in blinded else "OPEN LABEL TREATMENT"
        for s in schedules
    }
    # Different epochs need different names (SDTMIG 3.4 TA assumption 12): a shared one is told
    # apart by its period.
    shared = [epoch for epoch in named.values() if list(named.values()).count(epoch) > 1]
    epochs = {
        period: f"{epoch} {period.upper()}"[:_TEXT] if epoch in shared else epoch
        for period, epoch in named.items()
    }
    return Design(
        arms=arms,
        elements=elements,
        epochs=epochs,
        criteria=(),
        criteria_version=None,
        summary=(),
        screening=_derived_screening(protocol, arms),
        derived=True,
    )


def _derived_screening(protocol: Protocol, arms: tuple[DesignArm, ...]) -> Screening | None:
    """A screening element when the arms' first schedules plan visits before study day 1, so
    that no planned visit falls outside every element: from the earliest such visit to the
    first dosing visit."""
    firsts = [protocol.arm(arm.arm).legs[0].schedule for arm in arms]
    before = [(code, s) for s in firsts for code in s.visits if code.study_day < 1]
    if not before:
        return None
    code, schedule = min(before, key=lambda found: found[0].study_day)
    dosing = schedule.infusions[0] if schedule.infusions else schedule.visits[-1]
    return Screening(
        etcd="SCRN",
        element="Screening",
        start=f"Screening visit {code} (study day {code.study_day})",
        end=f"First dosing visit ({dosing}, study day {dosing.study_day})",
    )


def _design(body: dict[str, Any], protocol: Protocol) -> Design:
    if not {"arms", "elements", "epochs", "screening"} & set(body):
        # Only criteria and summary: the arms, elements and epochs are made from the schedules.
        version = body.get("criteria_version")
        return derived_design(protocol)._replace(
            criteria=_parts(
                tuple(
                    _criterion(_table(entry, "design.criteria"))
                    for entry in _list(body, "criteria")
                )
            ),
            criteria_version=None if version is None else _text_value(version, "criteria_version"),
            summary=tuple(
                _parameter(_table(entry, "design.summary")) for entry in _list(body, "summary")
            ),
            partial=True,
        )
    arms = tuple(_arm(_table(entry, "design.arms"), protocol) for entry in _list(body, "arms"))
    if not arms:
        raise ProtocolError(msg(N_("design.arms must list at least one arm")))
    for key in ("arm", "armcd"):
        values = [getattr(arm, key) for arm in arms]
        if len(set(values)) != len(values):
            raise ProtocolError(msg(N_("design.arms: an {key} is used twice"), key=key))
    elements = {
        name: _element(name, _table(raw, f"design.elements.{name}"))
        for name, raw in _table(body.get("elements"), "design.elements").items()
    }
    epochs = {
        period: _text_value(value, f"design.epochs.{period!r}")
        for period, value in _table(body.get("epochs"), "design.epochs").items()
    }
    screening = None
    if "screening" in body:
        screening = _screening(_table(body["screening"], "design.screening"))
    codes = [element.etcd for element in elements.values()]
    codes += [] if screening is None else [screening.etcd]
    if len(set(codes)) != len(codes):
        raise ProtocolError(msg(N_("design: an element code (etcd) is used twice")))
    for arm in arms:
        for leg in protocol.arm(arm.arm).legs:
            schedule = leg.schedule
            if schedule.name not in elements:
                raise ProtocolError(
                    msg(N_("design.elements: no element for schedule {name!r}"), name=schedule.name)
                )
            if schedule.period not in epochs:
                raise ProtocolError(
                    msg(N_("design.epochs: no epoch for period {period!r}"), period=schedule.period)
                )
    criteria = _parts(
        tuple(_criterion(_table(entry, "design.criteria")) for entry in _list(body, "criteria"))
    )
    version = body.get("criteria_version")
    return Design(
        arms=arms,
        elements=elements,
        epochs=epochs,
        criteria=criteria,
        criteria_version=None if version is None else _text_value(version, "criteria_version"),
        summary=tuple(
            _parameter(_table(entry, "design.summary")) for entry in _list(body, "summary")
        ),
        screening=screening,
    )


def _arm(body: dict[str, Any], protocol: Protocol) -> DesignArm:
    name = _text(body, "arm", "design.arms")
    try:
        arm = protocol.arm(name)
    except Mil62schedError as exc:  # an unknown arm: the message names the accepted ones
        raise ProtocolError(msg(N_("design.arms: {problem}"), problem=exc.message())) from None
    where = msg(N_("design arm {name!r}"), name=name)
    if arm.masking == "blinded":
        raise ProtocolError(
            msg(
                N_(
                    "{where} is blinded: the design lists the arms it hides, which are planned "
                    "paths"
                ),
                where=where,
            )
        )
    branch = body.get("branch")
    return DesignArm(
        arm=arm.name,
        armcd=_code(_text(body, "armcd", where), _ARMCD, _at(where, "armcd")),
        description=_text(body, "description", where),
        branch=None if branch is None else _text_value(branch, _at(where, "branch")),
    )


def _element(schedule: str, body: dict[str, Any]) -> DesignElement:
    where = f"design.elements.{schedule}"
    return DesignElement(
        etcd=_code(_text(body, "etcd", where), _ETCD, f"{where}.etcd"),
        element=_text(body, "element", where),
    )


def _screening(body: dict[str, Any]) -> Screening:
    where = "design.screening"
    duration = body.get("duration")
    if duration is not None and not (isinstance(duration, str) and _DURATION.fullmatch(duration)):
        raise ProtocolError(
            msg(N_("{where}.duration must be an ISO 8601 duration such as P28D"), where=where)
        )
    return Screening(
        etcd=_code(_text(body, "etcd", where), _ETCD, f"{where}.etcd"),
        element=_text(body, "element", where),
        start=_text(body, "start", where),
        end=_text(body, "end", where),
        duration=duration,
    )


def _parts(criteria: tuple[Criterion, ...]) -> tuple[Criterion, ...]:
    """The criteria numbered 1, 2, ... within each category, a number repeated only for the
    parts of one criterion (listed together, each with its own subcategory), which get their
    part letters A, B ..."""
    lettered: list[Criterion] = []
    for category in _CATEGORIES:
        chosen = [c for c in criteria if c.category == category]
        numbers = list(dict.fromkeys(c.number for c in chosen))
        adjacent = [c.number for c in chosen] == sorted(c.number for c in chosen)
        if numbers != list(range(1, len(numbers) + 1)) or not adjacent:
            raise ProtocolError(
                msg(
                    N_("design.criteria: the {category} criteria are numbered 1, 2, ..."),
                    category=Localized(category),
                )
            )
        for number in numbers:
            parts = [c for c in chosen if c.number == number]
            if len(parts) == 1:
                lettered.append(parts[0])
                continue
            labels = [c.subcategory for c in parts]
            if None in labels or len(set(labels)) != len(labels):
                raise ProtocolError(
                    msg(
                        N_(
                            "design.criteria: {category} {number} is given {count} times: each "
                            "part needs its own subcategory (IESCAT, e.g. the phase it applies to)"
                        ),
                        category=Localized(category),
                        number=number,
                        count=len(parts),
                    )
                )
            lettered += [c._replace(part=chr(ord("A") + i)) for i, c in enumerate(parts)]
    return tuple(lettered)


def _criterion(body: dict[str, Any]) -> Criterion:
    category = body.get("category")
    if category not in _CATEGORIES:
        raise ProtocolError(
            msg(
                N_("design.criteria: category {value!r} is not one of {names}"),
                value=category,
                names=list(_CATEGORIES),
            )
        )
    number = body.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 99:
        raise ProtocolError(msg(N_("design.criteria: number must be a whole number from 1 to 99")))
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ProtocolError(
            msg(
                N_("design.criteria: {category} {number} needs its text"),
                category=Localized(category),
                number=number,
            )
        )
    where = msg(N_("design.criteria: {category} {number}"), category=Localized(category),
                number=number)  # fmt: skip
    short = _optional(body, "short", where)
    if short is None and len(text) > _TEXT:
        raise ProtocolError(
            msg(
                N_(
                    "{where} is {count} characters, more than the {most} of IETEST: give its "
                    "short, a meaningful text of at most {most} characters (the full text goes to "
                    "define.xml)"
                ),
                where=where,
                count=len(text),
                most=_TEXT,
            )
        )
    return Criterion(
        cast(Category, category),
        number,
        text,
        subcategory=_optional(body, "subcategory", where),
        short=short,
    )


def _parameter(body: dict[str, Any]) -> SummaryParameter:
    code = _text(body, "parameter", "design.summary")
    if not _PARMCD.fullmatch(code):
        raise ProtocolError(
            msg(
                N_(
                    "design.summary: parameter {code!r} is not a TSPARMCD (A-Z and digits, at "
                    "most 8)"
                ),
                code=code,
            )
        )
    where = f"design.summary {code}"
    value = body.get("value")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    null_flavor = _optional(body, "null_flavor", where)
    if (value is None) == (null_flavor is None):
        raise ProtocolError(
            msg(N_("{where}: give a value, or a null_flavor when there is none"), where=where)
        )
    if null_flavor is not None and null_flavor not in NULL_FLAVORS:
        raise ProtocolError(
            msg(
                N_("{where}: null_flavor {value!r} is not an ISO 21090 null flavour: {names}"),
                where=where,
                value=null_flavor,
                names=list(NULL_FLAVORS),
            )
        )
    name = _optional(body, "name", where) or PARAMETER_NAMES.get(code)
    if name is None:
        raise ProtocolError(
            msg(N_("{where}: not a parameter the tool knows: give its name (TSPARM)"), where=where)
        )
    if len(name) > 40:
        raise ProtocolError(
            msg(N_("{where}: name (TSPARM) is longer than 40 characters"), where=where)
        )
    return SummaryParameter(
        parameter=code,
        # A value may be longer than TSVAL's 200 characters: TS goes on in TSVAL1 ... TSVALn.
        value=None if value is None else _text_value(value, _at(where, "value"), most=None),
        name=name,
        null_flavor=null_flavor,
        code=_optional(body, "code", where),
        reference=_optional(body, "reference", where),
        version=_optional(body, "version", where),
        group=_optional(body, "group", where),
    )


def _at(where: Text, key: str) -> Message:
    """`design arm 'x': armcd`: a key of what `where` names."""
    return msg(N_("{where}: {key}"), where=where, key=key)


def _code(value: str, most: int, where: Text) -> str:
    if len(value) > most or not value.isascii() or not value.isprintable() or " " in value:
        raise ProtocolError(
            msg(
                N_("{where} {value!r} must be at most {most} characters, no spaces"),
                where=where,
                value=value,
                most=most,
            )
        )
    return value


def _optional(body: dict[str, Any], key: str, where: Text) -> str | None:
    value = body.get(key)
    return None if value is None else _text_value(value, _at(where, key))


def _text_value(value: object, where: Text, most: int | None = _TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProtocolError(msg(N_("{where} must be non-empty text"), where=where))
    if most is not None and len(value) > most:
        raise ProtocolError(
            msg(N_("{where} is longer than {most} characters"), where=where, most=most)
        )
    return value


def _text(body: dict[str, Any], key: str, where: Text) -> str:
    return _text_value(body.get(key), _at(where, key))


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProtocolError(msg(N_("{where} must be a table"), where=where))
    return value


def _list(body: dict[str, Any], key: str) -> list[Any]:
    value = body.get(key, [])
    if not isinstance(value, list):
        raise ProtocolError(
            msg(N_("design.{key} must be a list of tables ([[design.{key}]])"), key=key)
        )
    return value
