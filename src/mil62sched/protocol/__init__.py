"""The trial as data: protocol files (TOML), loaded and validated into the model's types.

The built-in file is MIL62-CT303's (`mil62-ct303.toml`, citing the registry text it encodes);
`schema.json` is the JSON Schema of the file format. `validation` finds every problem of a file,
as `mil62sched protocol validate` lists them; `load` refuses a file for the first of them.
"""

from pathlib import Path

from mil62sched.errors import ProtocolError
from mil62sched.model.protocol import Protocol
from mil62sched.protocol import loader
from mil62sched.protocol.loader import (
    BUILTIN,
    FORMATS,
    SCHEMA,
    Problem,
    build,
    check_format,
)

__all__ = [
    "BUILTIN",
    "BUILTIN_NAME",
    "FORMATS",
    "SCHEMA",
    "Problem",
    "build",
    "check_format",
    "load",
]


# The word that names the built-in file wherever a protocol file is given (`amend builtin NEW
# ROSTER`, `--amends builtin`): a file of that name in the current folder is named by its path.
BUILTIN_NAME = "builtin"


def load(path: Path | None = None) -> Protocol:
    """Load and validate a protocol file; the built-in MIL62-CT303 one when `path` is None or
    the word `builtin` (BUILTIN_NAME).

    Every command reads its protocol here. A file other than the built-in one is refused for
    the first problem `protocol validate` lists (`invalid protocol FILE line N: key.path: what`),
    and checked once per content: a valid one is remembered in the cache (`loader.found_valid`).
    """
    if path is not None and path.parts == (BUILTIN_NAME,):
        path = None
    source = loader.read(path)
    if source.builtin or loader.found_valid(source):
        return loader.protocol_of(source)
    from mil62sched.protocol import validation  # jsonschema, holidays: only to check a file

    trial, findings = validation.check(source.raw.decode("utf-8"), source.table)
    if findings:
        first = findings[0]
        raise ProtocolError(first.what(), where=f"invalid protocol {first.where(source.where)}")
    loader.remember_valid(source)
    return trial if trial is not None else loader.protocol_of(source)
