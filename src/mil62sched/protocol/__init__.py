"""The trial as data: protocol files (TOML), loaded and validated into the model's types.

The built-in file is MIL62-CT303's (`mil62-ct303.toml`, citing the registry text it encodes);
`schema.json` is the JSON Schema of the file format, which `mil62sched protocol validate` uses.
"""

from pathlib import Path

from mil62sched.protocol.loader import (
    BUILTIN,
    FORMATS,
    Problem,
    build,
    check_format,
    load,
)

SCHEMA = Path(__file__).parent / "schema.json"

__all__ = [
    "BUILTIN",
    "FORMATS",
    "SCHEMA",
    "Problem",
    "build",
    "check_format",
    "load",
]
