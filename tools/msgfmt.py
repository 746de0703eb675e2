"""Compile a gettext catalogue (.po) into the binary form (.mo) the standard library reads.

A few dozen lines, standard library only, so the build needs no network and no GNU gettext:
the .po is the source kept in the repository, the .mo is committed beside it and shipped in
the package, and tests/test_i18n.py fails when the committed .mo is not what this script makes
of the .po. The layout of the output is that of CPython's Tools/i18n/msgfmt.py: entries sorted
by msgid, no hash table. Supported: msgid/msgstr with continued strings, `#` comments, the
`fuzzy` flag (such entries are left out, as msgfmt does), `msgctxt` (a context, kept in the
key as GNU msgfmt keeps it: CONTEXT, then \x04, then the msgid). Not supported: plurals.

    python tools/msgfmt.py src/mil62sched/locale/zh_CN/LC_MESSAGES/mil62sched.po
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path


def entries(po_text: str) -> dict[str, str]:
    """msgid -> msgstr of every entry that is translated and not fuzzy (the header included);
    an entry with a context is keyed `CONTEXT\x04msgid`."""
    found: dict[str, str] = {}
    context: list[str] | None = None  # the next entry's msgctxt, while it is read
    entry_context: str | None = None  # the context of the entry being read
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None
    fuzzy = next_fuzzy = False

    def close() -> None:
        if msgid is not None and msgstr is not None and not fuzzy and "".join(msgstr):
            key = "".join(msgid)
            found[key if entry_context is None else f"{entry_context}\x04{key}"] = "".join(msgstr)

    for number, raw in enumerate(po_text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#,"):
            next_fuzzy = "fuzzy" in line
        elif line.startswith("#") or not line:
            continue
        elif line.startswith("msgctxt "):
            close()
            msgid = msgstr = None
            context = [ast.literal_eval(line[8:])]
            current = context
        elif line.startswith("msgid "):
            close()
            entry_context = None if context is None else "".join(context)
            context = None
            msgid, msgstr, fuzzy, next_fuzzy = [ast.literal_eval(line[6:])], None, next_fuzzy, False
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
        else:
            raise ValueError(f"line {number}: cannot read {raw!r}")
    close()
    return found


def compile_catalogue(po_text: str) -> bytes:
    """The .mo bytes for a .po text."""
    found = entries(po_text)
    ids = sorted(found)
    keys = [key.encode("utf-8") for key in ids]
    values = [found[key].encode("utf-8") for key in ids]
    key_start = 7 * 4 + 16 * len(ids)
    value_start = key_start + sum(len(k) + 1 for k in keys)
    offsets: list[int] = []
    position = 0
    for key in keys:
        offsets += [len(key), key_start + position]
        position += len(key) + 1
    position = 0
    value_offsets: list[int] = []
    for value in values:
        value_offsets += [len(value), value_start + position]
        position += len(value) + 1
    header = struct.pack("<Iiiiiii", 0x950412DE, 0, len(ids), 7 * 4, 7 * 4 + len(ids) * 8, 0, 0)
    tables = struct.pack(f"<{len(offsets)}i", *offsets) + struct.pack(
        f"<{len(value_offsets)}i", *value_offsets
    )
    return header + tables + b"\0".join(keys) + b"\0" + b"\0".join(values) + b"\0"


def main(paths: list[str]) -> None:
    """Write `NAME.mo` beside every `NAME.po` given."""
    for name in paths:
        po = Path(name)
        po.with_suffix(".mo").write_bytes(compile_catalogue(po.read_text(encoding="utf-8")))


if __name__ == "__main__":
    main(sys.argv[1:])
