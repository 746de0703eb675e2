"""TS, the trial summary: what [protocol] and the schedules state, the file's [[design.summary]],
and every parameter a reviewer expects, null-flavoured when nothing states it. Coded values carry
their code from the shipped terminology table. Pure: a protocol, its design and the table in.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from mil62sched.errors import ProtocolError
from mil62sched.messages import N_, Listing, Message, msg
from mil62sched.model.design import PARAMETER_NAMES, Design, SummaryParameter
from mil62sched.model.protocol import Protocol, Treatment
from mil62sched.sdtm.terminology import Terminology
from mil62sched.sdtm.variables import (
    DOMAIN,
    SDTM_VERSION,
    SDTMIG_VERSION,
    STUDYID,
    TEXT_LENGTH,
    Dataset,
    Value,
    Variable,
)

# The parameters a reviewer expects in TS: those of SDTMIG 3.3's Appendix C1 and of the FDA's
# Study Data Technical Conformance Guide (SDTMIG 3.4 moved the list to CDISC's TS codetable).
# One the protocol file does not give is present all the same, null-flavoured (NI: no
# information, ISO 21090's default), never left out.
EXPECTED = (
    "ACTSUB", "ADAPT", "ADDON", "AGEMAX", "AGEMIN", "COMPTRT", "CURTRT", "DCUTDESC", "DCUTDTC",
    "DOSE", "DOSFRM", "DOSFRQ", "DOSU", "EXTTIND", "FCNTRY", "HLTSUBJI", "INDIC", "INTMODEL",
    "INTTYPE", "LENGTH", "NARMS", "OBJPRIM", "OBJSEC", "OUTMSPRI", "OUTMSSEC", "PCLAS", "PDSTIND",
    "PIPIND", "PLANSUB", "RANDOM", "RANDQT", "REGID", "ROUTE", "SDTIGVER", "SDTMVER", "SENDTC",
    "SEXPOP", "SPONSOR", "SSTDTC", "STOPRULE", "STRATFCT", "STYPE", "TBLIND", "TCNTRL", "TDIGRP",
    "THERAREA", "TINDTP", "TITLE", "TPHASE", "TRT", "TTYPE",
)  # fmt: skip
DEFAULT_NULL_FLAVOR = "NI"
# Parameters whose values are coded in a terminology the shipped table does not hold.
ELSEWHERE = {
    "TRT": "UNII", "COMPTRT": "UNII", "CURTRT": "UNII",
    "INDIC": "SNOMED CT", "TDIGRP": "SNOMED CT", "PCLAS": "MED-RT",
}  # fmt: skip
_NCT = re.compile(r"NCT\d{8}")


class _Record(NamedTuple):
    parameter: str
    value: str
    group: str = ""
    null_flavor: str = ""
    code: str = ""
    reference: str = ""
    version: str = ""
    name: str = ""


def trial_summary(protocol: Protocol, design: Design, table: Terminology) -> Dataset:
    """TS: one row per trial summary parameter value. A value longer than the 200 characters of
    TSVAL goes on in TSVAL1 ... TSVALn, split between words (SDTMIG 3.4 TS assumption 4)."""
    given = {parameter.parameter for parameter in design.summary}
    records = [r for r in _derived(protocol, design) if r.parameter not in given]
    records += [_given(parameter) for parameter in design.summary]
    present = {record.parameter for record in records}
    missing = [parameter for parameter in EXPECTED if parameter not in present]
    records += [_Record(parameter, "", null_flavor=DEFAULT_NULL_FLAVOR) for parameter in missing]
    records = [_coded(record, table) for record in records]
    records.sort(key=lambda record: record.parameter)  # stable: a parameter's values keep order
    pieces = [_pieces(record.value) for record in records]
    extra = max(len(p) for p in pieces) - 1
    rows: list[tuple[Value, ...]] = []
    sequence: dict[str, int] = {}
    for record, parts in zip(records, pieces, strict=True):
        sequence[record.parameter] = sequence.get(record.parameter, 0) + 1
        rows.append(
            (
                protocol.id,
                "TS",
                sequence[record.parameter],
                record.group,
                record.parameter,
                record.name or PARAMETER_NAMES[record.parameter],
                parts[0],
                *(parts[1:] + [""] * (extra - len(parts) + 1)),
                record.null_flavor,
                record.code,
                record.reference,
                record.version,
            )
        )
    variables = (
        STUDYID,
        DOMAIN,
        Variable("TSSEQ", "Sequence Number", "integer", key=4),
        Variable("TSGRPID", "Group ID"),
        Variable("TSPARMCD", "Trial Summary Parameter Short Name", key=2, most=8),
        Variable("TSPARM", "Trial Summary Parameter", most=40),
        Variable("TSVAL", "Parameter Value", key=3),
        *(Variable(f"TSVAL{n}", f"Parameter Value {n}") for n in range(1, extra + 1)),
        # SDTMIG 3.4's label; the CDISC pilot's older TS says "Parameter Null Flavor".
        Variable("TSVALNF", "Parameter Value Null Flavor", most=4),
        Variable("TSVALCD", "Parameter Value Code"),
        Variable("TSVCDREF", "Name of the Reference Terminology"),
        Variable("TSVCDVER", "Version of the Reference Terminology"),
    )
    return Dataset("TS", "Trial Summary", variables, tuple(rows))


def uncoded(dataset: Dataset, table: Terminology) -> Message | None:
    """A sentence naming the TS values that have no code because the shipped table lacks it: a
    value of a coded parameter the table does not list, or one coded in another terminology."""
    index = {variable.name: number for number, variable in enumerate(dataset.variables)}
    by_reason: dict[Message, list[str]] = {}
    for row in dataset.rows:
        parameter, value = str(row[index["TSPARMCD"]]), str(row[index["TSVAL"]])
        if not value or row[index["TSVALCD"]]:
            continue
        codelist = table.parameter_codelist(parameter)
        if codelist is not None:
            reason = msg(N_("not in its codelist {codelist}"), codelist=codelist.short)
        elif parameter in ELSEWHERE:
            where = ELSEWHERE[parameter]
            reason = (
                msg(N_("no UNII"))
                if where == "UNII"
                else msg(
                    N_("no {where} code"),
                    where=where,
                )
            )
        else:
            continue
        by_reason.setdefault(reason, []).append(f"{parameter} {value!r}")
    if not by_reason:
        return None
    groups = [
        msg(N_("{values} ({reason})"), values=Listing(sorted(names), "and"), reason=reason)
        for reason, names in by_reason.items()
    ]
    return msg(
        N_(
            "TS values without a code (TSVALCD empty), the shipped table holding {reference} "
            "{package} only: {groups}"
        ),
        reference=table.reference,
        package=table.package,
        groups=sorted(groups, key=str),
    )


def _derived(protocol: Protocol, design: Design) -> list[_Record]:
    """What the tool knows without the file's summary: [protocol], the arms, the doses."""
    registry = "ClinicalTrials.gov" if _NCT.fullmatch(protocol.registry) else ""
    found = [
        _Record("TITLE", protocol.title),
        _Record(
            "REGID",
            protocol.registry,
            code=protocol.registry if registry else "",
            reference=registry,
        ),  # fmt: skip
        _Record("SPONSOR", protocol.sponsor),
        _Record("NARMS", str(len(design.arms))),
        _Record("SDTIGVER", SDTMIG_VERSION),
        _Record("SDTMVER", SDTM_VERSION),
    ]
    if protocol.study_start is not None:
        found.append(_Record("SSTDTC", protocol.study_start.isoformat(), reference="ISO 8601"))
    doses = [
        _Record("DOSE", str(dose), group=arm.armcd)
        for arm in design.arms
        for dose in _doses(protocol, arm.arm)
    ]
    if doses:
        found += [*doses, _Record("DOSU", "mg")]
    return found


def _doses(protocol: Protocol, arm: str) -> list[int]:
    """The doses (mg) an arm may give, in the order its schedules first give them: each
    schedule's treatment, then its other treatments at single visits, then an escalation's."""
    treatments: list[Treatment] = []
    for leg in protocol.arm(arm).legs:
        schedule = leg.schedule
        treatments += [schedule.treatment, *schedule.overrides.values()]
        if schedule.escalation is not None:
            treatments.append(schedule.escalation.treatment)
    doses = (t.dose_mg for t in treatments if t.dose_mg is not None and not t.blinded)
    return list(dict.fromkeys(doses))


def _given(parameter: SummaryParameter) -> _Record:
    return _Record(
        parameter=parameter.parameter,
        value=parameter.value or "",
        group=parameter.group or "",
        null_flavor=parameter.null_flavor or "",
        code=parameter.code or "",
        reference=parameter.reference or "",
        version=parameter.version or "",
        name=parameter.name or "",
    )


def _coded(record: _Record, table: Terminology) -> _Record:
    """The record with the table's code, reference and version when its parameter's values are
    coded and the table has the value; a file's own code that disagrees is refused."""
    codelist = table.parameter_codelist(record.parameter)
    if codelist is None or not record.value:
        return record
    term = codelist.term(record.value)
    if term is None:
        if record.code:
            raise ProtocolError(
                msg(
                    N_(
                        "design.summary {parameter}: {value!r} is not in codelist {codelist} of "
                        "{reference} {package}: leave out its code"
                    ),
                    parameter=record.parameter,
                    value=record.value,
                    codelist=codelist.short,
                    reference=table.reference,
                    package=table.package,
                )
            )
        return record
    if record.code and record.code != term.code:
        raise ProtocolError(
            msg(
                N_(
                    "design.summary {parameter}: code {code} is not the code of {value!r} in "
                    "{reference} {package} ({term})"
                ),
                parameter=record.parameter,
                code=record.code,
                value=record.value,
                reference=table.reference,
                package=table.package,
                term=term.code,
            )
        )
    return record._replace(code=term.code, reference=table.reference, version=table.package)


def _pieces(value: str) -> list[str]:
    """The value in pieces of at most 200 characters, split between words where it can be.

    >>> [len(p) for p in _pieces("word " * 60)]
    [199, 100]
    """
    pieces: list[str] = []
    rest = value
    while len(rest) > TEXT_LENGTH:
        cut = rest.rfind(" ", 1, TEXT_LENGTH + 1)
        cut = cut if cut > 0 else TEXT_LENGTH
        pieces.append(rest[:cut])
        rest = rest[cut + 1 :] if rest[cut] == " " else rest[cut:]  # the space between pieces
    return [*pieces, rest]
