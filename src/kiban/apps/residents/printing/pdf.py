"""Lay a certificate out as an A4 PDF (reportlab), following the resident record standard's rules for certificates.

住民記録システム標準仕様書 (functional requirements, edition 1.0: AkihiraYOSHIMOTO/jyuki-stnd, doc/j*.txt):
- 5.1 (j1000): certification text (認証文), electronic seal (電子公印) and issue number (発行番号) on every
  certificate; when it runs to several sheets, the certification text is printed **on the last page only**.
- 1.3.9 (j310): the certifier (認証者) is printed with title and name (``content.mayor``; never a title alone).
- 5.3 (j1020): furigana, when chosen, follows the name and the 通称 in katakana in parentheses, on the same line.
- 5.5 (j1040): the issue number ends with "page/pages" (e.g. ``1/2``).
- 5.6 (j1050): the mayor's title includes the prefecture, also for designated cities and Tokyo's wards; the
  electronic seal is black and at most 25 mm square.
- 5.8 (j1070): text that does not fit is shrunk to fit; what still does not fit is wrapped, and logged.
- 1.1.9 (j90): dates in the Japanese era (和暦), except a foreign resident's birth date and the end of the period
  of stay, which are in the Western calendar (and must not be in the era calendar).
- 4.1.3.0.3 (j660): the 転出証明書 (or the 転出証明書に準ずる証明書 for a late notification) has the destination and
  the planned date in its header; a reissue is titled 「…（再交付）」.
- 1.1.14 (j140): with the history, each 留意事項 (B類型) below the entry it belongs to and the 備考 (C類型) after
  the history.
- 5.7 (j1060): 「公用」 is printed, boxed at the top left of every page, on a certificate issued on a public office's
  request (法12条の2); 「附票通知」 and 「規定により免除」 are never printed (実装しない機能).
The household form (世帯連記式) holds up to four persons a sheet; the individual form (個人票) one person.

Fonts: IPAex Mincho/Gothic (Debian ``fonts-ipaexfont``) embedded as subsets when installed, so the PDF looks the
same everywhere; otherwise reportlab's built-in CID fonts (HeiseiMin-W3, HeiseiKakuGo-W5), which are *not*
embedded (the viewer substitutes a font), with a warning in the log.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kiban.standard.era import format_date

from .content import MOVE_OUT_KINDS, CertificateContent, HistoryLine, Letter, PersonEntry

logger = logging.getLogger(__name__)

TITLES = {
    "resident_copy": "住民票の写し",
    "removed_copy": "住民票の除票の写し",
    "recorded_items": "住民票記載事項証明書",
    "removed_items": "住民票除票記載事項証明書",
    "move_out": "転出証明書",
    "move_out_equivalent": "転出証明書に準ずる証明書",
}
REISSUE_MARK = "（再交付）"  # 標準仕様書 4.1.3.0.3: a reissue is marked 再交付
OFFICIAL_USE_MARK = "公用"  # 標準仕様書 5.7 (j1060): a certificate issued on a public office's request (法12条の2)
# 認証文. The standard's chapter 4 (様式) fixes the wording; it is not in the machine-readable edition we can
# cite, so these follow common municipal practice (docs/residents/certificates.md lists the sources).
CERTIFICATION_TEXTS = {
    "resident_copy": "この写しは、住民票の原本と相違ないことを証明する。",
    "removed_copy": "この写しは、除票の原本と相違ないことを証明する。",
    "recorded_items": "上記の事項は住民票に記載されていることを証明する。",
    "removed_items": "上記の事項は住民票の除票に記載されていることを証明する。",
    "move_out": "上記のとおり転出の届出があったことを証明する。",
    # 標準仕様書 4.1.3.0.3: "転入届に添付すべき書類として発行した旨を記載した転出証明書に準ずる証明書"
    "move_out_equivalent": (
        "上記の者が転出したことを証明する。この証明書は、転入届に添付すべき書類として発行したものです。"
    ),
}
REMOVED_KINDS = ("removed_copy", "removed_items")  # of a 除票 (法15条の4): the removal is always printed
END_MARK = "以下余白"
PERSONS_PER_SHEET = {"household": 4, "individual": 1}

FONT_CANDIDATES = {
    "mincho": (
        "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
        "/usr/share/fonts/truetype/ipaexfont-mincho/ipaexm.ttf",
        "/usr/share/fonts/truetype/fonts-japanese-mincho.ttf",
    ),
    "gothic": (
        "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
        "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
        "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    ),
}
FONT_ENV = {"mincho": "KIBAN_CERTIFICATE_FONT_MINCHO", "gothic": "KIBAN_CERTIFICATE_FONT_GOTHIC"}
_PREFECTURE = re.compile(r"^(東京都|北海道|京都府|大阪府|.{2,3}県)")

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
CONTENT_W = PAGE_W - 2 * MARGIN
BODY_TOP = PAGE_H - 52 * mm  # below the title and the address box
BODY_BOTTOM = 100 * mm  # above the certification area and the verification footer
ROW_H = 6.5 * mm
NAME_ROW_H = 9 * mm
MIN_SIZE = 5.5
SEAL_SIZE = 24 * mm  # the standard's maximum is 25 mm square


@dataclass(frozen=True)
class Fonts:
    """The two faces used: text (mincho) and labels/title (gothic); ``embedded`` tells whether they are TrueType."""

    text: str
    label: str
    embedded: bool


def _find(kind: str) -> str | None:
    override = os.environ.get(FONT_ENV[kind])
    for path in ((override,) if override else ()) + FONT_CANDIDATES[kind]:
        if Path(path).is_file():
            return path
    return None


@functools.cache
def fonts() -> Fonts:
    """Register the Japanese fonts once per process; see the module docstring for the choice."""
    mincho, gothic = _find("mincho"), _find("gothic")
    if mincho:
        pdfmetrics.registerFont(TTFont("KibanMincho", mincho))
        label = "KibanMincho"
        if gothic:
            pdfmetrics.registerFont(TTFont("KibanGothic", gothic))
            label = "KibanGothic"
        return Fonts("KibanMincho", label, embedded=True)
    logger.warning(
        "No Japanese TrueType font found (install fonts-ipaexfont, or set %s): certificates use the non-embedded "
        "CID font HeiseiMin-W3, and viewers will substitute a font.",
        FONT_ENV["mincho"],
    )
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    return Fonts("HeiseiMin-W3", "HeiseiKakuGo-W5", embedded=False)


def _era(d: date | None) -> str:
    return format_date(d, style="long") if d else ""


def _western(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def mayor_line(content: CertificateContent | Letter) -> str:
    """The mayor's title and name, with the prefecture in front when the caller left it out (標準仕様書 5.6)."""
    match = _PREFECTURE.match(content.municipality_name)
    if match and not content.mayor.startswith(match.group(1)):
        return match.group(1) + content.mayor
    return content.mayor


def title(content: CertificateContent) -> str:
    """The certificate's title, marked 再交付 on a reissue (標準仕様書 4.1.3.0.3)."""
    return TITLES[content.kind] + (REISSUE_MARK if content.reissue else "")


def seal_title(content: CertificateContent) -> str:
    """The office named on the printed seal (「東京都千代田区長之印」): the mayor's office, also when the acting
    deputy certifies (the caller passes it as ``seal_title``), with the prefecture as on the certifier line."""
    office = content.seal_title or content.mayor.split("　")[0]
    match = _PREFECTURE.match(content.municipality_name)
    return match.group(1) + office if match and not office.startswith(match.group(1)) else office


# --- the person blocks: rows of (label, value, width weight) cells -----------------------------------------------

Cell = tuple[str, str, float]


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    height: float = ROW_H


def with_furigana(text: str, kana: str | None, furigana: bool) -> str:
    """「住民　太郎　（ジュウミン　タロウ）」: the katakana after the item in parentheses (標準仕様書 5.3, j1020), when
    the certificate has furigana and there is kana to print."""
    kana = (kana or "").strip("　 ")
    return f"{text}　（{kana}）" if furigana and kana else text


def _person_rows(person: PersonEntry, kind: str, furigana: bool = False) -> list[Row]:
    birth = _western(person.birth_date) if person.is_foreign else _era(person.birth_date)
    name = f"{person.family_name}　{person.given_name}".strip("　")
    kana = f"{person.family_name_kana}　{person.given_name_kana}"
    name_cells: list[Cell] = [
        ("氏名", with_furigana(name, kana, furigana), 2.2),
        ("生年月日", birth, 1.3),
        ("性別", person.sex, 0.55),
    ]
    if person.relationship is not None:
        name_cells.append(("続柄", person.relationship, 0.9))
    rows = [Row(tuple(name_cells), NAME_ROW_H)]
    if person.former_surname:
        rows.append(Row((("旧氏", with_furigana(person.former_surname, person.former_surname_kana, furigana), 1.0),)))
    if person.alias:
        rows.append(Row((("通称", with_furigana(person.alias, person.alias_kana, furigana), 1.0),)))
    rows.append(
        Row((("住民となった年月日", _era(person.became_resident_on), 1.0), ("住定日", _era(person.moved_in_on), 1.0)))
    )
    if person.previous_address is not None:
        rows.append(Row((("前住所", person.previous_address, 1.0),)))
    if person.domicile is not None or person.domicile_head is not None:
        rows.append(Row((("本籍", person.domicile or "", 2.0), ("筆頭者", person.domicile_head or "", 1.0))))
    codes: list[Cell] = []
    if person.resident_code is not None:
        codes.append(("住民票コード", person.resident_code, 1.0))
    if person.individual_number is not None:
        codes.append(("個人番号", person.individual_number, 1.0))
    if codes:
        rows.append(Row(tuple(codes)))
    if person.is_foreign or person.residence_status or person.residence_card_number:
        rows.append(
            Row((("国籍・地域", person.nationality or "", 1.0), ("在留資格", person.residence_status or "", 1.2)))
        )
        rows.append(
            Row(
                (
                    ("在留期間等の満了の日", _western(person.period_of_stay_until), 1.0),
                    ("在留カード等番号", person.residence_card_number or "", 1.2),
                )
            )
        )
    if kind in REMOVED_KINDS or person.removed_on is not None:
        rows.append(Row((("消除日", _era(person.removed_on), 1.0), ("消除事由", person.removal_reason or "", 1.0))))
    for line in person.history:
        rows.append(_history_row(line))
        rows.extend(Row((("留意事項", note, 1.0),)) for note in line.notes)
    rows.extend(Row((("備考", remark, 1.0),)) for remark in person.remarks)
    return rows


def _history_row(line: HistoryLine) -> Row:
    return Row(
        (
            ("異動日", _era(line.effective_on), 1.25),
            ("届出日", _era(line.notified_on), 1.25),
            ("事由", line.reason, 0.65),
            ("内容", line.text, 2.4),
        )
    )


@dataclass(frozen=True)
class Block:
    rows: tuple[Row, ...]
    continued: bool = False  # the rest of a person that did not fit on the previous page

    @property
    def height(self) -> float:
        return sum(r.height for r in self.rows) + (ROW_H if self.continued else 0)


def _pages(content: CertificateContent) -> list[list[Block]]:
    """Split the persons into sheets: at most 4 (household) or 1 (individual) persons a sheet, and no more than
    fits; a person too long for one sheet (a long history) continues on the next."""
    per_sheet = PERSONS_PER_SHEET[content.layout]
    space = BODY_TOP - BODY_BOTTOM - ROW_H  # keep room for the end mark
    pages: list[list[Block]] = [[]]
    used, persons_on_page = 0.0, 0
    for person in content.persons:
        rows = _person_rows(person, content.kind, content.furigana)
        block = Block(tuple(rows))
        if pages[-1] and (persons_on_page >= per_sheet or used + block.height > space):
            pages.append([])
            used, persons_on_page = 0.0, 0
        persons_on_page += 1
        continued = False
        while rows:
            take, height = 0, ROW_H if continued else 0.0
            while take < len(rows) and used + height + rows[take].height <= space:
                height += rows[take].height
                take += 1
            take = max(take, 1)  # a single row always goes somewhere
            pages[-1].append(Block(tuple(rows[:take]), continued))
            used += height
            rows = rows[take:]
            if rows:
                pages.append([])
                used, continued = 0.0, True
        used += 2  # gap between persons
    return pages


# --- drawing ------------------------------------------------------------------------------------------------------


class _Painter:
    def __init__(self, canvas: Canvas, fonts: Fonts) -> None:
        self.c = canvas
        self.f = fonts

    def fit(self, text: str, font: str, size: float, width: float) -> float:
        """The largest size ≤ ``size`` (not below MIN_SIZE) at which ``text`` fits ``width`` (標準仕様書 5.8)."""
        natural = pdfmetrics.stringWidth(text, font, size)
        if natural <= width:
            return size
        return max(MIN_SIZE, size * width / natural)

    def wrap(self, text: str, font: str, size: float, width: float) -> list[str]:
        lines, current = [], ""
        for char in text:
            if current and pdfmetrics.stringWidth(current + char, font, size) > width:
                lines.append(current)
                current = char
            else:
                current += char
        return [*lines, current] if current else lines

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        width: float | None = None,
        *,
        label: bool = False,
        align: str = "left",
        max_lines: int = 1,
    ) -> None:
        font = self.f.label if label else self.f.text
        lines = [text]
        if width is not None:
            size = self.fit(text, font, size, width)
            if pdfmetrics.stringWidth(text, font, size) > width:
                lines = self.wrap(text, font, size, width)
                if len(lines) > max_lines:
                    logger.warning("certificate text overflows its field (文字溢れ), %d lines wrapped", len(lines))
        self.c.setFont(font, size)
        for i, line in enumerate(lines):
            ly = y - i * (size + 1) + (len(lines) - 1) * (size + 1) / 2
            if align == "center":
                self.c.drawCentredString(x, ly, line)
            elif align == "right":
                self.c.drawRightString(x, ly, line)
            else:
                self.c.drawString(x, ly, line)

    def row(self, top: float, row: Row) -> None:
        c = self.c
        total = sum(weight for _, _, weight in row.cells)
        x = MARGIN
        c.setLineWidth(0.4)
        c.rect(MARGIN, top - row.height, CONTENT_W, row.height)
        for i, (label, value, weight) in enumerate(row.cells):
            width = CONTENT_W * weight / total
            label_w = pdfmetrics.stringWidth(label, self.f.label, 7) + 4
            if i:
                c.line(x, top, x, top - row.height)
            c.line(x + label_w, top, x + label_w, top - row.height)
            self.text(x + 2, top - row.height / 2 - 2.5, label, 7, label=True)
            value_y = top - row.height / 2 - 3.5
            self.text(x + label_w + 3, value_y, value, 10, width - label_w - 6, max_lines=2)
            x += width

    def block(self, top: float, block: Block) -> float:
        if block.continued:
            self.text(MARGIN + 2, top - ROW_H / 2 - 3, "（前頁から続く）", 8, label=True)
            top -= ROW_H
        self.c.setLineWidth(1.0)
        self.c.rect(MARGIN, top - sum(r.height for r in block.rows), CONTENT_W, sum(r.height for r in block.rows))
        for row in block.rows:
            self.row(top, row)
            top -= row.height
        return top - 2

    def header(self, content: CertificateContent, page: int, pages: int) -> None:
        c = self.c
        self.text(
            PAGE_W - MARGIN,
            PAGE_H - 10 * mm,
            f"発行番号　{content.issue_number}　{page}/{pages}",
            8,
            label=True,
            align="right",
        )
        if content.official_use:  # boxed, top left of every page
            c.setLineWidth(1.0)
            c.rect(MARGIN, PAGE_H - 19 * mm, 16 * mm, 8 * mm)
            self.text(MARGIN + 8 * mm, PAGE_H - 16.5 * mm, OFFICIAL_USE_MARK, 12, label=True, align="center")
        self.text(PAGE_W / 2, PAGE_H - 24 * mm, title(content), 18, CONTENT_W, label=True, align="center")
        top = PAGE_H - 31 * mm
        rows: list[Row] = [Row((("住所", content.address, 1.0),), 8 * mm)]
        if content.householder_name is not None:
            rows.append(Row((("世帯主", content.householder_name, 1.0),), 8 * mm))
        if content.kind in MOVE_OUT_KINDS:
            rows.append(
                Row(
                    (
                        ("転出先", content.destination_address or "", 2.2),
                        ("転出の予定年月日", _era(content.planned_on), 1.0),
                    ),
                    8 * mm,
                )
            )
        c.setLineWidth(1.0)
        c.rect(MARGIN, top - sum(r.height for r in rows), CONTENT_W, sum(r.height for r in rows))
        for row in rows:
            self.row(top, row)
            top -= row.height

    def verification(self, content: CertificateContent) -> None:
        """Every page: the QR code with the verification URL and the code to type, bottom left."""
        size = 22 * mm
        widget = QrCodeWidget(content.verification_url, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, self.c, MARGIN, 12 * mm)
        x = MARGIN + size + 3 * mm
        self.text(x, 28 * mm, f"確認コード　{content.verification_code}", 9, PAGE_W - x - MARGIN, label=True)
        self.text(
            x,
            23 * mm,
            "この証明書の内容は、QRコード又は下記のページで確認コードを入力して確認できます。",
            7,
            PAGE_W - x - MARGIN,
        )
        self.text(x, 18.5 * mm, content.verification_url, 7, PAGE_W - x - MARGIN)

    def certification(self, content: CertificateContent, top: float) -> None:
        """Last page only (標準仕様書 5.1): end mark, omission notice, 認証文, date, mayor and the seal box."""
        self.text(PAGE_W / 2, top - 5 * mm, END_MARK, 10, align="center")
        if content.omitted_items:
            notice = "次の事項は、記載を省略しています。　" + "、".join(content.omitted_items)
            self.text(MARGIN, BODY_BOTTOM - 8 * mm, notice, 9, CONTENT_W)
        self.text(MARGIN + 10 * mm, BODY_BOTTOM - 18 * mm, CERTIFICATION_TEXTS[content.kind], 11, CONTENT_W - 10 * mm)
        self.text(MARGIN + 10 * mm, BODY_BOTTOM - 27 * mm, _era(content.issued_on), 11)
        seal_x = PAGE_W - MARGIN - SEAL_SIZE
        seal_y = BODY_BOTTOM - 62 * mm
        self.text(
            seal_x - 4 * mm,
            seal_y + SEAL_SIZE / 2 - 4,
            mayor_line(content),
            13,
            seal_x - MARGIN - 14 * mm,
            align="right",
        )
        self.seal_box(seal_x, seal_y, content)

    def seal_box(self, x: float, y: float, content: CertificateContent) -> None:
        """The printed mark of the electronic seal (電子公印): black, 24 mm square; the signature is in the file."""
        c = self.c
        c.setLineWidth(1.6)
        c.rect(x, y, SEAL_SIZE, SEAL_SIZE)
        c.setLineWidth(0.5)
        c.rect(x + 1.5 * mm, y + 1.5 * mm, SEAL_SIZE - 3 * mm, SEAL_SIZE - 3 * mm)
        mark = seal_title(content) + "之印"
        self.text(x + SEAL_SIZE / 2, y + SEAL_SIZE - 7 * mm, "電子公印", 7, label=True, align="center")
        lines = -(-len(mark) // 6)  # at most 6 characters a line, lines of even length
        per_line = -(-len(mark) // lines)
        for i in range(lines):
            part = mark[i * per_line : (i + 1) * per_line]
            self.text(x + SEAL_SIZE / 2, y + SEAL_SIZE / 2 - 3 - i * 10, part, 8.5, SEAL_SIZE - 5 * mm, align="center")


def render(content: CertificateContent) -> bytes:
    """The certificate as an unsigned A4 PDF (sign it with ``seal.sign_pdf``, or use ``render_signed``)."""
    if not content.persons:
        raise ValueError("a certificate needs at least one person")
    if content.layout == "individual" and len(content.persons) != 1:
        raise ValueError("the individual form (個人票) is for exactly one person")
    chosen = fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title(content))
    canvas.setAuthor(content.municipality_name)
    canvas.setCreator("Kiban")
    painter = _Painter(canvas, chosen)
    pages = _pages(content)
    for number, blocks in enumerate(pages, start=1):
        painter.header(content, number, len(pages))
        top = BODY_TOP
        for block in blocks:
            top = painter.block(top, block)
        if number == len(pages):
            painter.certification(content, top)
        painter.verification(content)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def page_count(content: CertificateContent) -> int:
    """How many sheets ``render`` will produce (for the fee, 手数料, which is per sheet in many municipalities)."""
    return len(_pages(content))
