"""Floor of reading a protocol file: tomllib parsing it, nothing checked.

python floors/read_toml.py FILE.toml
"""

import sys
import tomllib

with open(sys.argv[1], "rb") as stream:
    tomllib.load(stream)
