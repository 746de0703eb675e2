"""define.xml: the Define-XML 2.1 metadata of the trial-design datasets, built with odmlib (the
CDISC ODM and Define-XML library) and valid against the Define-XML 2.1 schema it ships.

It describes the five datasets (ItemGroupDefs) and their variables (ItemDefs, with the itemOIDs
the Dataset-JSON files use), the codelists of the coded variables (from the shipped terminology
table, with their NCI codes), value-level metadata for TS (each parameter's TSVAL) and for TI
(each criterion's IETEST, whose description is the criterion's full text), and comments that say
what a reviewer should know (values without a code, an empty TI). odmlib is imported here only:
no other command pays for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mil62sched import __version__
from mil62sched.model.design import Design
from mil62sched.model.protocol import Protocol
from mil62sched.sdtm.terminology import Codelist, Terminology
from mil62sched.sdtm.variables import SDTMIG_VERSION, Dataset, Variable, text_length

if TYPE_CHECKING:
    from types import ModuleType

DEFINE_VERSION = "2.1.0"
FILE_NAME = "define.xml"
# SDTMIG 3.4's structure of each trial-design dataset.
STRUCTURES = {
    "TA": "One record per planned Element per Arm",
    "TE": "One record per planned Element",
    "TV": "One record per planned Visit per Arm",
    "TI": "One record per I/E criterion",
    "TS": "One record per trial summary parameter value",
}
# The codelist of each coded variable, by dataset and variable; TSVAL's are per parameter.
CODED = {("TA", "EPOCH"): "EPOCH", ("TI", "IECAT"): "IECAT", ("TS", "TSPARMCD"): "TSPARMCD"}
# ISO 21090 null flavours (TSVALNF), as SDTMIG 3.4 names them.
NULL_FLAVORS = {
    "NI": "No information", "INV": "Invalid", "DER": "Derived", "OTH": "Other",
    "PINF": "Positive infinity", "NINF": "Negative infinity", "UNC": "Unencoded",
    "MSK": "Masked", "NA": "Not applicable", "UNK": "Unknown", "ASKU": "Asked but unknown",
    "NAV": "Temporarily unavailable", "NASK": "Not asked", "QS": "Sufficient quantity",
    "TRC": "Trace", "NP": "Not present",
}  # fmt: skip
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DURATION = re.compile(r"P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?")


def define_xml(
    protocol: Protocol,
    design: Design,
    built: Sequence[Dataset],
    table: Terminology,
    *,
    created: datetime,
    originator: str | None = None,
    comments: dict[str, str] | None = None,
) -> str:
    """The Define-XML 2.1 document of the datasets, as UTF-8 text with an XML declaration.
    `comments` are notes on datasets, by dataset name."""
    import odmlib.define_2_1.model as DEF

    stamp = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    study = protocol.id
    odm = DEF.ODM(
        FileOID=f"{study}.DEFINE",
        FileType="Snapshot",
        ODMVersion="1.3.2",
        CreationDateTime=stamp,
        AsOfDateTime=stamp,
        SourceSystem="mil62sched",
        SourceSystemVersion=__version__,
        Context="Submission",
        **({"Originator": originator} if originator else {}),
    )
    odm.Study = DEF.Study(OID=study)
    odm.Study.GlobalVariables = DEF.GlobalVariables(
        StudyName=DEF.StudyName(_content=study),
        StudyDescription=DEF.StudyDescription(_content=protocol.title),
        ProtocolName=DEF.ProtocolName(_content=study),
    )
    mdv = DEF.MetaDataVersion(
        OID=metadata_version(study),
        Name=f"{study} trial design datasets",
        Description=f"SDTMIG {SDTMIG_VERSION} trial design datasets of {study}",
        DefineVersion=DEFINE_VERSION,
    )
    ig_standard, ct_standard = "STD.SDTMIG", "STD.CT.SDTM"
    mdv.Standards = DEF.Standards(
        Standard=[
            DEF.Standard(OID=ig_standard, Name="SDTMIG", Type="IG", Version=SDTMIG_VERSION,
                         Status="Final"),
            DEF.Standard(OID=ct_standard, Name="CDISC/NCI", Type="CT", PublishingSet="SDTM",
                         Version=table.package, Status="Final"),
        ]
    )  # fmt: skip
    notes = dict(comments or {})
    used: dict[str, set[str]] = {}  # codelist short name -> the values the data use
    for dataset in built:
        mdv.ItemGroupDef.append(_group(DEF, dataset, ig_standard, notes))
        for order, variable in enumerate(dataset.variables):
            values = [row[order] for row in dataset.rows]
            codelist = CODED.get((dataset.name, variable.name)) if any(values) else None
            if codelist is not None:
                used.setdefault(codelist, set()).update(str(v) for v in values if v)
            item = _item(DEF, f"IT.{dataset.name}.{variable.name}", variable, values, codelist)
            if variable.data_type == "string":  # as the Dataset-JSON file gives it
                item.Length = text_length(variable, values, study)
            if dataset.name == "TS" and variable.name == "TSVALNF" and any(values):
                used.setdefault("NULLFLAVOR", set()).update(str(v) for v in values if v)
                item.CodeListRef = DEF.CodeListRef(CodeListOID="CL.NULLFLAVOR")
            mdv.ItemDef.append(item)
    _summary_values(DEF, mdv, built, table, used)
    _criteria(DEF, mdv, built, design)
    for short, coded in used.items():
        mdv.CodeList.append(_codelist(DEF, short, coded, table, ct_standard))
    for name, note in notes.items():
        mdv.CommentDef.append(
            DEF.CommentDef(OID=f"COM.{name}", Description=_description(DEF, note))
        )
    odm.Study.MetaDataVersion = mdv
    # odmlib 0.2.0 writes its own declaration (single quotes), 0.2.1 none unless asked: ours.
    xml: str = odm.to_xml_string()
    body = re.sub(r"\A<\?xml[^>]*\?>\s*", "", xml)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def metadata_version(study: str) -> str:
    """The MetaDataVersion OID the Dataset-JSON files name (metaDataVersionOID)."""
    return f"MDV.{study}.SDTMIG.{SDTMIG_VERSION}"


def _description(DEF: ModuleType, text: str) -> Any:
    return DEF.Description(TranslatedText=[DEF.TranslatedText(_content=text, lang="en")])


def _group(DEF: ModuleType, dataset: Dataset, standard: str, notes: dict[str, str]) -> Any:
    name = dataset.name
    group = DEF.ItemGroupDef(
        OID=f"IG.{name}",
        Name=name,
        Repeating="No",
        IsReferenceData="Yes",
        SASDatasetName=name,
        Domain=name,
        Purpose="Tabulation",
        Structure=STRUCTURES[name],
        ArchiveLocationID=f"LF.{name}",
        StandardOID=standard,
        **({"HasNoData": "Yes"} if not dataset.rows else {}),
        **({"CommentOID": f"COM.{name}"} if name in notes else {}),
    )
    group.Description = _description(DEF, dataset.label)
    for order, variable in enumerate(dataset.variables, 1):
        group.ItemRef.append(
            DEF.ItemRef(
                ItemOID=f"IT.{name}.{variable.name}",
                OrderNumber=order,
                Mandatory="Yes" if variable.key is not None or order <= 2 else "No",
                **({"KeySequence": variable.key} if variable.key is not None else {}),
            )
        )
    group.Class = DEF.Class(Name="TRIAL DESIGN")
    group.leaf = DEF.leaf(
        ID=f"LF.{name}",
        href=f"{name.lower()}.json",
        title=DEF.title(_content=f"{name.lower()}.json"),
    )
    return group


def _item(
    DEF: ModuleType,
    oid: str,
    variable: Variable,
    values: Sequence[object],
    codelist: str | None = None,
    data_type: str | None = None,
    description: str | None = None,
) -> Any:
    texts = [str(v) for v in values if v is not None and v != ""]
    kind = (
        data_type or {"string": "text", "integer": "integer", "float": "float"}[variable.data_type]
    )
    length = max([1, *(len(t) for t in texts)]) if texts else variable.most
    item = DEF.ItemDef(
        OID=oid,
        Name=variable.name,
        DataType=kind,
        SASFieldName=variable.name,
        **({"Length": length} if kind in ("text", "integer", "float") else {}),
        **({"SignificantDigits": 0} if kind == "float" else {}),
    )
    item.Description = _description(DEF, description or variable.label)
    if codelist is not None:
        item.CodeListRef = DEF.CodeListRef(CodeListOID=f"CL.{codelist}")
    origin = "Assigned" if variable.name in ("STUDYID", "DOMAIN") else "Protocol"
    item.Origin.append(
        DEF.Origin(Type=origin, **({"Source": "Sponsor"} if origin == "Assigned" else {}))
    )
    return item


def _where(DEF: ModuleType, mdv: Any, oid: str, item: str, value: str) -> Any:
    mdv.WhereClauseDef.append(
        DEF.WhereClauseDef(
            OID=oid,
            RangeCheck=[
                DEF.RangeCheck(
                    Comparator="EQ",
                    SoftHard="Soft",
                    ItemOID=item,
                    CheckValue=[DEF.CheckValue(_content=value)],
                )
            ],
        )
    )
    return DEF.WhereClauseRef(WhereClauseOID=oid)


def _summary_values(
    DEF: ModuleType,
    mdv: Any,
    built: Sequence[Dataset],
    table: Terminology,
    used: dict[str, set[str]],
) -> None:
    """Value-level metadata of TS: for each parameter with a value, its TSVAL's type, length,
    name and codelist."""
    ts = next(dataset for dataset in built if dataset.name == "TS")
    index = {variable.name: number for number, variable in enumerate(ts.variables)}
    by_parameter: dict[str, list[tuple[str, str]]] = {}
    for row in ts.rows:
        value = str(row[index["TSVAL"]])
        if value:
            name = str(row[index["TSPARM"]])
            by_parameter.setdefault(str(row[index["TSPARMCD"]]), []).append((value, name))
    if not by_parameter:
        return
    tsval = ts.variables[index["TSVAL"]]
    refs = []
    for order, (parameter, found) in enumerate(sorted(by_parameter.items()), 1):
        values = [value for value, _ in found]
        codelist = table.parameter_codelist(parameter)
        kind = "text"
        if all(_DATE.fullmatch(v) for v in values):
            kind = "date"
        elif all(_DURATION.fullmatch(v) for v in values):
            kind = "durationDatetime"
        oid = f"IT.TS.TSVAL.{parameter}"
        item = _item(DEF, oid, tsval, values, None if codelist is None else codelist.short, kind,
                     found[0][1])  # fmt: skip
        if codelist is not None:
            used.setdefault(codelist.short, set()).update(values)
        mdv.ItemDef.append(item)
        ref = DEF.ItemRef(ItemOID=oid, OrderNumber=order, Mandatory="No")
        ref.WhereClauseRef.append(
            _where(DEF, mdv, f"WC.TS.TSPARMCD.{parameter}", "IT.TS.TSPARMCD", parameter)
        )
        refs.append(ref)
    mdv.ValueListDef.append(DEF.ValueListDef(OID="VL.TS.TSVAL", ItemRef=refs))
    _value_list(mdv, "IT.TS.TSVAL", "VL.TS.TSVAL", DEF)


def _criteria(DEF: ModuleType, mdv: Any, built: Sequence[Dataset], design: Design) -> None:
    """Value-level metadata of TI: each criterion's IETEST, described by its full text (SDTMIG
    3.4 TI: the full text of a criterion longer than IETEST belongs in the metadata)."""
    ti = next(dataset for dataset in built if dataset.name == "TI")
    if not ti.rows:
        return
    ietest = next(variable for variable in ti.variables if variable.name == "IETEST")
    refs = []
    for order, criterion in enumerate(
        sorted(design.criteria, key=lambda c: c.category != "inclusion"), 1
    ):
        code = criterion.ietestcd
        oid = f"IT.TI.IETEST.{code}"
        mdv.ItemDef.append(_item(DEF, oid, ietest, [criterion.ietest], description=criterion.text))
        ref = DEF.ItemRef(ItemOID=oid, OrderNumber=order, Mandatory="Yes")
        ref.WhereClauseRef.append(
            _where(DEF, mdv, f"WC.TI.IETESTCD.{code}", "IT.TI.IETESTCD", code)
        )
        refs.append(ref)
    mdv.ValueListDef.append(DEF.ValueListDef(OID="VL.TI.IETEST", ItemRef=refs))
    _value_list(mdv, "IT.TI.IETEST", "VL.TI.IETEST", DEF)


def _value_list(mdv: Any, item: str, value_list: str, DEF: ModuleType) -> None:
    """Point the variable's ItemDef at its value-level metadata."""
    for found in mdv.ItemDef:
        if item == found.OID:
            found.ValueListRef = DEF.ValueListRef(ValueListOID=value_list)


def _codelist(
    DEF: ModuleType, short: str, values: set[str], table: Terminology, standard: str
) -> Any:
    """A codelist of the values the data use: a CDISC one with each term's NCI code (a value the
    codelist lacks is marked as an extended value), or ISO 21090's null flavours."""
    if short == "NULLFLAVOR":
        codelist = DEF.CodeList(OID="CL.NULLFLAVOR", Name="ISO 21090 NullFlavor", DataType="text",
                                IsNonStandard="Yes")  # fmt: skip
        for order, value in enumerate(sorted(values), 1):
            item = DEF.CodeListItem(CodedValue=value, OrderNumber=order)
            item.Decode = DEF.Decode(
                TranslatedText=[
                    DEF.TranslatedText(_content=NULL_FLAVORS.get(value, value), lang="en")
                ]
            )
            codelist.CodeListItem.append(item)
        return codelist
    found: Codelist = table.codelists[short]
    codelist = DEF.CodeList(
        OID=f"CL.{short}", Name=found.name, DataType="text", StandardOID=standard
    )
    order = 0
    for term in found.terms:
        if term.value in values:
            order += 1
            codelist.CodeListItem.append(_term(DEF, term.value, term.decode, term.code, order))
    for value in sorted(values - {term.value for term in found.terms}):
        order += 1
        item = DEF.CodeListItem(CodedValue=value, OrderNumber=order, ExtendedValue="Yes")
        item.Decode = DEF.Decode(TranslatedText=[DEF.TranslatedText(_content=value, lang="en")])
        codelist.CodeListItem.append(item)
    codelist.Alias.append(DEF.Alias(Context="nci:ExtCodeID", Name=found.code))
    return codelist


def _term(DEF: ModuleType, value: str, decode: str, code: str, order: int) -> Any:
    item = DEF.CodeListItem(CodedValue=value, OrderNumber=order)
    item.Decode = DEF.Decode(TranslatedText=[DEF.TranslatedText(_content=decode, lang="en")])
    item.Alias.append(DEF.Alias(Context="nci:ExtCodeID", Name=code))
    return item
