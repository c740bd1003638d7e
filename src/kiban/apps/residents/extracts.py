"""Lists drawn from the register: the partial copy for public inspection and random samples with address labels.

- 住民基本台帳の一部の写し（閲覧用） (住民基本台帳法11条・11条の2; 住民記録システム標準仕様書 9.5, j1320): the
  four items the law opens to inspection — 氏名, 出生の年月日, 男女の別, 住所 — of the residents of chosen districts
  (町字), without the persons under a support measure (支援措置), in address order or a random order; as CSV.
- 無作為抽出・条件指定抽出 (9.6, j1330): residents drawn at random by sex, birth date range, district, number and
  日本人・外国人, e.g. for a survey or a citizens' panel; reproducible with its seed; and 宛名シール (address labels,
  A4 sheets of 2 × 6) as PDF.

Each list is one audited read with its criteria and count (the list can be drawn again from them); the register
as of today is read (``selectors.current``: a person moving out counts until the planned date).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from kiban.platform.audit.services import record
from kiban.standard.addresses import sort_key

from . import selectors
from .models import Resident
from .validation import Problems

# 法11条1項: 氏名・出生の年月日・男女の別・住所
INSPECTION_ITEMS = ("family_name", "given_name", "birth_date", "sex", "address")
MAX_SAMPLE = 10_000


@dataclass(frozen=True)
class Row:
    resident_id: int
    name: str
    kana: str
    birth_date: date
    sex: str
    postal_code: str
    address: str
    district: str


def _rows(queryset: QuerySet[Resident]) -> list[Row]:
    return [
        Row(r.id, f"{r.family_name}　{r.given_name}", f"{r.family_name_kana}　{r.given_name_kana}", r.birth_date,
            r.get_sex_display(), r.household.postal_code, r.household.full_address, r.household.district)
        for r in queryset.select_related("household")
    ]  # fmt: skip


def _unprotected(rows: list[Row]) -> list[Row]:
    protected = selectors.protected_ids([r.resident_id for r in rows])
    return [r for r in rows if r.resident_id not in protected]


def inspection_copy(districts: list[str], purpose: str, order: str = "address", seed: int | None = None) -> list[Row]:
    """The 閲覧用 partial copy of ``districts``: persons under a support measure left out; ``order`` is ``address``
    (町字, 住所, 生年月日) or ``random`` (a random order, reproducible with ``seed``)."""
    problems = Problems()
    if not districts or not all(d.strip() for d in districts):
        problems.add("districts", "required", "閲覧に供する町字を選んでください。", "Choose the districts.")
    if order not in ("address", "random"):
        problems.add("order", "invalid", "並び順は address（住所順）か random（無作為）です。",
                     "order is address or random.")  # fmt: skip
    if not purpose.strip():
        problems.add("purpose", "required", "作成の目的を入力してください。", "Enter the purpose.")
    problems.raise_if_any()
    found = Resident.objects.filter(selectors.current(), household__district__in=districts)
    rows = _unprotected(_rows(found))
    if order == "random":
        random.Random(seed).shuffle(rows)  # noqa: S311 - an order for inspection, not a secret
    else:
        rows.sort(key=lambda r: (r.district, sort_key(r.address), r.birth_date, r.resident_id))  # 2番 before 10番
    record("resident.extract.inspection_copy", "extract", ",".join(districts), list(INSPECTION_ITEMS),
           f"{purpose} ({len(rows)}名, {order})")  # fmt: skip
    return rows


def inspection_csv(rows: list[Row]) -> str:
    """氏名,生年月日,性別,住所 — the four items of 法11条, nothing more."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["氏名", "生年月日", "性別", "住所"])
    for r in rows:
        writer.writerow([r.name, r.birth_date.isoformat(), r.sex, r.address])
    return out.getvalue()


@dataclass(frozen=True)
class SampleCriteria:
    count: int
    sex: str = ""
    born_from: date | None = None
    born_to: date | None = None
    districts: tuple[str, ...] = ()
    kind: str = ""  # japanese / foreign / "" for both
    seed: int | None = None


def random_sample(criteria: SampleCriteria, purpose: str) -> list[Row]:
    """無作為抽出: ``count`` residents drawn at random among those matching the criteria (all of them if fewer),
    in address order; the same criteria and seed on the same register draw the same persons."""
    problems = Problems()
    if not 1 <= criteria.count <= MAX_SAMPLE:
        problems.add("count", "invalid", f"抽出人数は1〜{MAX_SAMPLE}人です。", f"count is 1–{MAX_SAMPLE}.")
    if criteria.sex not in ("", "1", "2"):
        problems.add("sex", "invalid", "性別は 1（男）または 2（女）です。", "sex is 1 or 2.")
    if criteria.kind not in ("", Resident.Kind.JAPANESE, Resident.Kind.FOREIGN):
        problems.add("kind", "invalid", "住民の種別は japanese か foreign です。", "kind is japanese or foreign.")
    if criteria.born_from and criteria.born_to and criteria.born_from > criteria.born_to:
        problems.add("born_to", "before_start", "生年月日の範囲が逆です。", "born_to is before born_from.")
    if not purpose.strip():
        problems.add("purpose", "required", "抽出の目的を入力してください。", "Enter the purpose.")
    problems.raise_if_any()
    found = Resident.objects.filter(selectors.current())
    if criteria.sex:
        found = found.filter(sex=criteria.sex)
    if criteria.kind:
        found = found.filter(kind=criteria.kind)
    if criteria.born_from:
        found = found.filter(birth_date__gte=criteria.born_from)
    if criteria.born_to:
        found = found.filter(birth_date__lte=criteria.born_to)
    if criteria.districts:
        found = found.filter(household__district__in=list(criteria.districts))
    ids = sorted(found.values_list("id", flat=True))
    drawn = set(random.Random(criteria.seed).sample(ids, min(criteria.count, len(ids))))  # noqa: S311
    rows = sorted(
        _rows(Resident.objects.filter(id__in=drawn)), key=lambda r: (r.district, sort_key(r.address), r.resident_id)
    )
    record("resident.extract.random_sample", "extract", str(criteria.seed), ["name", "address", "birth_date", "sex"],
           f"{purpose} ({len(rows)}名)")  # fmt: skip
    return rows


def address_labels_pdf(rows: list[Row], today: date | None = None) -> bytes:
    """宛名シール: A4 sheets of 2 × 6 labels (〒, 住所, 氏名 様), in the order of ``rows``."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from .printing.pdf import fonts

    face = fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"宛名シール {(today or timezone.localdate()).isoformat()}")
    width, height = A4
    columns, lines = 2, 6
    label_w, label_h = (width - 16 * mm) / columns, (height - 20 * mm) / lines
    for i, row in enumerate(rows):
        if i and i % (columns * lines) == 0:
            pdf.showPage()
        slot = i % (columns * lines)
        x = 8 * mm + (slot % columns) * label_w + 6 * mm
        y = height - 10 * mm - (slot // columns) * label_h - 10 * mm
        pdf.setFont(face.text, 10)
        if row.postal_code:
            pdf.drawString(x, y, f"〒{row.postal_code[:3]}-{row.postal_code[3:]}")
        address = row.address
        for n, start in enumerate(range(0, min(len(address), 66), 22)):
            pdf.drawString(x, y - (5 + 5 * n) * mm, address[start : start + 22])
        pdf.setFont(face.label, 13)
        pdf.drawString(x + 4 * mm, y - 25 * mm, f"{row.name}　様")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
