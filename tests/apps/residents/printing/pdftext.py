"""Just enough PDF text extraction to check what reportlab printed, without another dependency.

Reads each page's content stream with pyHanko's reader, takes the literal strings shown with ``Tj`` and maps their
bytes through the font's ``/ToUnicode`` CMap (reportlab writes one for every embedded subset). One line of output
per text object (BT … ET), i.e. per ``drawString`` call.
"""

from __future__ import annotations

import re
from io import BytesIO

from pyhanko.pdf_utils.reader import PdfFileReader

_TOKENS = re.compile(rb"/([^\s/\[\]()<>]+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj|\bET\b", re.S)
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        if raw[i : i + 1] == b"\\":
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(), 8))
                i += 1 + len(octal.group())
                continue
            nxt = raw[i + 1 : i + 2]
            out += _ESCAPES.get(nxt, nxt)
            i += 2
        else:
            out += raw[i : i + 1]
            i += 1
    return bytes(out)


def _cmap(font) -> dict[int, str] | None:
    if "/ToUnicode" not in font:
        return None
    data = font["/ToUnicode"].data
    sections = re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S)
    pairs = [pair for section in sections for pair in _BFCHAR.findall(section)]
    return {int(src, 16): bytes.fromhex(dst.decode()).decode("utf-16-be") for src, dst in pairs}


def page_count(pdf: bytes) -> int:
    return int(PdfFileReader(BytesIO(pdf), strict=False).root["/Pages"]["/Count"])


def page_texts(pdf: bytes) -> list[str]:
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    texts = []
    for page_ref in reader.root["/Pages"]["/Kids"]:
        page = page_ref.get_object()
        fonts = page["/Resources"]["/Font"]
        maps = {name[1:]: _cmap(fonts[name].get_object()) for name in fonts}
        lines, current, cmap = [], "", None
        for match in _TOKENS.finditer(page["/Contents"].data):
            if match.group(1) is not None:
                cmap = maps.get(match.group(1).decode())
            elif match.group(2) is not None:
                raw = _unescape(match.group(2))
                current += "".join(cmap.get(b, "?") for b in raw) if cmap else raw.decode("latin-1")
            elif current:
                lines.append(current)
                current = ""
        texts.append("\n".join(lines))
    return texts


def text(pdf: bytes) -> str:
    return "\n".join(page_texts(pdf))
