"""Notices to the recipient as PDF (reportlab, Japanese CID font HeiseiMin-W3): 認定通知書, 額改定通知書, 消滅通知書.

The wording follows the notices municipalities send under 児童手当法施行規則 (認定: 様式第3号の例; 額改定・消滅:
each municipality's form), with the 教示 of 行政不服審査法 82条 (審査請求) and 行政事件訴訟法 46条 (取消訴訟).
Names and address are read through the registry contract at printing time (audited with the purpose).
"""

from __future__ import annotations

import datetime as dt
import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from kiban.platform.tenants.context import current_tenant_id
from kiban.platform.tenants.models import Tenant
from kiban.standard.contracts import registry

from .models import Recognition, Revision

FONT = "HeiseiMin-W3"
PURPOSE = "児童手当の通知書の作成"
TITLES: dict[str, str] = {
    Revision.Kind.RECOGNITION: "児童手当認定通知書",
    Revision.Kind.INCREASE: "児童手当額改定通知書",
    Revision.Kind.DECREASE: "児童手当額改定通知書",
    Revision.Kind.ENDED: "児童手当支給事由消滅通知書",
}
APPEAL = (
    "この処分に不服がある場合は、この処分があったことを知った日の翌日から起算して3か月以内に、市区町村長に対して",
    "審査請求をすることができます（行政不服審査法）。また、処分の取消しの訴えは、処分があったことを知った日の翌日から",
    "起算して6か月以内に提起することができます（行政事件訴訟法）。",
)


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _wareki_month(m: dt.date) -> str:
    if m >= dt.date(2019, 5, 1):
        return f"令和{m.year - 2018}年{m.month}月"
    return f"平成{m.year - 1988}年{m.month}月"


def notice_pdf(recognition: Recognition, revision: Revision) -> bytes:
    font = _font()
    tenant = Tenant.objects.get(code=current_tenant_id())
    person = registry().record(recognition.recipient_id, PURPOSE)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(TITLES[revision.kind])
    width, height = A4
    y = height - 25 * mm

    def line(text: str, size: float = 10.5, x: float = 20 * mm, gap: float = 7 * mm) -> None:
        nonlocal y
        pdf.setFont(font, size)
        pdf.drawString(x, y, text)
        y -= gap

    pdf.setFont(font, 10.5)
    pdf.drawRightString(width - 20 * mm, y, f"{tenant.prefecture}{tenant.name}長")
    y -= 10 * mm
    if person is not None:
        line(f"〒 {person.address} {person.building}".strip())
        line(f"{person.family_name} {person.given_name} 様", 12)
    else:
        line(f"受給者（住民ID {recognition.recipient_id}）様", 12)
    y -= 5 * mm
    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, y, TITLES[revision.kind])
    y -= 12 * mm
    line(f"認定番号 {recognition.number}")
    if revision.kind == Revision.Kind.ENDED:
        assert recognition.last_month is not None
        line(f"次のとおり児童手当の支給事由が消滅しましたので通知します（児童手当法8条2項）。事由: {revision.reason}")
        line(f"支給終了月: {_wareki_month(recognition.last_month)}分まで")
    else:
        basis = "児童手当法7条" if revision.kind == Revision.Kind.RECOGNITION else "児童手当法9条"
        line(f"次のとおり児童手当の{'認定' if basis.endswith('7条') else '額の改定'}をしたので通知します（{basis}）。")
        line(f"{'支給開始月' if basis.endswith('7条') else '改定月'}: {_wareki_month(revision.effective_month)}分から")
        line(f"手当月額: {revision.monthly_total:,}円（{_wareki_month(revision.effective_month)}分）")
        y -= 3 * mm
        line("対象児童（生年月日）")
        for i, child in enumerate(revision.children, start=1):
            note = "（生計費を負担する子: 第3子以降の算定に数える）" if child["supported"] else ""
            line(f"  {i}. 住民ID {child['resident_id']}  {child['birth_date']}  {note}", gap=6 * mm)
        line(
            f"支払口座: 金融機関 {recognition.bank_code} 支店 {recognition.branch_code}"
            f" 口座番号 ****{recognition.account_number[-3:]}"
        )
        line("支払月: 2月・4月・6月・8月・10月・12月（各前月分まで）")
    y -= 5 * mm
    for text in APPEAL:
        line(text, 8.5, gap=5 * mm)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
