"""Lay notices to a person out as an A4 letter (``Letter``, ``render_letter``), with the fonts and the drawing of the
certificates (``pdf``): the 住民票コード通知票・変更通知票・修正通知票 (標準仕様書 4.3.3, j890) and the
世帯主変更通知書・世帯主変更依頼通知書 (4.0.5, j500). The 住民票コード確認票 is not printed (j890: 実装しない機能).

住民基本台帳法30条の3第3項: on writing a newly assigned code on a person's 住民票 the mayor notifies the person in
writing of it and of the code; 30条の4第3項: the same for a new code written on the person's request. A correction of
a wrongly entered code is notified likewise (the standard's 住民票コード修正通知票). A reprint (再出力) is marked, so a
person who receives it later does not take it for a second change.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .content import Letter, NoticeContent
from .pdf import CONTENT_W, MARGIN, PAGE_H, PAGE_W, ROW_H, Row, _era, _Painter, _western, fonts, mayor_line

TITLES = {"assigned": "住民票コード通知票", "changed": "住民票コード変更通知票", "corrected": "住民票コード修正通知票"}
REPRINT_MARK = "（再出力）"
BODIES = {
    "assigned": "あなたの住民票に下記の住民票コードを記載しましたので、"
    "住民基本台帳法第30条の3第3項の規定により通知します。",
    "changed": "あなたの請求により、あなたの住民票に下記の新たな住民票コードを記載しましたので、"
    "住民基本台帳法第30条の4第3項の規定により通知します。",
    "corrected": "あなたの住民票に記載されていた住民票コードに誤りがありましたので、"
    "下記のとおり修正したことを通知します。",
}
NOTE = "住民票コードは、住民基本台帳ネットワークシステムで本人確認に用いられる番号です。大切に保管してください。"


def title(content: NoticeContent) -> str:
    return TITLES[content.kind] + (REPRINT_MARK if content.reprint else "")


def letter(content: NoticeContent) -> Letter:
    """The 住民票コード notice as a letter to the person."""
    label = "新たな住民票コード" if content.kind != "assigned" else "住民票コード"
    items = [(label, content.resident_code)]
    if content.previous_code:
        items.append((f"{'変更' if content.kind == 'changed' else '修正'}前の住民票コード", content.previous_code))
    items.append(("記載年月日", _era(content.recorded_on)))
    if content.requested_on is not None:
        items.append(("請求年月日", _era(content.requested_on)))
    birth = _western(content.birth_date) if content.birth_in_western else _era(content.birth_date)
    items += [("氏名", content.name), ("生年月日", birth), ("住所", content.address)]
    return Letter(title=title(content), municipality_name=content.municipality_name, mayor=content.mayor,
                  address=content.address, name=content.name, issued_on=content.issued_on, body=BODIES[content.kind],
                  items=tuple(items), note=NOTE)  # fmt: skip


def render(content: NoticeContent) -> bytes:
    """The 住民票コード notice as an A4 PDF."""
    return render_letter(letter(content))


def render_letter(letter: Letter) -> bytes:
    """A letter as an A4 PDF (one page, not signed: a notice, not a certificate)."""
    return render_letters([letter])


def render_letters(letters: Sequence[Letter]) -> bytes:
    """Letters as one A4 PDF, a page each, titled by the first (e.g. the 戸籍の附票記載事項通知書 of one batch, one
    per person notified; a 案内 to every person on a list)."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(letters[0].title if letters else "")
    canvas.setAuthor(letters[0].municipality_name if letters else "")
    canvas.setCreator("Kiban")
    painter = _Painter(canvas, fonts())
    for letter in letters:
        _page(canvas, painter, letter)
    canvas.save()
    return buffer.getvalue()


def _page(canvas: Canvas, painter: _Painter, letter: Letter) -> None:
    painter.text(PAGE_W - MARGIN, PAGE_H - 15 * mm, _era(letter.issued_on), 10, align="right")
    painter.text(MARGIN, PAGE_H - 28 * mm, letter.address, 11, CONTENT_W * 0.7)
    painter.text(MARGIN, PAGE_H - 36 * mm, f"{letter.name}　様", 14, CONTENT_W * 0.7)
    painter.text(PAGE_W - MARGIN, PAGE_H - 48 * mm, mayor_line(letter) + "　（公印省略）", 11, CONTENT_W * 0.7,
                 align="right")  # fmt: skip
    painter.text(PAGE_W / 2, PAGE_H - 66 * mm, letter.title, 18, CONTENT_W, label=True, align="center")
    painter.text(MARGIN, PAGE_H - 80 * mm, letter.body, 10.5, CONTENT_W, max_lines=3)
    painter.text(PAGE_W / 2, PAGE_H - 92 * mm, "記", 11, align="center")
    top = PAGE_H - 98 * mm
    rows = [Row(((label, value, 1.0),), 10 * mm if i == 0 else ROW_H) for i, (label, value) in enumerate(letter.items)]
    canvas.setLineWidth(1.0)
    canvas.rect(MARGIN, top - sum(r.height for r in rows), CONTENT_W, sum(r.height for r in rows))
    for row in rows:
        painter.row(top, row)
        top -= row.height
    if letter.note:
        painter.text(MARGIN, top - 10 * mm, letter.note, 9, CONTENT_W, max_lines=2)
    canvas.showPage()
