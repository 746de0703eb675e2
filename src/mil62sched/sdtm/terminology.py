"""The CDISC Controlled Terminology the datasets are coded with: a table shipped in the package
(`terminology.toml`), made from one CDISC CT package as NCI EVS publishes it by
`tools/terminology_table.py`, naming its source and package date. A value the table lacks gets no
code: codes are never made up.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import NamedTuple

TABLE = Path(__file__).with_name("terminology.toml")


class Term(NamedTuple):
    """A term of a codelist: its submission value, its NCI code (C-code) and its decode (the NCI
    preferred term; for TSPARMCD, the TSPARM)."""

    value: str
    code: str
    decode: str


class Codelist(NamedTuple):
    """A CDISC codelist, whole or only the terms the tool uses (`whole` False)."""

    short: str  # its submission value: NY, TPHASE ...
    code: str
    name: str
    extensible: bool
    whole: bool
    terms: tuple[Term, ...]

    def term(self, value: str) -> Term | None:
        """The term whose submission value is `value`, if the table has it."""
        return next((term for term in self.terms if term.value == value), None)


class Terminology(NamedTuple):
    """The table: its source, package date, codelists by short name, and for each coded trial
    summary parameter the codelist of its values."""

    name: str
    package: str  # the CT package date, TSVCDVER
    reference: str  # TSVCDREF: CDISC CT
    obtained: str
    codelists: Mapping[str, Codelist]
    parameters: Mapping[str, str]

    def parameter_codelist(self, parameter: str) -> Codelist | None:
        """The codelist of a trial summary parameter's values, when its values are coded."""
        short = self.parameters.get(parameter)
        return None if short is None else self.codelists[short]

    def code(self, parameter: str, value: str) -> str | None:
        """The C-code of a TS parameter's value, when the table has it.

        >>> terminology().code("TPHASE", "PHASE III TRIAL"), terminology().code("TRT", "MIL62")
        ('C15602', None)
        """
        codelist = self.parameter_codelist(parameter)
        term = None if codelist is None else codelist.term(value)
        return None if term is None else term.code


@cache
def terminology(path: Path = TABLE) -> Terminology:
    """The shipped table, read once."""
    import tomllib

    table = tomllib.loads(path.read_text(encoding="utf-8"))
    source = table["source"]
    codelists = {
        short: Codelist(
            short=short,
            code=body["code"],
            name=body["name"],
            extensible=body["extensible"],
            whole=body["whole"],
            terms=tuple(Term(t["value"], t["code"], t["decode"]) for t in body["terms"]),
        )
        for short, body in table["codelists"].items()
    }
    return Terminology(
        name=source["name"],
        package=source["package"],
        reference=source["reference"],
        obtained=source["obtained"],
        codelists=codelists,
        parameters=dict(table["parameters"]),
    )
