"""Lay a 住民票コード通知票・変更通知票・修正通知票 out as an A4 PDF (標準仕様書 4.3.3, j890), with the fonts and the
drawing of the certificates (``pdf``). The 住民票コード確認票 is not printed (j890: 実装しない機能).

住民基本台帳法30条の3第3項: on writing a newly assigned code on a person's 住民票 the mayor notifies the person in
writing of it and of the code; 30条の4第3項: the same for a new code written on the person's request. A correction of
a wrongly entered code is notified likewise (the standard's 住民票コード修正通知票). A reprint (再出力) is marked, so a
person who receives it later does not take it for a second change.
"""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .content import NoticeContent
from .pdf import CONTENT_W, MARGIN, PAGE_H, PAGE_W, Row, _era, _Painter, _western, fonts, mayor_line

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


def _rows(content: NoticeContent) -> list[Row]:
    label = "新たな住民票コード" if content.kind != "assigned" else "住民票コード"
    rows = [Row(((label, content.resident_code, 1.0),), 10 * mm)]
    if content.previous_code:
        rows.append(Row((("変更前の住民票コード" if content.kind == "changed" else "修正前の住民票コード",
                          content.previous_code, 1.0),)))  # fmt: skip
    rows.append(Row((("記載年月日", _era(content.recorded_on), 1.0),)))
    if content.requested_on is not None:
        rows.append(Row((("請求年月日", _era(content.requested_on), 1.0),)))
    birth = _western(content.birth_date) if content.birth_in_western else _era(content.birth_date)
    rows += [Row((("氏名", content.name, 1.2), ("生年月日", birth, 1.0))), Row((("住所", content.address, 1.0),))]
    return rows


def render(content: NoticeContent) -> bytes:
    """The notice as an A4 PDF (one page, not signed: a notice, not a certificate)."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title(content))
    canvas.setAuthor(content.municipality_name)
    canvas.setCreator("Kiban")
    painter = _Painter(canvas, fonts())
    painter.text(PAGE_W - MARGIN, PAGE_H - 15 * mm, _era(content.issued_on), 10, align="right")
    painter.text(MARGIN, PAGE_H - 28 * mm, content.address, 11, CONTENT_W * 0.7)
    painter.text(MARGIN, PAGE_H - 36 * mm, f"{content.name}　様", 14, CONTENT_W * 0.7)
    painter.text(PAGE_W - MARGIN, PAGE_H - 48 * mm, mayor_line(content) + "　（公印省略）", 11, CONTENT_W * 0.7,
                 align="right")  # fmt: skip
    painter.text(PAGE_W / 2, PAGE_H - 66 * mm, title(content), 18, CONTENT_W, label=True, align="center")
    painter.text(MARGIN, PAGE_H - 80 * mm, BODIES[content.kind], 10.5, CONTENT_W, max_lines=3)
    painter.text(PAGE_W / 2, PAGE_H - 92 * mm, "記", 11, align="center")
    top = PAGE_H - 98 * mm
    rows = _rows(content)
    canvas.setLineWidth(1.0)
    canvas.rect(MARGIN, top - sum(r.height for r in rows), CONTENT_W, sum(r.height for r in rows))
    for row in rows:
        painter.row(top, row)
        top -= row.height
    painter.text(MARGIN, top - 10 * mm, NOTE, 9, CONTENT_W, max_lines=2)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
