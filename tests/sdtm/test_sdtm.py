"""`mil62sched sdtm`: the SDTM trial-design datasets TA, TE, TV, TI and TS, as CSV and as CDISC
Dataset-JSON 1.1.

Every Dataset-JSON file is validated against the official Dataset-JSON 1.1 schema (copied, with
its MIT licence, into tests/reference/dataset-json/ from cdisc-org/DataExchange-DatasetJson),
and compared with CDISC's own example trial-design datasets kept beside it (the CDISC pilot
study). Expected rows are written by hand from the registry text (seeds/NCT05314010.txt):
study day of WnDm = 7(n-1)+m, so W1D1 = 1, W3D1 = 15, W25D1 = 169, W53D1 = 365, W209D1 = 1457.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from mil62sched import protocol
from mil62sched.errors import ProtocolError
from mil62sched.protocol.design import load_design
from mil62sched.sdtm import datasets
from mil62sched.sdtm.variables import Dataset
from tests.conftest import REFERENCE as SHARED_REFERENCE
from tests.conftest import ROOT, Run, error_line

REFERENCE = SHARED_REFERENCE / "dataset-json"
SEED = ROOT / "seeds" / "NCT05314010.txt"
NAMES = ("ta", "te", "tv", "ti", "ts")
RCP_ARMS = ("P3MIL62", "P3PBO")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder `mil62sched sdtm -o` wrote, once for the module."""
    from typer.testing import CliRunner

    from mil62sched.cli import app

    folder = tmp_path_factory.mktemp("sdtm") / "out"
    result = CliRunner().invoke(app, ["sdtm", "-o", str(folder)], prog_name="mil62sched")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return folder


def _document(folder: Path, name: str) -> dict[str, Any]:
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _records(folder: Path, name: str) -> list[dict[str, Any]]:
    """The rows of a Dataset-JSON file as {variable: value}."""
    document = _document(folder, name)
    names = [column["name"] for column in document["columns"]]
    return [dict(zip(names, row, strict=True)) for row in document["rows"]]


# --- the files ---------------------------------------------------------------------------------


def test_writes_the_five_datasets_as_csv_and_dataset_json(written: Path) -> None:
    expected = {f"{name}.{suffix}" for name in NAMES for suffix in ("csv", "json")}
    assert {path.name for path in written.iterdir()} == {*expected, "define.xml"}


@pytest.mark.parametrize("name", NAMES)
def test_every_dataset_json_file_validates_against_the_official_schema(
    written: Path, name: str
) -> None:
    import jsonschema

    schema = json.loads((REFERENCE / "dataset.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator(schema)
    errors = [error.message for error in validator.iter_errors(_document(written, name))]
    assert errors == []


def test_the_schema_check_can_fail() -> None:
    """The validator used above refuses a file without its required attributes."""
    import jsonschema

    schema = json.loads((REFERENCE / "dataset.schema.json").read_text(encoding="utf-8"))
    broken = {"datasetJSONVersion": "1.1.0", "name": "TA", "label": "Trial Arms", "columns": []}
    assert list(jsonschema.Draft201909Validator(schema).iter_errors(broken))


def test_the_schema_is_kept_with_its_licence() -> None:
    assert "MIT License" in (REFERENCE / "LICENSE").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_dataset_json_attributes(written: Path, name: str) -> None:
    document = _document(written, name)
    assert document["datasetJSONVersion"] == "1.1.0"
    assert document["itemGroupOID"] == f"IG.{name.upper()}"
    assert document["name"] == name.upper()
    assert document["studyOID"] == "MIL62-CT303"
    assert document["records"] == len(document["rows"]) > 0
    # conftest fixes SOURCE_DATE_EPOCH at 1767225600, which is 2026-01-01T00:00:00Z.
    assert document["datasetJSONCreationDateTime"] == "2026-01-01T00:00:00Z"
    for column in document["columns"]:
        assert column["itemOID"] == f"IT.{name.upper()}.{column['name']}"
    for row in document["rows"]:
        assert len(row) == len(document["columns"])
        for value, column in zip(row, document["columns"], strict=True):
            if column["dataType"] == "string":
                assert isinstance(value, str)
                assert 1 <= len(value) <= column["length"] <= 200 or value == ""
            else:
                assert value is None or isinstance(value, int)


@pytest.mark.parametrize("name", NAMES)
def test_csv_has_the_same_variables_and_values_as_the_json(written: Path, name: str) -> None:
    text = (written / f"{name}.csv").read_text(encoding="utf-8")
    lines = list(csv.reader(io.StringIO(text)))
    document = _document(written, name)
    assert lines[0] == [column["name"] for column in document["columns"]]
    as_text = [["" if value is None else str(value) for value in row] for row in document["rows"]]
    assert lines[1:] == as_text


# SDTMIG 3.4's variables and key order of each dataset, written out by hand.
VARIABLES = {
    "ta": "STUDYID DOMAIN ARMCD ARM TAETORD ETCD ELEMENT TABRANCH TATRANS EPOCH",
    "te": "STUDYID DOMAIN ETCD ELEMENT TESTRL TEENRL TEDUR",
    "tv": "STUDYID DOMAIN VISITNUM VISIT VISITDY ARMCD ARM TVSTRL TVENRL",
    # IESCAT: the criteria that differ by phase; no TIVERS, the registry states no version.
    "ti": "STUDYID DOMAIN IETESTCD IETEST IECAT IESCAT",
    "ts": "STUDYID DOMAIN TSSEQ TSGRPID TSPARMCD TSPARM TSVAL TSVALNF TSVALCD TSVCDREF TSVCDVER",
}
KEYS = {
    "ta": ["STUDYID", "ARMCD", "TAETORD"],
    "te": ["STUDYID", "ETCD"],
    "tv": ["STUDYID", "VISITNUM", "ARMCD"],
    "ti": ["STUDYID", "IETESTCD"],
    "ts": ["STUDYID", "TSPARMCD", "TSVAL", "TSSEQ"],
}


@pytest.mark.parametrize("name", NAMES)
def test_variables_and_keys_are_sdtmig_3_4s(written: Path, name: str) -> None:
    columns = _document(written, name)["columns"]
    assert [column["name"] for column in columns] == VARIABLES[name].split()
    keyed = sorted((c["keySequence"], c["name"]) for c in columns if "keySequence" in c)
    assert [variable for _, variable in keyed] == KEYS[name]


@pytest.mark.parametrize("name", NAMES)
def test_labels_and_types_are_those_of_cdiscs_own_examples(written: Path, name: str) -> None:
    """Every variable the CDISC pilot's dataset also has carries the same label and data type
    (but TIVERS, which TI leaves out without a protocol version); the one exception is TSVALNF,
    whose label SDTMIG 3.4 words differently from the pilot's."""
    example = {
        c["name"]: c for c in json.loads((REFERENCE / f"{name}.json").read_text())["columns"]
    }
    ours = {c["name"]: c for c in _document(written, name)["columns"]}
    example.pop("TIVERS") if name == "ti" else None  # MIL62-CT303 states no protocol version
    assert set(example) <= set(ours)
    for variable, column in example.items():
        label = "Parameter Value Null Flavor" if variable == "TSVALNF" else column["label"]
        assert (ours[variable]["label"], ours[variable]["dataType"]) == (
            label,
            column["dataType"],
        ), variable
    assert (
        _document(written, name)["label"]
        == json.loads((REFERENCE / f"{name}.json").read_text())["label"]
    )


# --- no participant data -----------------------------------------------------------------------

PARTICIPANT_VARIABLES = {"USUBJID", "SUBJID", "SITEID", "RFSTDTC", "RFXSTDTC", "ACTARMCD", "AGE"}


@pytest.mark.parametrize("name", NAMES)
def test_the_datasets_hold_no_participant_data(written: Path, name: str) -> None:
    """The trial design is public and subject-free: no subject variable, no participant ID."""
    columns = {column["name"] for column in _document(written, name)["columns"]}
    assert not columns & PARTICIPANT_VARIABLES
    text = (written / f"{name}.csv").read_text(encoding="utf-8")
    assert not re.search(r"CT303-\d{4}", text)  # a participant ID as the site writes them


def test_the_command_takes_no_participant_or_assignment(run: Run) -> None:
    help_text = run("sdtm", "--help").stdout
    for option in ("--participant", "--arm", "--start"):
        assert option not in help_text


# --- TV: the planned visits --------------------------------------------------------------------


def test_tv_planned_study_days_of_phase_1b(written: Path) -> None:
    days = {(r["VISIT"], r["ARMCD"]): r["VISITDY"] for r in _records(written, "tv")}
    for arm in ("P1B500", "P1B1000"):
        assert days[("Phase 1b W1D1", arm)] == 1
        assert days[("Phase 1b W3D1", arm)] == 15  # 7*2+1
        assert days[("Phase 1b W25D1", arm)] == 169  # 7*24+1
        assert days[("Phase 1b W27D1", arm)] == 183  # 7*26+1
        assert days[("Phase 1b W209D1", arm)] == 1457  # 7*208+1


def test_tv_rcp_visits_do_not_depend_on_the_arm(written: Path) -> None:
    """The blinded RCP visits are the same for MIL62 and placebo: their rows differ only in the
    arm (ARMCD, ARM), which SDTMIG 3.4 asks for on every row when some visits differ by arm
    (here the Phase 1b arms' visits)."""
    rows = [r for r in _records(written, "tv") if r["VISIT"].startswith("RCP ")]
    by_arm = {
        arm: [
            {k: v for k, v in r.items() if k not in ("ARMCD", "ARM")}
            for r in rows
            if r["ARMCD"] == arm
        ]
        for arm in RCP_ARMS
    }
    assert by_arm["P3MIL62"] == by_arm["P3PBO"]
    assert [(r["VISIT"], r["VISITDY"]) for r in by_arm["P3MIL62"]] == [
        ("RCP W1D1", 1),
        ("RCP W3D1", 15),
        ("RCP W25D1", 169),
        ("RCP W27D1", 183),
    ]
    assert {r["ARMCD"] for r in rows} == set(RCP_ARMS)


def test_tv_olp_visits_count_from_the_olp_entry(written: Path) -> None:
    """The OLP starts when a participant enters it (by default at RCP W53D1, study day 365):
    its visits have no fixed study day, and their rule counts from the OLP's W1D1."""
    olp = [
        r
        for r in _records(written, "tv")
        if r["VISIT"].startswith("OLP ") and r["ARMCD"] == "P3PBO"
    ]
    assert [r["VISIT"] for r in olp] == [
        "OLP W1D1", "OLP W3D1", "OLP W27D1", "OLP W53D1", "OLP W79D1", "OLP W105D1", "OLP W131D1",
    ]  # fmt: skip
    assert all(r["VISITDY"] is None for r in olp)
    assert "study day 365" in olp[0]["TVSTRL"]
    # Issue 19 #5: the rule says why there is no VISITDY.
    assert all(r["TVSTRL"].endswith("; no planned study day: the OLP starts on entry") for r in olp)
    assert olp[2]["TVSTRL"].startswith("182 days after")  # W27D1: day 183 of the OLP


def test_tv_visit_numbers_are_one_per_visit(written: Path) -> None:
    rows = _records(written, "tv")
    numbers = {r["VISIT"]: r["VISITNUM"] for r in rows}
    assert len(set(numbers.values())) == len(numbers) == 11 + 4 + 7
    assert [r["VISITNUM"] for r in rows] == sorted(r["VISITNUM"] for r in rows)


def _phase3_only(design: Any) -> Any:
    return design._replace(arms=tuple(a for a in design.arms if a.armcd in RCP_ARMS))


def test_tv_without_an_arm_when_every_arm_has_the_same_visits() -> None:
    """A design of the Phase 3 arms only: their visits are the same, so TV has one row per
    visit with ARMCD and ARM blank (SDTMIG 3.4 TV assumption 1)."""
    trial = protocol.load()
    tv = datasets(trial, _phase3_only(load_design(trial)))[2]
    assert [(row[3], row[5], row[6]) for row in tv.rows][:4] == [
        ("RCP W1D1", "", ""),
        ("RCP W3D1", "", ""),
        ("RCP W25D1", "", ""),
        ("RCP W27D1", "", ""),
    ]
    assert len(tv.rows) == 4 + 7
    assert {row[5] for row in tv.rows} == {""}


# --- TA and TE: arms and elements --------------------------------------------------------------


def test_ta_arms_and_their_elements(written: Path) -> None:
    paths: dict[str, list[tuple[int, str, str]]] = {}
    for r in _records(written, "ta"):
        paths.setdefault(r["ARMCD"], []).append((r["TAETORD"], r["ETCD"], r["EPOCH"]))
    assert paths == {
        "P1B500": [
            (1, "SCRN", "SCREENING"),
            (2, "P1B500", "OPEN LABEL TREATMENT"),
            (3, "P1B1000", "OPEN LABEL TREATMENT"),
        ],
        "P1B1000": [(1, "SCRN", "SCREENING"), (2, "P1B1000", "OPEN LABEL TREATMENT")],
        "P3MIL62": [
            (1, "SCRN", "SCREENING"),
            (2, "RCPMIL62", "BLINDED TREATMENT"),
            (3, "OLPFMIL", "OPEN LABEL TREATMENT"),
        ],
        "P3PBO": [
            (1, "SCRN", "SCREENING"),
            (2, "RCPPBO", "BLINDED TREATMENT"),
            (3, "OLPFPBO", "OPEN LABEL TREATMENT"),
        ],
    }


def test_ta_branch_at_the_end_of_screening_and_the_escalation_transition(written: Path) -> None:
    rows = {(r["ARMCD"], r["TAETORD"]): r for r in _records(written, "ta")}
    assert rows[("P3MIL62", 1)]["TABRANCH"] == "Randomised to MIL62 1000 mg"
    assert rows[("P3PBO", 1)]["TABRANCH"] == "Randomised to matching placebo"
    assert all(r["TABRANCH"] == "" for (_, order), r in rows.items() if order > 1)
    # The 500 mg arm's complete path ends in the 1000 mg element; not escalating shortens it.
    assert rows[("P1B500", 2)]["TATRANS"] == (
        "If not escalated to MIL62 1000 mg (W25D1 or a later infusion): the arm ends here"
    )
    assert [r["TATRANS"] for key, r in rows.items() if key != ("P1B500", 2)] == [""] * 10


def test_te_rules_and_durations(written: Path) -> None:
    rows = {r["ETCD"]: r for r in _records(written, "te")}
    assert set(rows) == {"SCRN", "P1B500", "P1B1000", "RCPMIL62", "RCPPBO", "OLPFMIL", "OLPFPBO"}
    # The registry gives no screening length: no planned duration, an end rule instead.
    assert rows["SCRN"]["TEDUR"] == ""
    # The RCP ends when the participant enters the OLP (an event; by default at RCP W53D1,
    # study day 365): an end rule, so no planned duration (issue 19 #5: TEDUR P52W contradicted
    # the event-driven rule; SDTMIG 3.4 uses TEDUR when the element ends after a fixed time).
    for code in ("RCPMIL62", "RCPPBO"):
        assert rows[code]["TEDUR"] == ""
        assert rows[code]["TEENRL"].startswith("Entry into the OLP period")
        assert "RCP W53D1, study day 365" in rows[code]["TEENRL"]
    assert "W209D1, study day 1457" in rows["P1B1000"]["TEENRL"]
    assert "W131D1, study day 911" in rows["OLPFPBO"]["TEENRL"]  # 7*130+1
    assert rows["OLPFMIL"]["TESTRL"].endswith("; matching placebo at W3D1")
    assert rows["RCPPBO"]["TESTRL"] == (
        "First infusion in the RCP period (W1D1), where the infusion is matching placebo"
    )
    for row in rows.values():
        assert row["TESTRL"]
        assert row["TEENRL"] or row["TEDUR"]


# --- TI: the registry's criteria, in full (issue 19 #4) ------------------------------------------


def _seed_criteria(heading: str, end: str) -> list[str]:
    """The numbered criteria under `heading` in the registry text, without its Markdown escapes."""
    text = SEED.read_text(encoding="utf-8")
    block = text.split(f"{heading}\n\n", 1)[1].split(end, 1)[0]
    found = re.findall(r"^\d+\. (.*)$", block, re.MULTILINE)
    return [re.sub(r"\\([<>\[\]])", r"\1", line) for line in found]


SEED_CRITERIA = {
    "INCLUSION": _seed_criteria("Inclusion Criteria", "Exclusion Criteria"),
    "EXCLUSION": _seed_criteria("Exclusion Criteria", "Minimum Eligible Age"),
}
# The registry's criteria that differ by phase (INCL04 and EXCL03: "Phase Ib: ... Phase III: ..."),
# found by hand; each becomes one row per phase, told apart by IESCAT.
BY_PHASE = {
    "INCL04A": "PHASE IB",
    "INCL04B": "PHASE III",
    "EXCL03A": "PHASE IB",
    "EXCL03B": "PHASE III",
}


def test_ti_has_every_criterion_of_the_registry_one_row_per_phase(written: Path) -> None:
    rows = _records(written, "ti")
    assert (len(SEED_CRITERIA["INCLUSION"]), len(SEED_CRITERIA["EXCLUSION"])) == (7, 5)
    assert [r["IETESTCD"] for r in rows] == [
        "INCL01", "INCL02", "INCL03", "INCL04A", "INCL04B", "INCL05", "INCL06", "INCL07",
        "EXCL01", "EXCL02", "EXCL03A", "EXCL03B", "EXCL04", "EXCL05",
    ]  # fmt: skip
    assert {r["IETESTCD"]: r["IESCAT"] for r in rows if r["IESCAT"]} == BY_PHASE
    assert all(r["IECAT"] == ("INCLUSION" if r["IETESTCD"][:4] == "INCL" else "EXCLUSION")
               for r in rows)  # fmt: skip


def test_ti_ietest_is_never_cut(written: Path) -> None:
    """SDTMIG 3.4 TI: a meaningful IETEST within 200 characters, the full text in the metadata.
    A criterion of at most 200 characters is IETEST word for word; a longer one has the short
    text the protocol file gives for it, never its first 200 characters and "..."."""
    trial = protocol.load()
    full = {c.ietestcd: c for c in load_design(trial).criteria}
    for row in _records(written, "ti"):
        criterion = full[row["IETESTCD"]]
        assert len(row["IETEST"]) <= 200
        assert not row["IETEST"].endswith("...")
        if len(criterion.text) <= 200:
            assert row["IETEST"] == criterion.text
        else:
            assert row["IETEST"] == criterion.short != criterion.text[:200]
    # INCL04's Phase III condition is in TI, not lost after a cut.
    phase3 = next(r["IETEST"] for r in _records(written, "ti") if r["IETESTCD"] == "INCL04B")
    assert "1 year" in phase3
    assert "2 years" in phase3


def test_the_protocol_file_keeps_each_criterion_word_for_word() -> None:
    """The parts of a criterion that differs by phase, joined, are the registry's criterion."""
    criteria = load_design(protocol.load()).criteria
    for category, seed in SEED_CRITERIA.items():
        texts: dict[int, list[str]] = {}
        for c in criteria:
            if c.category.upper() == category:
                texts.setdefault(c.number, []).append(c.text)
        assert [" ".join(parts) for _, parts in sorted(texts.items())] == seed
    texts_by_code = {c.ietestcd: c.text for c in criteria}
    assert texts_by_code["INCL02"] == (
        "Male or female patients aged 18 to 70 years, inclusive of the endpoints.."
    )
    assert "< 200 cells/μL" in texts_by_code["EXCL01"]  # the registry page writes "\\< 200"
    assert texts_by_code["INCL04B"].startswith("Phase III: At least 1 attack")


def _with_criterion(tmp_path: Path, text: str, short: str | None = None) -> Path:
    old = 'text = "Male or female patients aged 18 to 70 years, inclusive of the endpoints.."'
    body = protocol.BUILTIN.read_text(encoding="utf-8")
    assert body.count(old) == 1
    new = f"text = {json.dumps(text, ensure_ascii=False)}"
    if short is not None:
        new += f"\nshort = {json.dumps(short, ensure_ascii=False)}"
    path = tmp_path / "trial.toml"
    path.write_text(body.replace(old, new), encoding="utf-8")
    return path


# Issue 15 #6 cut a Chinese criterion after a clause; issue 19 #4: nothing is cut any more.
CLAUSES = "甲" * 120 + "；" + "乙" * 50 + "，" + "丙" * 100 + "。"


def test_a_long_criterion_without_a_short_text_is_refused_naming_it(tmp_path: Path) -> None:
    path = _with_criterion(tmp_path, CLAUSES)
    with pytest.raises(ProtocolError) as caught:
        load_design(protocol.load(path), path)
    assert str(caught.value).endswith(
        "design.criteria: inclusion 2 is 273 characters, more than the 200 of IETEST: give its "
        "short, a meaningful text of at most 200 characters (the full text goes to define.xml)"
    )


def test_a_long_criterion_gives_its_short_text_to_ietest(run: Run, tmp_path: Path) -> None:
    path = _with_criterion(tmp_path, CLAUSES, short="甲乙丙")
    out = tmp_path / "out"
    result = run("sdtm", "--protocol", str(path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    shown = {r["IETESTCD"]: r["IETEST"] for r in _records(out, "ti")}
    assert shown["INCL02"] == "甲乙丙"


def test_a_short_text_longer_than_ietest_is_refused(tmp_path: Path) -> None:
    path = _with_criterion(tmp_path, CLAUSES, short="x" * 201)
    with pytest.raises(ProtocolError, match=r"short.* is too long"):
        load_design(protocol.load(path), path)


def test_tivers_is_the_protocol_version(run: Run, tmp_path: Path) -> None:
    """TIVERS is the sponsor's protocol version ([protocol] version), not a registry date. The
    registry record states none for MIL62-CT303, so the built-in file has none and TI leaves
    TIVERS out, as SDTMIG 3.4 allows when there is only one version of the criteria."""
    assert "TIVERS" not in [
        c["name"] for c in _document(_written_folder(run, tmp_path), "ti")["columns"]
    ]
    text = protocol.BUILTIN.read_text(encoding="utf-8").replace(
        'id = "MIL62-CT303"\n', 'id = "MIL62-CT303"\nversion = "3.0"\n', 1
    )
    path = tmp_path / "trial.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "versioned"
    assert run("sdtm", "--protocol", str(path), "-o", str(out)).exit_code == 0
    rows = _records(out, "ti")
    assert {r["TIVERS"] for r in rows} == {"3.0"}
    keyed = sorted(
        (c["keySequence"], c["name"]) for c in _document(out, "ti")["columns"] if "keySequence" in c
    )
    assert [name for _, name in keyed] == ["STUDYID", "IETESTCD", "TIVERS"]


def _written_folder(run: Run, tmp_path: Path) -> Path:
    out = tmp_path / "builtin"
    assert run("sdtm", "-o", str(out)).exit_code == 0
    return out


# --- TS: the trial summary ---------------------------------------------------------------------


def test_ts_parameters_the_registry_states(written: Path) -> None:
    values: dict[str, list[str]] = {}
    for r in _records(written, "ts"):
        values.setdefault(r["TSPARMCD"], []).append(r["TSVAL"])
    assert values["PLANSUB"] == ["102"]
    assert values["AGEMIN"] == ["P18Y"]
    assert values["AGEMAX"] == ["P70Y"]
    assert values["SSTDTC"] == ["2022-08-18"]
    assert values["REGID"] == ["NCT05314010"]
    assert values["SPONSOR"] == ["Beijing Mabworks Biotech Co., Ltd."]
    assert values["TITLE"] == [
        "A Study of MIL62 in Patients With Neuromyelitis Optica Spectrum Disorder (NMOSD)"
    ]
    assert values["SEXPOP"] == ["BOTH"]
    assert values["RANDOM"] == ["Y"]
    assert values["INTMODEL"] == ["PARALLEL"]
    assert values["STYPE"] == ["INTERVENTIONAL"]
    assert values["TTYPE"] == ["SAFETY", "EFFICACY"]
    assert values["INDIC"] == ["Neuromyelitis Optica Spectrum Disorder"]
    assert values["TRT"] == ["MIL62"]
    assert values["TCNTRL"] == ["PLACEBO"]
    assert values["NARMS"] == ["4"]
    assert values["SDTIGVER"] == ["3.4"]
    assert values["PDSTIND"] == ["N"]  # "Minimum Eligible Age: 18 Years": not a pediatric study


# Issue 19 #1, a reviewer's checklist written out by hand: the trial summary parameters SDTMIG
# 3.3's Appendix C1 and the FDA's Study Data Technical Conformance Guide expect (SDTMIG 3.4
# moved the list to CDISC's TS codetable). Each is present, with a value or a null flavour.
_CHECKLIST = """
    ACTSUB ADAPT ADDON AGEMAX AGEMIN COMPTRT CURTRT DCUTDESC DCUTDTC DOSE DOSFRM DOSFRQ DOSU
    EXTTIND FCNTRY HLTSUBJI INDIC INTMODEL INTTYPE LENGTH NARMS OBJPRIM OBJSEC OUTMSPRI OUTMSSEC
    PCLAS PDSTIND PIPIND PLANSUB RANDOM RANDQT REGID ROUTE SDTIGVER SDTMVER SENDTC SEXPOP SPONSOR
    SSTDTC STOPRULE STRATFCT STYPE TBLIND TCNTRL TDIGRP THERAREA TINDTP TITLE TPHASE TRT TTYPE
"""
CHECKLIST = tuple(_CHECKLIST.split())
NULL_FLAVORS = {"NI", "INV", "DER", "OTH", "PINF", "NINF", "UNC", "MSK", "NA", "UNK", "ASKU",
                "NAV", "NASK", "QS", "TRC", "NP"}  # fmt: skip  # ISO 21090 NullFlavor


def _ts_checklist(rows: list[dict[str, Any]]) -> None:
    present = {r["TSPARMCD"] for r in rows}
    assert set(CHECKLIST) <= present, sorted(set(CHECKLIST) - present)
    for r in rows:
        # A value, or a null flavour and nothing else (SDTMIG 3.4 TS assumption 10).
        assert bool(r["TSVAL"]) != bool(r["TSVALNF"]), r
        assert r["TSVALNF"] in NULL_FLAVORS | {""}
        if r["TSVALNF"]:
            assert r["TSVALCD"] == r["TSVCDREF"] == r["TSVCDVER"] == ""


def test_ts_has_every_parameter_of_the_checklist(written: Path) -> None:
    _ts_checklist(_records(written, "ts"))


def test_ts_null_flavours_what_the_registry_does_not_state(written: Path) -> None:
    flavour = {r["TSPARMCD"]: r["TSVALNF"] for r in _records(written, "ts") if r["TSVALNF"]}
    assert flavour["SENDTC"] == "NAV"  # ACTIVE_NOT_RECRUITING: the end is still to come
    assert flavour["DOSFRQ"] == "OTH"  # W1D1, W3D1, W25D1, W27D1, then every 26 weeks
    assert flavour["OUTMSPRI"] == "UNK"  # every trial has one; the registry copy gives none
    assert flavour["STOPRULE"] == "NI"  # nothing stated: the default


# Codes checked by hand in NCI EVS's SDTM Terminology.txt of CDISC CT 2025-03-28 (the file the
# shipped table was made from): Trial Phase Response, Route of Administration, Unit, No Yes.
HAND_CHECKED = {
    ("TPHASE", "PHASE III TRIAL"): "C15602",
    ("ROUTE", "INTRAVENOUS"): "C38276",
    ("DOSU", "mg"): "C28253",
    ("RANDOM", "Y"): "C49488",
    ("HLTSUBJI", "N"): "C49487",
    ("PDSTIND", "N"): "C49487",
}


def test_ts_coded_values_carry_their_code_and_the_tables_version(written: Path) -> None:
    """Issue 19 #2: every value of a coded parameter has its code from the shipped table, CDISC
    CT and the table's package date (not the pilot's 2020-03-27)."""
    from mil62sched.sdtm.terminology import terminology

    table = terminology()
    assert table.package == "2025-03-28"
    rows = _records(written, "ts")
    coded = [r for r in rows if r["TSVAL"] and table.parameter_codelist(r["TSPARMCD"])]
    assert {r["TSPARMCD"] for r in coded} >= {"TPHASE", "ROUTE", "SEXPOP", "TBLIND", "DOSU"}
    for r in coded:
        assert r["TSVALCD"] == table.code(r["TSPARMCD"], r["TSVAL"]), r
        assert (r["TSVCDREF"], r["TSVCDVER"]) == ("CDISC CT", "2025-03-28"), r
    found = {(r["TSPARMCD"], r["TSVAL"]): r["TSVALCD"] for r in rows}
    assert {key: found[key] for key in HAND_CHECKED} == HAND_CHECKED
    assert "2020-03-27" not in {r["TSVCDVER"] for r in rows}


def test_the_shipped_terminology_names_its_source_and_agrees_with_tsparm() -> None:
    import tomllib

    from mil62sched.model.design import PARAMETER_NAMES
    from mil62sched.sdtm.terminology import TABLE, terminology

    source = tomllib.loads(TABLE.read_text(encoding="utf-8"))["source"]
    assert "NCI EVS" in source["name"]
    assert source["package"] == "2025-03-28"
    assert source["obtained"]
    names = {t.value: t.decode for t in terminology().codelists["TSPARMCD"].terms}
    assert set(CHECKLIST) <= set(names)
    assert {code: PARAMETER_NAMES[code] for code in names} == names


def test_values_without_a_code_are_named_in_a_note(run: Run, tmp_path: Path) -> None:
    """INDIC and TDIGRP would take SNOMED CT codes and TRT and COMPTRT UNIIs, none of them in the
    shipped table: TSVALCD stays empty and the command says which, and why."""
    result = run("sdtm", "-o", str(tmp_path / "out"))
    rows = {r["TSPARMCD"]: r for r in _records(tmp_path / "out", "ts")}
    for parameter in ("INDIC", "TDIGRP", "TRT", "COMPTRT"):
        assert rows[parameter]["TSVALCD"] == ""
    note = next(line for line in result.stderr.splitlines() if "TSVALCD" in line)
    assert note == (
        "mil62sched: note: TS values without a code (TSVALCD empty), the shipped table holding "
        "CDISC CT 2025-03-28 only: COMPTRT 'Placebo' and TRT 'MIL62' (no UNII), INDIC "
        "'Neuromyelitis Optica Spectrum Disorder' and TDIGRP 'Neuromyelitis Optica Spectrum "
        "Disorder, seropositive for AQP4-IgG' (no SNOMED CT code)"
    )


def test_ts_doses_belong_to_their_arms(written: Path) -> None:
    """Issue 19 #3: each DOSE is grouped (TSGRPID) with the arm that gives it, as the CDISC
    pilot groups its doses: 500 mg and, after an escalation, 1000 mg in P1B500; 1000 mg in
    P1B1000; in P3MIL62 1000 mg and the OLP's placebo at W3D1; in P3PBO placebo, then 1000 mg."""
    doses = [(r["TSGRPID"], r["TSVAL"]) for r in _records(written, "ts") if r["TSPARMCD"] == "DOSE"]
    assert doses == [
        ("P1B500", "500"), ("P1B500", "1000"), ("P1B1000", "1000"),
        ("P3MIL62", "1000"), ("P3MIL62", "0"), ("P3PBO", "0"), ("P3PBO", "1000"),
    ]  # fmt: skip


def test_a_ts_value_longer_than_200_characters_goes_on_in_tsval1(tmp_path: Path) -> None:
    """SDTMIG 3.4 TS assumption 4: a longer TSVAL goes on in TSVAL1 ... TSVALn, split between
    words; nothing is cut and nothing refused."""
    title = "A Study " + "of MIL62 " * 40 + "in NMOSD"
    old = "A Study of MIL62 in Patients With Neuromyelitis Optica Spectrum Disorder (NMOSD)"
    text = protocol.BUILTIN.read_text(encoding="utf-8").replace(old, title, 1)
    path = tmp_path / "trial.toml"
    path.write_text(text, encoding="utf-8")
    trial = protocol.load(path)
    ts = datasets(trial, load_design(trial, path))[4]
    names = [v.name for v in ts.variables]
    assert names[names.index("TSVAL") : names.index("TSVAL") + 3] == ["TSVAL", "TSVAL1", "TSVALNF"]
    row = next(dict(zip(names, r, strict=True)) for r in ts.rows if r[4] == "TITLE")
    assert len(str(row["TSVAL"])) <= 200
    assert f"{row['TSVAL']} {row['TSVAL1']}" == title
    assert all(r[names.index("TSVAL1")] == "" for r in ts.rows if r[4] != "TITLE")


def test_ts_sequence_numbers_and_names(written: Path) -> None:
    rows = _records(written, "ts")
    assert [(r["TSSEQ"], r["TSVAL"]) for r in rows if r["TSPARMCD"] == "TTYPE"] == [
        (1, "SAFETY"),
        (2, "EFFICACY"),
    ]
    assert all(len(r["TSPARM"]) <= 40 and len(r["TSPARMCD"]) <= 8 for r in rows)
    age = next(r for r in rows if r["TSPARMCD"] == "AGEMIN")
    assert (age["TSPARM"], age["TSVCDREF"]) == ("Planned Minimum Age of Subjects", "ISO 8601")


# --- issue 15 #16: one rule for every CSV the tool writes ----------------------------------------

# Text a spreadsheet would run as a formula, in each free-text field a protocol file gives SDTM.
FORMULAS = [
    ('sponsor = "Beijing Mabworks Biotech Co., Ltd."',
     """sponsor = '=HYPERLINK("http://example.com/x","Beijing Mabworks")'"""),
    ('title = "A Study of MIL62', 'title = "+A Study of MIL62'),
    ('element = "Screening"', 'element = "@Screening"'),
    ('start = "Informed consent signed"', 'start = "-Informed consent signed"'),
    ('description = "Phase 1b MIL62 1000 mg"', 'description = "=1+1 Phase 1b MIL62 1000 mg"'),
]  # fmt: skip


def _spreadsheet_text(value: object) -> str:
    """A Dataset-JSON value as the CSV must hold it, by the plan CSV's rule written out again
    here: a text starting with =, +, -, @, tab or carriage return gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return str(value)


def test_formula_text_from_a_protocol_file_is_neutralised_in_the_sdtm_csv(
    run: Run, tmp_path: Path
) -> None:
    text = protocol.BUILTIN.read_text(encoding="utf-8")
    for old, new in FORMULAS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "trial.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run("sdtm", "--protocol", str(path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    formulas = 0
    for name in NAMES:
        lines = list(csv.reader(io.StringIO((out / f"{name}.csv").read_text(encoding="utf-8"))))
        rows = _document(out, name)["rows"]
        assert lines[1:] == [[_spreadsheet_text(value) for value in row] for row in rows], name
        formulas += sum(_spreadsheet_text(v) != str(v) for row in rows for v in row if v)
        # No cell of the CSV starts as a formula (a number such as -28 is not text).
        assert not [c for line in lines for c in line if c.startswith(("=", "+", "@", "-I"))]
    # SPONSOR and TITLE in TS; the screening element in TA and TE (ELEMENT) and its start rule
    # (TE); the arm description in TA (4 elements of P1B1000) and TV (one per visit).
    assert formulas >= 8
    ts = {r["TSPARMCD"]: r["TSVAL"] for r in _records(out, "ts")}
    assert ts["SPONSOR"] == '=HYPERLINK("http://example.com/x","Beijing Mabworks")'  # JSON: as is
    assert """'=HYPERLINK(""http://example.com/x"",""Beijing Mabworks"")'""" not in (
        out / "ts.csv"
    ).read_text(encoding="utf-8")  # quoted once by csv, not twice
    assert "'=HYPERLINK(" in (out / "ts.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("value", ["\t=1+1", "\r=1+1", "-2+3", "@SUM(A1)", "+1", "=1"])
def test_dataset_csv_neutralises_every_formula_start_and_leaves_numbers(value: str) -> None:
    from mil62sched.sdtm import dataset_csv
    from mil62sched.sdtm.variables import Variable

    dataset = Dataset(
        "XX", "X", (Variable("A", "A"), Variable("N", "N", "integer")), ((value, -28), ("a", 1))
    )
    assert dataset_csv(dataset) == f"A,N\n'{value},-28\na,1\n"


# --- the command -------------------------------------------------------------------------------


def test_existing_files_are_refused_and_kept(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "tv.csv").write_text("mine\n", encoding="utf-8")
    line = error_line(run("sdtm", "-o", str(folder)), code=1)
    assert (
        line == f"1 file(s) exist in {str(folder)!r}, e.g. 'tv.csv': use --force to overwrite them"
    )
    assert [p.name for p in folder.iterdir()] == ["tv.csv"]  # nothing written, none changed
    assert (folder / "tv.csv").read_text(encoding="utf-8") == "mine\n"
    assert run("sdtm", "-o", str(folder), "--force").exit_code == 0
    assert (folder / "tv.csv").read_text(encoding="utf-8").startswith("STUDYID,DOMAIN,VISITNUM")


def test_output_that_is_a_file_is_refused(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("", encoding="utf-8")
    assert "is a file" in error_line(run("sdtm", "-o", str(target)), code=1)


def test_output_to_standard_output_is_refused(run: Run) -> None:
    assert error_line(run("sdtm", "-o", "-"), code=1) == (
        "-o - (standard output) cannot take eleven files: give a folder"
    )


def test_an_empty_output_folder_is_refused(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 15 #18: -o "" wrote the ten files into the current folder.
    monkeypatch.chdir(tmp_path)
    assert error_line(run("sdtm", "-o", "")) == (
        "--output '' is an empty path: give a folder (. for the current one)"
    )
    assert list(tmp_path.iterdir()) == []


def test_output_is_required(run: Run) -> None:
    result = run("sdtm")
    assert result.exit_code == 2
    assert "--output" in result.stderr


def test_a_protocol_file_without_a_design_gets_one_from_its_schedules(
    run: Run, tmp_path: Path
) -> None:
    """Any protocol file gives its datasets: without [design], the arms are its open-label and
    unblinded arms that are not a period of a journey, coded by their names."""
    import jsonschema

    text = protocol.BUILTIN.read_text(encoding="utf-8").split("\n[design]\n")[0]
    path = tmp_path / "trial.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run("sdtm", "--protocol", str(path), "-o", str(out))
    assert result.exit_code == 0
    assert result.stderr == (
        f"mil62sched: note: protocol {path} has no [design] table: arm and element codes are made "
        "from the schedules (ARMCD from the arm's name, ETCD E01, E02 ...), TI has no criteria "
        "and TS holds what [protocol] states; a [design] table gives them (README: Trial-design "
        "datasets)\n"
    )
    schema = json.loads((REFERENCE / "dataset.schema.json").read_text(encoding="utf-8"))
    for name in NAMES:
        jsonschema.validate(_document(out, name), schema, cls=jsonschema.Draft201909Validator)
    paths: dict[str, list[str]] = {}
    for r in _records(out, "ta"):
        paths.setdefault(r["ARMCD"], []).append(r["EPOCH"])
    assert paths == {
        "PHASE1B-500": ["OPEN LABEL TREATMENT PHASE 1B", "OPEN LABEL TREATMENT PHASE 1B"],
        "PHASE1B-1000": ["OPEN LABEL TREATMENT PHASE 1B"],
        "PHASE3-MIL62": ["BLINDED TREATMENT", "OPEN LABEL TREATMENT OLP"],
        "PHASE3-PLACEBO": ["BLINDED TREATMENT", "OPEN LABEL TREATMENT OLP"],
    }
    assert _records(out, "ti") == []
    assert _document(out, "ti")["records"] == 0
    ts = _records(out, "ts")
    _ts_checklist(ts)  # every expected parameter: those [protocol] states, the rest NI
    assert {r["TSPARMCD"] for r in ts if r["TSVAL"]} == {
        "TITLE", "REGID", "SPONSOR", "SSTDTC", "NARMS", "SDTIGVER", "SDTMVER", "DOSE", "DOSU",
    }  # fmt: skip
    assert {r["TSVALNF"] for r in ts if not r["TSVAL"]} == {"NI"}
    days = [(r["VISIT"], r["VISITDY"]) for r in _records(out, "tv") if r["ARMCD"] == "PHASE3-MIL62"]
    assert days[:4] == [("RCP W1D1", 1), ("RCP W3D1", 15), ("RCP W25D1", 169), ("RCP W27D1", 183)]


def test_a_protocol_file_gives_its_own_design(run: Run, tmp_path: Path) -> None:
    text = protocol.BUILTIN.read_text(encoding="utf-8").replace('armcd = "P3PBO"', 'armcd = "PBO"')
    path = tmp_path / "trial.toml"
    path.write_text(text, encoding="utf-8")
    assert run("sdtm", "--protocol", str(path), "-o", str(tmp_path / "out")).exit_code == 0
    assert {r["ARMCD"] for r in _records(tmp_path / "out", "ta")} == {
        "P1B500", "P1B1000", "P3MIL62", "PBO",
    }  # fmt: skip


BROKEN = [
    # A protocol file that is not valid is refused as `protocol validate` words it (issue 15 #2):
    # the schema's words where it says what is wrong.
    (
        'armcd = "P3PBO"', 'armcd = "P3-PLACEBO-ARM-TOO-LONG"',
        "ARM-TOO-LONG' is too long: at most 20 characters",
    ),
    ('arm = "phase3-placebo"', 'arm = "phase3-plaecbo"', "unknown arm 'phase3-plaecbo'"),
    ('arm = "phase3-placebo"', 'arm = "phase3"', "design arm 'phase3' is blinded"),
    ('etcd = "RCPPBO"', 'etcd = "RCPPLACEBO"', "etcd: 'RCPPLACEBO' is too long: at most 8"),
    ('etcd = "RCPPBO"', 'etcd = "SCRN"', "an element code (etcd) is used twice"),
    ('RCP = "BLINDED TREATMENT"\n', "", "no epoch for period 'RCP'"),
    ('number = 7\n', "number = 8\n", "the inclusion criteria are numbered 1, 2, ..."),
    (
        'parameter = "PLANSUB"', 'parameter = "PLAN SUB"',
        "parameter: 'PLAN SUB' is not a TSPARMCD: use A-Z and 0-9, at most 8",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), BROKEN, ids=[b[2][:30] for b in BROKEN])
def test_a_broken_design_is_refused_naming_the_problem(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = protocol.BUILTIN.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "trial.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ProtocolError) as caught:
        load_design(protocol.load(path), path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"invalid protocol {path} line ")


def test_datasets_are_pure_and_repeatable() -> None:
    trial = protocol.load()
    design = load_design(trial)
    first: tuple[Dataset, ...] = datasets(trial, design)
    assert datasets(trial, design) == first
    assert [d.name for d in first] == ["TA", "TE", "TV", "TI", "TS"]


@pytest.mark.parametrize(
    ("armcd", "arm"),
    [("P1B500", "phase1b-500"), ("P1B1000", "phase1b-1000"), ("P3MIL62", "phase3-mil62")],
)
def test_tv_lists_the_visits_the_engine_plans(written: Path, armcd: str, arm: str) -> None:
    """TV and a participant's plan agree: the same visits in the same order, and the planned
    study day of each visit of the first period; an OLP visit's day is the engine's own OLP
    count, and the OLP's default entry is the day TV's rule names."""
    from datetime import date

    from mil62sched import engine

    start = date(2024, 1, 1)
    planned = engine.plan(protocol.load(), arm, start).visits
    rows = [r for r in _records(written, "tv") if r["ARMCD"] == armcd]
    assert [r["VISIT"] for r in rows] == [f"{v.period} {v.code}" for v in planned]
    first_period = planned[0].period
    for row, visit in zip(rows, planned, strict=True):
        if visit.period == first_period:
            assert row["VISITDY"] == visit.study_day == (visit.date - start).days + 1
        else:
            assert row["VISITDY"] is None
            assert row["TVSTRL"].startswith(
                "Entry into" if visit.study_day == 1 else f"{visit.study_day - 1} days after"
            )
    olp = [v for v in planned if v.period == "OLP"]
    if olp:
        entry = (olp[0].date - start).days + 1
        assert entry == 365
        assert f"study day {entry})" in rows[len(planned) - len(olp)]["TVSTRL"]


def test_a_missing_protocol_file_is_one_line(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    line = error_line(run("sdtm", "--protocol", str(missing), "-o", str(tmp_path / "out")), code=1)
    assert line.startswith(f"cannot read protocol {missing}: ")
    assert not (tmp_path / "out").exists()


def test_a_summary_entry_replaces_the_derived_value(tmp_path: Path) -> None:
    text = protocol.BUILTIN.read_text(encoding="utf-8")
    text += '\n[[design.summary]]\nparameter = "NARMS"\nvalue = "2"\n'
    text += (
        '\n[[design.summary]]\nparameter = "XPARM"\nname = "A parameter of our own"\nvalue = "x"\n'
    )
    path = tmp_path / "trial.toml"
    path.write_text(text, encoding="utf-8")
    trial = protocol.load(path)
    rows = datasets(trial, load_design(trial, path))[4].rows
    assert [row[6] for row in rows if row[4] == "NARMS"] == ["2"]
    assert [(row[5], row[6]) for row in rows if row[4] == "XPARM"] == [
        ("A parameter of our own", "x")
    ]


def test_an_unknown_summary_parameter_needs_its_name(tmp_path: Path) -> None:
    text = protocol.BUILTIN.read_text(encoding="utf-8")
    path = tmp_path / "trial.toml"
    path.write_text(text + '\n[[design.summary]]\nparameter = "XPARM"\nvalue = "x"\n', "utf-8")
    with pytest.raises(ProtocolError, match="XPARM: not a parameter the tool knows: give its name"):
        load_design(protocol.load(path), path)


def test_ta_and_te_name_the_same_elements_and_tv_the_same_arms(written: Path) -> None:
    """The datasets agree with each other: every element of an arm is defined in TE (with the
    same description), every TE element is used, and TV's arms are TA's."""
    ta = _records(written, "ta")
    te = {r["ETCD"]: r["ELEMENT"] for r in _records(written, "te")}
    assert {(r["ETCD"], r["ELEMENT"]) for r in ta} == set(te.items())
    arms = {(r["ARMCD"], r["ARM"]) for r in ta}
    assert {(r["ARMCD"], r["ARM"]) for r in _records(written, "tv")} == arms
    narms = [r["TSVAL"] for r in _records(written, "ts") if r["TSPARMCD"] == "NARMS"]
    assert narms == [str(len(arms))]


# --- protocol validate checks the [design] table ---------------------------------------------


def _validate(run: Run, tmp_path: Path, old: str, new: str) -> list[str]:
    text = protocol.BUILTIN.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "trial.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run("protocol", "validate", str(path))
    assert result.exit_code == 1
    return [line.replace(str(path), "trial.toml") for line in result.stderr.splitlines()]


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(needle))


def test_validate_reports_a_design_key_the_schema_refuses_with_its_line(
    run: Run, tmp_path: Path
) -> None:
    text = protocol.BUILTIN.read_text(encoding="utf-8")
    line = _line_of(text, 'armcd = "P3PBO"')
    lines = _validate(run, tmp_path, 'armcd = "P3PBO"', 'armcd = "P3-PLACEBO-ARM-TOO-LONG"')
    assert lines[0].startswith(f"mil62sched: error: trial.toml line {line}: design.arms[3].armcd: ")
    assert lines[-1] == "mil62sched: error: trial.toml: 1 problem; not valid"


def test_validate_reports_a_design_that_names_an_unknown_arm(run: Run, tmp_path: Path) -> None:
    text = protocol.BUILTIN.read_text(encoding="utf-8")
    line = _line_of(text, "[design]")
    lines = _validate(run, tmp_path, 'arm = "phase3-placebo"', 'arm = "phase3-plaecbo"')
    assert lines[0].startswith(
        f"mil62sched: error: trial.toml line {line}: design: design.arms: unknown arm "
        "'phase3-plaecbo': did you mean 'phase3-placebo'?"
    )


def test_validate_passes_the_built_in_file_with_its_design(run: Run) -> None:
    result = run("protocol", "validate", str(protocol.BUILTIN))
    assert result.exit_code == 0
    assert result.stdout.endswith(": valid, 11 arms, 55 visits\n")


# --- the example protocol files --------------------------------------------------------------

EXAMPLES = sorted((ROOT / "examples" / "protocols").glob("*.toml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_protocol_gives_valid_datasets(run: Run, tmp_path: Path, path: Path) -> None:
    import jsonschema

    out = tmp_path / "out"
    assert run("sdtm", "--protocol", str(path), "-o", str(out)).exit_code == 0
    schema = json.loads((REFERENCE / "dataset.schema.json").read_text(encoding="utf-8"))
    for name in NAMES:
        jsonschema.validate(_document(out, name), schema, cls=jsonschema.Draft201909Validator)


def test_sakurastar_blinded_visits_are_one_schedule_for_both_arms(run: Run, tmp_path: Path) -> None:
    """SAkuraStar's double-blind visits are the same for satralizumab and placebo, and its arms
    have no other visits: TV has one row per visit, without an arm (SDTMIG 3.4). Days by hand:
    week 0 is D1, week 2 D15, week 4 D29, then every 28 days (D57, D85); screening is D-28."""
    path = ROOT / "examples" / "protocols" / "satralizumab-sakurastar.toml"
    out = tmp_path / "out"
    assert run("sdtm", "--protocol", str(path), "-o", str(out)).exit_code == 0
    rows = _records(out, "tv")
    assert {r["ARMCD"] for r in rows} == {""}
    assert [(r["VISIT"], r["VISITDY"]) for r in rows[:6]] == [
        ("DB D-28", -28), ("DB D1", 1), ("DB D15", 15), ("DB D29", 29), ("DB D57", 57),
        ("DB D85", 85),
    ]  # fmt: skip
    assert rows[0]["TVSTRL"].startswith("28 days before the first infusion of the DB period")
    assert len({r["ARMCD"] for r in _records(out, "ta")}) == 2


def test_a_rule_longer_than_200_characters_is_refused_not_cut(tmp_path: Path) -> None:
    text = protocol.BUILTIN.read_text(encoding="utf-8").replace(
        'label = "MIL62 1000 mg"', f'label = "MIL62 1000 mg {"x" * 150}"', 1
    )
    path = tmp_path / "trial.toml"
    path.write_text(text, encoding="utf-8")
    trial = protocol.load(path)
    with pytest.raises(ProtocolError, match=r"^TA TATRANS would be 2\d\d characters, more than"):
        datasets(trial, load_design(trial, path))


def test_an_element_end_names_the_visits_after_its_last_infusion(run: Run, tmp_path: Path) -> None:
    """The example file with site windows adds visits without infusion after W209D1, up to
    W234D1 (study day 7*233+1 = 1632): the Phase 1b element's end rule says so."""
    path = ROOT / "examples" / "protocols" / "mil62-ct303-site-windows.toml"
    out = tmp_path / "out"
    assert run("sdtm", "--protocol", str(path), "-o", str(out)).exit_code == 0
    rules = {r["TESTRL"]: r["TEENRL"] for r in _records(out, "te")}
    start = "First infusion of MIL62 1000 mg in the Phase 1b period: W1D1, or the first escalated "
    assert rules[start + "infusion (W25D1 or later)"] == (
        "After the last infusion of the Phase 1b period (W209D1, study day 1457); then visits "
        "without infusion to W234D1 (study day 1632)"
    )


def test_an_empty_ti_has_its_column_lengths_and_a_note_saying_why(run: Run, tmp_path: Path) -> None:
    """Issue 19 #7: a file with a [design] but no criteria writes TI without rows, each text
    column as long as SDTMIG 3.4 lets it be (IETESTCD 8, IECAT 9 for EXCLUSION, IETEST 200), not
    1; and the command says why TI is empty."""
    text = protocol.BUILTIN.read_text(encoding="utf-8")
    head, tail = text.split("[[design.criteria]]", 1)
    tail = tail[tail.index("[[design.summary]]") :]
    path = tmp_path / "trial.toml"
    path.write_text(head + tail, encoding="utf-8")
    out = tmp_path / "out"
    result = run("sdtm", "--protocol", str(path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    document = _document(out, "ti")
    assert document["records"] == 0
    lengths = {c["name"]: c.get("length") for c in document["columns"]}
    assert lengths == {"STUDYID": 11, "DOMAIN": 2, "IETESTCD": 8, "IETEST": 200, "IECAT": 9}
    assert (
        "mil62sched: note: TI is empty: the protocol file lists no eligibility criteria "
        f"(protocol {path})\n"
    ) in result.stderr


def _elements_cover_the_visits(out: Path) -> None:
    """Every planned visit falls in an element of its arm: a visit before study day 1 in the
    screening element, which each arm's path starts with."""
    ta = _records(out, "ta")
    first = {r["ARMCD"]: r for r in ta if r["TAETORD"] == 1}
    for visit in _records(out, "tv"):
        if visit["VISITDY"] is not None and visit["VISITDY"] < 1:
            arms = [visit["ARMCD"]] if visit["ARMCD"] else list(first)
            for arm in arms:
                assert (first[arm]["ETCD"], first[arm]["EPOCH"]) == ("SCRN", "SCREENING"), visit
    te = {r["ETCD"]: r for r in _records(out, "te")}
    for r in te.values():  # a planned duration only where the end rule is a time, not an event
        assert not (r["TEDUR"] and r["TEENRL"].startswith("Entry into")), r


@pytest.mark.parametrize("path", [None, *EXAMPLES], ids=["built-in", *(p.stem for p in EXAMPLES)])
def test_elements_cover_every_planned_visit(run: Run, tmp_path: Path, path: Path | None) -> None:
    out = tmp_path / "out"
    args = ("--protocol", str(path)) if path else ()
    assert run("sdtm", *args, "-o", str(out)).exit_code == 0
    _elements_cover_the_visits(out)


def test_a_design_made_from_screening_visits_has_a_screening_element(
    run: Run, tmp_path: Path
) -> None:
    """Issue 19 #5: SAkuraStar's schedules have a screening visit at D-28; without a [design]
    its datasets still get a screening element and epoch, before the first dose (D1)."""
    text = (ROOT / "examples" / "protocols" / "satralizumab-sakurastar.toml").read_text("utf-8")
    path = tmp_path / "trial.toml"
    path.write_text(text.split("\n[design]\n")[0], encoding="utf-8")
    out = tmp_path / "out"
    assert run("sdtm", "--protocol", str(path), "-o", str(out)).exit_code == 0
    te = {r["ETCD"]: r for r in _records(out, "te")}
    assert te["SCRN"]["ELEMENT"] == "Screening"
    assert te["SCRN"]["TESTRL"] == "Screening visit D-28 (study day -28)"
    assert te["SCRN"]["TEENRL"] == "First dosing visit (D1, study day 1)"
    assert [r["ETCD"] for r in _records(out, "ta") if r["TAETORD"] == 1] == ["SCRN", "SCRN"]
    _elements_cover_the_visits(out)


# --- define.xml (issue 19 #6) ------------------------------------------------------------------


@functools.cache
def _define_schema() -> Any:
    """The Define-XML 2.1 schema odmlib ships (with the ODM 1.3.2 schema it extends): built once
    per test process, for it takes seconds and validating changes nothing in it."""
    import xmlschema
    from odmlib import schema_manager

    return xmlschema.XMLSchema(schema_manager.get_schema_path("define", "2.1"))


def _define(folder: Path) -> Any:
    from xml.etree import ElementTree

    return ElementTree.parse(folder / "define.xml").getroot()


ODM = "{http://www.cdisc.org/ns/odm/v1.3}"
DEF = "{http://www.cdisc.org/ns/def/v2.1}"


def _all_outputs(run: Run, tmp_path: Path) -> list[Path]:
    """The folders sdtm writes for the built-in file, each example and a file without [design]."""
    folders = []
    text = protocol.BUILTIN.read_text(encoding="utf-8").split("\n[design]\n")[0]
    bare = tmp_path / "bare.toml"
    bare.write_text(text, encoding="utf-8")
    for number, path in enumerate([None, *EXAMPLES, bare]):
        out = tmp_path / f"out{number}"
        args = ("--protocol", str(path)) if path else ()
        result = run("sdtm", *args, "-o", str(out))
        assert result.exit_code == 0, result.stderr
        folders.append(out)
    return folders


@pytest.mark.slow  # seconds of CPU in processes: the full run has it
def test_define_xml_validates_and_every_item_oid_resolves(run: Run, tmp_path: Path) -> None:
    schema = _define_schema()
    for out in _all_outputs(run, tmp_path):
        schema.validate(str(out / "define.xml"))
        root = _define(out)
        items = {item.get("OID") for item in root.iter(f"{ODM}ItemDef")}
        groups = {group.get("OID"): group for group in root.iter(f"{ODM}ItemGroupDef")}
        for name in NAMES:
            document = _document(out, name)
            assert document["metaDataRef"] == "define.xml"
            assert document["metaDataVersionOID"] == root.find(f".//{ODM}MetaDataVersion").get(
                "OID"
            )
            group = groups[document["itemGroupOID"]]
            refs = [ref.get("ItemOID") for ref in group.iter(f"{ODM}ItemRef")]
            assert refs == [column["itemOID"] for column in document["columns"]]
            assert {column["itemOID"] for column in document["columns"]} <= items
            leaf = group.find(f"{DEF}leaf")
            assert leaf.get("{http://www.w3.org/1999/xlink}href") == f"{name}.json"


def test_the_schema_check_of_define_xml_can_fail(tmp_path: Path, written: Path) -> None:
    text = (written / "define.xml").read_text(encoding="utf-8")
    broken = text.replace('Purpose="Tabulation"', 'Purpose="Tabulation" Colour="red"', 1)
    assert not _define_schema().is_valid(broken)


def test_define_xml_has_codelists_with_their_nci_codes(written: Path) -> None:
    root = _define(written)
    codelists = {c.get("OID"): c for c in root.iter(f"{ODM}CodeList")}
    tphase = codelists["CL.TPHASE"]
    assert tphase.find(f"{ODM}Alias").get("Name") == "C66737"  # Trial Phase Response
    items = {
        i.get("CodedValue"): i.find(f"{ODM}Alias").get("Name")
        for i in tphase.iter(f"{ODM}CodeListItem")
    }
    assert items == {"PHASE III TRIAL": "C15602"}
    epochs = {i.get("CodedValue") for i in codelists["CL.EPOCH"].iter(f"{ODM}CodeListItem")}
    assert epochs == {"SCREENING", "OPEN LABEL TREATMENT", "BLINDED TREATMENT"}
    standard = next(s for s in root.iter(f"{DEF}Standard") if s.get("Type") == "CT")
    assert standard.get("Version") == "2025-03-28"


def test_define_xml_keeps_each_criterion_in_full(written: Path) -> None:
    """TI's value-level metadata: each criterion's IETEST, described by its whole text."""
    root = _define(written)
    texts = {
        item.get("OID"): item.find(f"{ODM}Description/{ODM}TranslatedText").text
        for item in root.iter(f"{ODM}ItemDef")
    }
    for criterion in load_design(protocol.load()).criteria:
        assert texts[f"IT.TI.IETEST.{criterion.ietestcd}"] == criterion.text
    seed = SEED_CRITERIA["EXCLUSION"][0]
    assert texts["IT.TI.IETEST.EXCL01"] == seed  # 320 characters, whole


def test_define_xml_has_value_level_metadata_for_ts(written: Path) -> None:
    root = _define(written)
    lists = {v.get("OID"): v for v in root.iter(f"{DEF}ValueListDef")}
    refs = [ref.get("ItemOID") for ref in lists["VL.TS.TSVAL"].iter(f"{ODM}ItemRef")]
    assert "IT.TS.TSVAL.TPHASE" in refs
    assert "IT.TS.TSVAL.SSTDTC" in refs
    items = {item.get("OID"): item for item in root.iter(f"{ODM}ItemDef")}
    assert items["IT.TS.TSVAL.SSTDTC"].get("DataType") == "date"
    assert items["IT.TS.TSVAL.AGEMIN"].get("DataType") == "durationDatetime"
    ref = items["IT.TS.TSVAL.TPHASE"].find(f"{ODM}CodeListRef")
    assert ref.get("CodeListOID") == "CL.TPHASE"
    comment = next(c for c in root.iter(f"{DEF}CommentDef") if c.get("OID") == "COM.TS")
    assert "TRT 'MIL62' (no UNII)" in "".join(comment.itertext())


def test_dataset_json_names_its_originator_and_the_protocols_last_change(written: Path) -> None:
    for name in NAMES:
        document = _document(written, name)
        assert document["originator"] == "Beijing Mabworks Biotech Co., Ltd."
        # The protocol file's modification time, never later than the export instant.
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", document["dbLastModifiedDateTime"])
        assert document["dbLastModifiedDateTime"] <= document["datasetJSONCreationDateTime"]


# --- example files without placeholders in data (issue 19 #7) ----------------------------------

PLACEHOLDER = re.compile(r"EXAMPLE|Not stated here|placeholder|see the registry", re.IGNORECASE)


def test_the_sakurastar_example_has_no_placeholder_in_its_datasets(
    run: Run, tmp_path: Path
) -> None:
    """Unknown values are null-flavoured; that the file is an example is said in its comments
    and the README, not inside TITLE, SPONSOR, ARM or ELEMENT."""
    path = ROOT / "examples" / "protocols" / "satralizumab-sakurastar.toml"
    out = tmp_path / "out"
    result = run("sdtm", "--protocol", str(path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    for name in NAMES:
        assert not PLACEHOLDER.search((out / f"{name}.csv").read_text(encoding="utf-8")), name
    assert not PLACEHOLDER.search((out / "define.xml").read_text(encoding="utf-8"))
    ts = {r["TSPARMCD"]: r for r in _records(out, "ts")}
    assert (ts["TITLE"]["TSVAL"], ts["TITLE"]["TSVALNF"]) == ("", "UNK")
    assert (ts["SPONSOR"]["TSVAL"], ts["SPONSOR"]["TSVALNF"]) == ("", "UNK")
    assert (ts["ROUTE"]["TSVAL"], ts["ROUTE"]["TSVALCD"]) == ("SUBCUTANEOUS", "C38299")
    assert "originator" not in _document(out, "ts")  # no sponsor to name
    _ts_checklist(list(ts.values()))
    assert "EXAMPLE" in path.read_text(encoding="utf-8").splitlines()[0]  # said in its header
