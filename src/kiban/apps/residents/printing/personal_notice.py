"""The letters of 本人通知 as A4 PDFs (reportlab, the certificates' Japanese fonts): plain data in, PDF bytes out.

- ``IssuanceLetter``: the 住民票の写し等交付通知書 (住民記録システム標準仕様書 8.1.3, j1240): to the registered person
  (or the applicant), the issuances made — 発行日・請求者区分・証明書種別・枚数, and nothing else of the request (not
  the requester's name, not the purpose: the standard lists these four items).
- ``ExpiryLetter``: the 本人通知期間満了のお知らせ (標準仕様書 8.1.1, j1220), for a registration whose period ends.
Neither is a certificate: they are not sealed or signed. Nothing in here touches Django or the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from kiban.standard.era import format_date

from .pdf import fonts

REPRINT_MARK = "（再発行）"


@dataclass(frozen=True)
class Addressee:
    """Whom a letter is sent to: the person, or the applicant (申出者) at the address they gave."""

    name: str
    address: str
    person_name: str  # the registered person, named in the text when the addressee is someone else


@dataclass(frozen=True)
class IssuanceLine:
    """One issuance told of: 発行日・請求者区分・証明書種別・枚数 (標準仕様書 8.1.3)."""

    issued_on: date
    requester: str  # e.g. 第三者, 代理人
    kind: str  # e.g. 住民票の写し
    sheets: int | None  # None: not recorded (issued before 枚数 was kept)


@dataclass(frozen=True)
class IssuanceLetter:
    to: Addressee
    lines: tuple[IssuanceLine, ...]
    reprint: bool = False


@dataclass(frozen=True)
class ExpiryLetter:
    to: Addressee
    registered_on: date
    ends_on: date


def _head(canvas: Canvas, to: Addressee, municipality: str, today: date, title: str) -> float:
    """Date, addressee, sender and title; returns the height below them."""
    face = fonts()
    width, height = A4
    canvas.setFont(face.text, 10.5)
    canvas.drawRightString(width - 20 * mm, height - 20 * mm, format_date(today, style="long"))
    canvas.drawString(20 * mm, height - 30 * mm, to.address)
    canvas.setFont(face.label, 13)
    canvas.drawString(25 * mm, height - 40 * mm, f"{to.name}　様")
    canvas.setFont(face.text, 10.5)
    canvas.drawRightString(width - 20 * mm, height - 52 * mm, f"{municipality}長")
    canvas.setFont(face.label, 15)
    canvas.drawCentredString(width / 2, height - 70 * mm, title)
    return height - 82 * mm


def _paragraph(canvas: Canvas, top: float, text: str, per_line: int = 40) -> float:
    canvas.setFont(fonts().text, 10.5)
    for start in range(0, len(text), per_line):
        canvas.drawString(20 * mm, top, text[start : start + per_line])
        top -= 6.5 * mm
    return top


def _about(to: Addressee) -> str:
    return "" if to.person_name == to.name else f"{to.person_name}様の"


def issuance_letters(letters: Sequence[IssuanceLetter], municipality: str, today: date) -> bytes:
    """One page per letter: the table of issuances (as many pages as the lines need, 18 a page)."""
    face = fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle("住民票の写し等交付通知書")
    canvas.setAuthor(municipality)
    canvas.setCreator("Kiban")
    columns = ((20, "発行日"), (65, "請求者区分"), (105, "証明書の種別"), (165, "枚数"))
    per_page = 18
    for letter in letters:
        title = "住民票の写し等交付通知書" + (REPRINT_MARK if letter.reprint else "")
        for first in range(0, len(letter.lines), per_page):
            top = _head(canvas, letter.to, municipality, today, title)
            text = f"本人通知制度に基づき、{_about(letter.to)}住民票の写し等を次のとおり交付したことを通知します。"
            top = _paragraph(canvas, top, text)
            top -= 4 * mm
            canvas.setFont(face.label, 10.5)
            for x, label in columns:
                canvas.drawString(x * mm, top, label)
            canvas.line(20 * mm, top - 2 * mm, 190 * mm, top - 2 * mm)
            canvas.setFont(face.text, 10.5)
            for line in letter.lines[first : first + per_page]:
                top -= 8 * mm
                sheets = f"{line.sheets}枚" if line.sheets else "記録なし"
                for (x, _), value in zip(
                    columns, (format_date(line.issued_on, style="long"), line.requester, line.kind, sheets), strict=True
                ):
                    canvas.drawString(x * mm, top, value)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def expiry_letters(letters: Sequence[ExpiryLetter], municipality: str, today: date) -> bytes:
    """One page per letter: the registration's period and how to register again."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle("本人通知期間満了のお知らせ")
    canvas.setAuthor(municipality)
    canvas.setCreator("Kiban")
    for letter in letters:
        top = _head(canvas, letter.to, municipality, today, "本人通知期間満了のお知らせ")
        top = _paragraph(
            canvas, top, f"{_about(letter.to)}本人通知制度の登録期間は、次の日をもって満了します。"
            "引き続き通知を希望される場合は、改めて登録の申出をしてください。",
        )  # fmt: skip
        top -= 6 * mm
        _paragraph(canvas, top, f"登録日　{format_date(letter.registered_on, style='long')}")
        _paragraph(canvas, top - 8 * mm, f"登録期間満了日　{format_date(letter.ends_on, style='long')}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
