"""Workbooks as Excel and WPS save them, made from the ones openpyxl writes, for the tests of
reading .xlsx files."""

from __future__ import annotations

import re

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_INLINE = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>'
)


def shared_strings(parts: dict[str, bytes], after: bytes = b"") -> None:
    """Every sheet's text (openpyxl writes it inline) moved into one shared-strings part, as
    Excel and WPS save it, each cell referring to its own item in order; the `<si>` items
    `after` follow them, used by no cell (a bomb, when many)."""
    items: list[bytes] = []

    def shared(match: re.Match[bytes]) -> bytes:
        items.append(b"<si><t>" + match[3] + b"</t></si>")
        index = str(len(items) - 1).encode()
        return b'<c r="' + match[1] + b'"' + match[2] + b' t="s"><v>' + index + b"</v></c>"

    for name in [name for name in parts if name.startswith("xl/worksheets/")]:
        parts[name] = _INLINE.sub(shared, parts[name])
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{MAIN}">'.encode() + b"".join(items) + after + b"</sst>"
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdStrings" Type="{RELATIONS}/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'.encode(),
    )
