"""The trial as data: protocol files (TOML), loaded and validated into the model's types.

The built-in file is MIL62-CT303's (`mil62-ct303.toml`, citing the registry text it encodes).
"""

from mil62sched.protocol.loader import BUILTIN, load

__all__ = ["BUILTIN", "load"]
