"""The trial's design as a data manager describes it: arms, elements, epochs, eligibility
criteria and summary parameters, for the SDTM trial-design datasets (TA, TE, TV, TI, TS).

Read from a protocol file's `[design]` table by `mil62sched.protocol.design`; nothing here
reads a file. The schedules themselves (visits, treatments) stay in `model.protocol`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

Category = Literal["inclusion", "exclusion"]


class Criterion(NamedTuple):
    """One eligibility criterion, numbered within its category, in the protocol's words.

    A criterion that differs by phase is one entry per phase: the same `number`, a `subcategory`
    (IESCAT) each and a `part` letter (A, B ...) that tells their IETESTCDs apart. `short` is
    the file's meaningful text for IETEST when `text` is longer than its 200 characters; the
    full text goes to define.xml.
    """

    category: Category
    number: int
    text: str
    subcategory: str | None = None
    short: str | None = None
    part: str = ""

    @property
    def ietestcd(self) -> str:
        """IETESTCD: INCL or EXCL, the number in two digits, the part letter.

        >>> Criterion("inclusion", 4, "x", part="B").ietestcd
        'INCL04B'
        """
        return f"{'INCL' if self.category == 'inclusion' else 'EXCL'}{self.number:02d}{self.part}"

    @property
    def ietest(self) -> str:
        """IETEST: the text, or the file's short text for a longer one."""
        return self.short or self.text


class SummaryParameter(NamedTuple):
    """One trial summary parameter (a TS row): a CDISC parameter code and its value.

    `value` is None only with a `null_flavor` (ISO 21090, e.g. PINF); `code`, `reference` and
    `version` name the controlled term of the value when there is one.
    """

    parameter: str
    value: str | None
    name: str | None = None  # TSPARM: the file's, else PARAMETER_NAMES[parameter]
    null_flavor: str | None = None
    code: str | None = None
    reference: str | None = None
    version: str | None = None
    group: str | None = None


class DesignArm(NamedTuple):
    """A planned arm of the trial (a TA arm): one of the protocol's open-label or unblinded
    arms, with its SDTM code and description, and the branch that puts a participant on it."""

    arm: str
    armcd: str
    description: str
    branch: str | None = None


class DesignElement(NamedTuple):
    """The element (a TE row) in which a schedule's infusions are given."""

    etcd: str
    element: str


class Screening(NamedTuple):
    """The screening element that comes before the first infusion, when the file has one."""

    etcd: str
    element: str
    start: str
    end: str
    duration: str | None = None  # ISO 8601; None when the protocol does not give one


class Design(NamedTuple):
    """Everything the trial-design datasets need beyond the schedules."""

    arms: tuple[DesignArm, ...]
    elements: Mapping[str, DesignElement]  # by schedule name
    epochs: Mapping[str, str]  # EPOCH by period
    criteria: tuple[Criterion, ...]
    criteria_version: str | None
    summary: tuple[SummaryParameter, ...]
    screening: Screening | None = None
    derived: bool = False  # True: made from the schedules, the file having no [design] table
    # True: the file's [design] gives criteria or summary but no arms, elements or epochs, which
    # are made from the schedules (`derived` is True too).
    partial: bool = False


# TSPARM (the parameter's name) of the trial summary parameters the tool writes or knows, by
# TSPARMCD (CDISC controlled terminology); a file may give another parameter with its `name`.
PARAMETER_NAMES = {
    "ACTSUB": "Actual Number of Subjects",
    "ADAPT": "Adaptive Design",
    "ADDON": "Added on to Existing Treatments",
    "AGEMAX": "Planned Maximum Age of Subjects",
    "AGEMIN": "Planned Minimum Age of Subjects",
    "COMPTRT": "Comparative Treatment Name",
    "CURTRT": "Current Therapy or Treatment",
    "DCUTDESC": "Data Cutoff Description",
    "DCUTDTC": "Data Cutoff Date",
    "DOSE": "Dose per Administration",
    "DOSFRM": "Dose Form",
    "DOSFRQ": "Dosing Frequency",
    "DOSU": "Dose Units",
    "EXTTIND": "Extension Trial Indicator",
    "FCNTRY": "Planned Country of Investigational Sites",
    "HLTSUBJI": "Healthy Subject Indicator",
    "INDIC": "Trial Disease/Condition Indication",
    "INTMODEL": "Intervention Model",
    "INTTYPE": "Intervention Type",
    "LENGTH": "Trial Length",
    "NARMS": "Planned Number of Arms",
    "OBJPRIM": "Trial Primary Objective",
    "OBJSEC": "Trial Secondary Objective",
    "OUTMSPRI": "Primary Outcome Measure",
    "OUTMSSEC": "Secondary Outcome Measure",
    "PCLAS": "Pharmacologic Class",
    "PDSTIND": "Pediatric Study Indicator",
    "PIPIND": "Pediatric Investigation Plan Indicator",
    "PLANSUB": "Planned Number of Subjects",
    "RANDOM": "Trial is Randomized",
    "RANDQT": "Randomization Quotient",
    "REGID": "Registry Identifier",
    "ROUTE": "Route of Administration",
    "SDTIGVER": "SDTM IG Version",
    "SDTMVER": "SDTM Version",
    "SENDTC": "Study End Date",
    "SEXPOP": "Sex of Participants",
    "SPONSOR": "Clinical Study Sponsor",
    "SSTDTC": "Study Start Date",
    "STOPRULE": "Study Stop Rules",
    "STRATFCT": "Stratification Factor",
    "STYPE": "Study Type",
    "TBLIND": "Trial Blinding Schema",
    "TCNTRL": "Control Type",
    "TDIGRP": "Diagnosis Group",
    "THERAREA": "Therapeutic Area",
    "TINDTP": "Trial Intent Type",
    "TITLE": "Trial Title",
    "TPHASE": "Trial Phase Classification",
    "TRT": "Investigational Therapy or Treatment",
    "TTYPE": "Trial Type",
}
