"""The shapes every SDTM dataset shares: its variables (name, label, type, key, longest value)
and rows, and the SDTM versions they follow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

Value = str | int | None  # None: a missing number; a missing text is ""
DataType = Literal["string", "integer", "float"]

SDTMIG_VERSION = "3.4"
SDTM_VERSION = "2.0"  # the SDTM version SDTMIG 3.4 implements
TEXT_LENGTH = 200  # SDTM: a text variable holds at most 200 characters


class Variable(NamedTuple):
    """A column: its SDTM name and label, its Dataset-JSON data type, its place in the key, and
    the longest value SDTMIG 3.4 allows it (its length when the dataset has no row)."""

    name: str
    label: str
    data_type: DataType = "string"
    key: int | None = None
    most: int = TEXT_LENGTH


class Dataset(NamedTuple):
    """One SDTM dataset: its name (TA), label (Trial Arms), variables and rows."""

    name: str
    label: str
    variables: tuple[Variable, ...]
    rows: tuple[tuple[Value, ...], ...]


STUDYID = Variable("STUDYID", "Study Identifier", key=1)
DOMAIN = Variable("DOMAIN", "Domain Abbreviation", most=2)


def text_length(variable: Variable, values: Sequence[Value], study: str) -> int:
    """A text column's length, the same in the Dataset-JSON file and in define.xml: its longest
    value (at least 1), as the examples CDISC publishes with the standard do; in a dataset
    without rows, the longest value SDTMIG 3.4 allows it (STUDYID: the study's identifier).

    >>> text_length(Variable("VISIT", "Visit Name"), ["WEEK 1", ""], "MIL62-CT303")
    6
    >>> text_length(Variable("TVENRL", "Visit End Rule"), ["", ""], "MIL62-CT303")
    1
    >>> text_length(STUDYID, [], "MIL62-CT303"), text_length(DOMAIN, [], "MIL62-CT303")
    (11, 2)
    """
    if values:
        return max([1, *(len("" if value is None else str(value)) for value in values)])
    return len(study) if variable.name == STUDYID.name else variable.most
