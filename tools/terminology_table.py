"""Write `src/mil62sched/sdtm/terminology.toml`, the CDISC Controlled Terminology that
`mil62sched sdtm` codes its values with, from the SDTM terminology file NCI EVS publishes.

Standard library only. It takes the tab-separated `SDTM Terminology.txt` of one CDISC CT package
(columns Code, Codelist Code, Codelist Extensible (Yes/No), Codelist Name, CDISC Submission
Value, CDISC Synonym(s), CDISC Definition, NCI Preferred Term), its package date, and where the
file was obtained, and keeps the codelists and terms listed below: whole codelists where they are
small, the terms the tool uses where they are large. Every code in the table is copied from the
file; none is typed by hand.

    python tools/terminology_table.py "SDTM Terminology.txt" 2025-03-28 "where it came from" \
        "what it was checked against" > src/mil62sched/sdtm/terminology.toml
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

# Codelists kept whole (their CDISC submission value, the codelist's short name).
WHOLE = (
    "NY", "SEXPOP", "STYPE", "TPHASE", "TBLIND", "TCNTRL", "TINDTP", "TTYPE", "INTMODEL",
    "INTTYPE", "IECAT", "EPOCH",
)  # fmt: skip
# Large codelists: only the terms the tool or the built-in protocol file uses.
SOME = {
    "ROUTE": ("INTRAVENOUS", "SUBCUTANEOUS"),
    "UNIT": ("mg",),
    "FRM": ("INJECTION", "INJECTION, SOLUTION", "SOLUTION"),
    "DOMAIN": ("TA", "TE", "TV", "TI", "TS"),
    "TSPARMCD": (
        "ACTSUB", "ADAPT", "ADDON", "AGEMAX", "AGEMIN", "COMPTRT", "CURTRT", "DCUTDESC",
        "DCUTDTC", "DOSE", "DOSFRM", "DOSFRQ", "DOSU", "EXTTIND", "FCNTRY", "HLTSUBJI", "INDIC",
        "INTMODEL", "INTTYPE", "LENGTH", "NARMS", "OBJPRIM", "OBJSEC", "OUTMSPRI", "OUTMSSEC",
        "PCLAS", "PDSTIND", "PIPIND", "PLANSUB", "RANDOM", "RANDQT", "REGID", "ROUTE",
        "SDTIGVER", "SDTMVER", "SENDTC", "SEXPOP", "SPONSOR", "SSTDTC", "STOPRULE", "STRATFCT",
        "STYPE", "TBLIND", "TCNTRL", "TDIGRP", "THERAREA", "TINDTP", "TITLE", "TPHASE", "TRT",
        "TTYPE",
    ),
    "FREQ": ("ONCE", "QD", "EVERY 2 WEEKS", "Q6M"),
}  # fmt: skip
# The codelist of TSVAL for each coded trial summary parameter: the response codelist named
# after the parameter (TPHASE: Trial Phase Response ...), NY for a Y/N indicator as SDTMIG 3.4's
# TS example 1 and the CDISC pilot's TS code ADDON, ADAPT, HLTSUBJI and RANDOM, and the
# codelists of ROUTE, UNIT (DOSU), FRM (DOSFRM) and FREQ (DOSFRQ).
PARAMETERS = {
    "ADAPT": "NY", "ADDON": "NY", "EXTTIND": "NY", "HLTSUBJI": "NY", "PDSTIND": "NY",
    "PIPIND": "NY", "RANDOM": "NY", "SEXPOP": "SEXPOP", "STYPE": "STYPE", "TPHASE": "TPHASE",
    "TBLIND": "TBLIND", "TCNTRL": "TCNTRL", "TINDTP": "TINDTP", "TTYPE": "TTYPE",
    "INTMODEL": "INTMODEL", "INTTYPE": "INTTYPE", "ROUTE": "ROUTE", "DOSU": "UNIT",
    "DOSFRM": "FRM", "DOSFRQ": "FREQ",
}  # fmt: skip


def main(source: Path, package: str, obtained: str, checked: str) -> str:
    """The table as TOML text."""
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    lists = {r["CDISC Submission Value"]: r for r in rows if not r["Codelist Code"]}
    names = {r["Code"]: r["CDISC Submission Value"] for r in rows if r["Codelist Code"] == "C67152"}
    out = [
        "# CDISC Controlled Terminology used by `mil62sched sdtm` (TS codes, define.xml).",
        "# Made by tools/terminology_table.py from the file below; every code is copied from it.",
        "",
        "[source]",
        f"name = {json.dumps('CDISC Controlled Terminology (SDTM), as published by NCI EVS')}",
        f"file = {json.dumps(source.name)}",
        f"package = {json.dumps(package)}",
        f"obtained = {json.dumps(obtained)}",
        f"checked = {json.dumps(checked)}",
        'reference = "CDISC CT"',
        "",
        "# TSPARMCD -> the codelist its TSVAL is taken from.",
        "[parameters]",
        *(f"{parameter} = {json.dumps(codelist)}" for parameter, codelist in PARAMETERS.items()),
    ]
    for short in (*WHOLE, *SOME):
        head = lists[short]
        keep = SOME.get(short)
        terms = [
            r
            for r in rows
            if r["Codelist Code"] == head["Code"]
            and (keep is None or r["CDISC Submission Value"] in keep)
        ]
        if keep is not None:
            missing = set(keep) - {r["CDISC Submission Value"] for r in terms}
            if missing:
                raise SystemExit(f"{short}: not in the file: {', '.join(sorted(missing))}")
            terms.sort(key=lambda r: keep.index(r["CDISC Submission Value"]))
        out += [
            "",
            f"[codelists.{short}]",
            f"code = {json.dumps(head['Code'])}",
            f"name = {json.dumps(head['Codelist Name'])}",
            f"extensible = {'true' if head['Codelist Extensible (Yes/No)'] == 'Yes' else 'false'}",
            f"whole = {'true' if keep is None else 'false'}",
            "terms = [",
        ]
        for r in terms:
            decode = names[r["Code"]] if short == "TSPARMCD" else r["NCI Preferred Term"]
            value, code = r["CDISC Submission Value"], r["Code"]
            out.append(
                f"    {{ value = {json.dumps(value, ensure_ascii=False)}, "
                f"code = {json.dumps(code)}, decode = {json.dumps(decode, ensure_ascii=False)} }},"
            )
        out.append("]")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    sys.stdout.write(main(Path(sys.argv[1]), *sys.argv[2:]))
