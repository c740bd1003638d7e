"""Issuing certificates: 住民票の写し (法12条), 除票の写し (法15条の4), 住民票記載事項証明書 (施行令15条の2 …).

Who may ask for what (住民基本台帳法):
- the person or a member of their household (法12条1項) may have any item; the 個人番号 only they may (法12条5項:
  otherwise it is omitted), and 本籍・筆頭者, 続柄 and the 住民票コード are printed only when asked for;
- public offices (法12条の2) and third parties with a legitimate interest (法12条の3) never get the 個人番号 or the
  住民票コード (法12条の2・3, 4項);
- a person under a support measure (支援措置) gets certificates only for themselves: any other request is refused,
  audited and alerted (support.guard).
The PDF is rendered, sealed with the municipality's electronic seal and signed (printing/), and only its hash is
kept, with an issue number and a verification code anyone can check on the public verification page.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from kiban.platform.audit.actor import current_actor
from kiban.platform.audit.services import record
from kiban.platform.crypto import services as crypto
from kiban.platform.metering import services as metering
from kiban.platform.monitoring.metrics import CERTIFICATES
from kiban.platform.tenants.context import current_tenant_id
from kiban.platform.tenants.models import Tenant

from . import printing, selectors, support
from .models import HOUSEHOLDER, Certificate, Household, Resident, ResidentHistory, Seal
from .printing.content import CertificateContent, HistoryLine, PersonEntry
from .printing.seal import SealMaterial, create_seal
from .validation import Problems

ITEMS = {
    "householder": "世帯主・続柄",
    "domicile": "本籍・筆頭者",
    "resident_code": "住民票コード",
    "individual_number": "個人番号",
    "history": "前住所・異動履歴",
}
SEAL_KEY_COLUMN = "residents.seal_private_key"
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by people


@dataclass(frozen=True)
class Request:
    kind: str  # Certificate.Kind
    resident_ids: list[int]
    requester: str  # Certificate.Requester
    requester_name: str
    purpose: str
    items: tuple[str, ...] = ()
    layout: str = "household"
    requester_resident_id: int | None = None  # when the requester is a resident (self or household)


@dataclass(frozen=True)
class Issued:
    certificate: Certificate
    pdf: bytes


def verification_url(code: str) -> str:
    from django.conf import settings

    return f"{getattr(settings, 'KIBAN_PUBLIC_URL', 'http://127.0.0.1:8000').rstrip('/')}/verify/{code}/"


def _new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    return f"{current_tenant_id()}-" + "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def seal() -> SealMaterial:
    """The municipality's newest seal; the first use creates it (a demo CA stands in for LGPKI)."""
    row = Seal.objects.order_by("-id").first()
    if row is None:
        tenant = Tenant.objects.get(code=current_tenant_id())
        material = create_seal(f"{tenant.prefecture}{tenant.name}長", f"{tenant.prefecture}{tenant.name}")
        public, key = _split(material)
        row = Seal(material=public, private_key_cipher=crypto.encrypt(key, SEAL_KEY_COLUMN))
        row.save()
    return _join(row.material, crypto.decrypt(bytes(row.private_key_cipher), SEAL_KEY_COLUMN))


def _split(material: SealMaterial) -> tuple[dict[str, str], str]:
    values = asdict(material)
    key_field = next(f.name for f in fields(material) if "key" in f.name and "public" not in f.name)
    key = values.pop(key_field)
    public = {k: base64.b64encode(v).decode() if isinstance(v, bytes) else v for k, v in values.items()}
    public["_key_field"] = key_field
    return public, key.decode() if isinstance(key, bytes) else key


def _join(public: dict[str, Any], key: str) -> SealMaterial:
    values = dict(public)
    key_field = values.pop("_key_field")
    kinds = {f.name: f.type for f in fields(SealMaterial)}
    decoded: dict[str, Any] = {k: base64.b64decode(v) if "bytes" in str(kinds.get(k)) else v for k, v in values.items()}
    decoded[key_field] = key.encode() if "bytes" in str(kinds[key_field]) else key
    return SealMaterial(**decoded)


def trust_root() -> bytes:
    """The CA certificate (PEM) the municipality's seal certificates chain to."""
    material = seal()
    for name in ("ca_cert_pem", "ca_certificate_pem", "root_pem", "ca_pem"):
        if hasattr(material, name):
            return bytes(getattr(material, name))
    raise LookupError("the seal material has no CA certificate")


def _check(request: Request, people: list[Resident]) -> Problems:
    problems = Problems()
    if request.kind not in Certificate.Kind.values:
        problems.add("kind", "invalid", "証明書の種別が正しくありません。", "Unknown certificate kind.")
    if request.requester not in Certificate.Requester.values:
        problems.add("requester", "invalid", "請求者の区分が正しくありません。", "Unknown requester kind.")
    if request.layout not in ("household", "individual"):
        problems.add("layout", "invalid", "様式は世帯連記式か個人票です。", "Layout is household or individual.")
    if not request.purpose.strip() or not request.requester_name.strip():
        problems.add(
            "purpose", "required", "請求者と請求事由を入力してください。", "Enter the requester and the purpose."
        )
    unknown = set(request.items) - set(ITEMS)
    if unknown:
        problems.add(
            "items", "invalid", f"記載できない項目です: {sorted(unknown)}", f"Unknown items: {sorted(unknown)}"
        )
    missing = set(request.resident_ids) - {r.id for r in people}
    if not request.resident_ids or missing:
        problems.add("resident_ids", "not_found", "対象者が見つかりません。", "No such resident.")
    if request.layout == "individual" and len(request.resident_ids) != 1:
        problems.add("layout", "one_person", "個人票は1人ずつです。", "The individual form is for one person.")
    if len({r.household_id for r in people}) > 1:
        problems.add(
            "resident_ids", "several_households", "1枚の写しは1つの世帯です。", "One certificate, one household."
        )
    removed = request.kind == Certificate.Kind.REMOVED_COPY
    for r in people:
        if removed != (r.status == Resident.Status.REMOVED):
            problems.add(
                "resident_ids",
                "wrong_status",
                "除票の写しは消除された方、住民票の写しは住民の方についてのみ交付できます。",
                "A removed record's copy is for removed persons; a resident record's copy for residents.",
            )
            break
    if request.requester in (Certificate.Requester.PUBLIC_OFFICE, Certificate.Requester.THIRD_PARTY):
        refused = {"individual_number", "resident_code"} & set(request.items)
        if refused:
            problems.add(
                "items",
                "not_allowed",
                "個人番号・住民票コードは本人又は同一世帯の方の請求に限り記載できます（法12条の2・12条の3）。",
                "Individual number and resident code are for the person or their household only.",
            )
    if request.requester in (Certificate.Requester.SELF, Certificate.Requester.HOUSEHOLD):
        requester = (
            Resident.objects.filter(id=request.requester_resident_id).first() if request.requester_resident_id else None
        )
        if requester is None or (people and requester.household_id != people[0].household_id):
            problems.add(
                "requester_resident_id",
                "not_household",
                "本人又は同一世帯の方であることを確認できません。",
                "The requester is not the person or a member of their household.",
            )
    return problems


def _entry(r: Resident, request: Request) -> PersonEntry:
    items = set(request.items)
    history: tuple[HistoryLine, ...] = ()
    if "history" in items:
        history = tuple(
            HistoryLine(h.effective_on, h.notified_on, h.kind, f"{h.address}{'　' + h.building if h.building else ''}")
            for h in ResidentHistory.objects.filter(resident_id=r.id).order_by("seq")
        )
    number = None
    if "individual_number" in items and r.individual_number_cipher is not None:
        number = selectors.reveal_individual_number(r.id, f"証明書交付: {request.purpose}")
    return PersonEntry(
        family_name=r.family_name,
        given_name=r.given_name,
        family_name_kana=r.family_name_kana,
        given_name_kana=r.given_name_kana,
        birth_date=r.birth_date,
        sex=r.get_sex_display(),
        relationship=r.relationship if "householder" in items else None,
        became_resident_on=r.became_resident_on,
        moved_in_on=r.moved_in_on,
        previous_address=r.previous_address if "history" in items else None,
        domicile=r.domicile if "domicile" in items and r.domicile else None,
        domicile_head=r.domicile_head if "domicile" in items and r.domicile_head else None,
        resident_code=r.resident_code if "resident_code" in items else None,
        individual_number=number,
        removed_on=r.removed_on,
        removal_reason=r.removal_reason or None,
        nationality=r.nationality or None,
        residence_status=r.residence_status or None,
        period_of_stay_until=r.period_of_stay_until,
        residence_card_number=r.residence_card_number or None,
        alias=r.alias or None,
        history=history,
    )


def issue(request: Request) -> Issued:
    """Check, guard (support measures), render, seal and sign, record; returns the PDF."""
    people = list(Resident.objects.filter(id__in=request.resident_ids).order_by("id"))
    people.sort(key=lambda r: (r.relationship != HOUSEHOLDER, r.birth_date))
    _check(request, people).raise_if_any()
    is_self = request.requester == Certificate.Requester.SELF and request.resident_ids == [
        request.requester_resident_id
    ]
    support.guard([r.id for r in people], what=dict(Certificate.Kind.choices)[request.kind], requester_is_self=is_self)
    household = Household.objects.get(id=people[0].household_id)
    householder = Resident.objects.filter(household_id=household.id, relationship=HOUSEHOLDER).first()
    tenant = Tenant.objects.get(code=current_tenant_id())
    today = timezone.localdate()
    code = _new_code()
    number = f"{today:%Y%m%d}-{secrets.token_hex(4).upper()}"
    content = CertificateContent(
        kind=cast(Any, request.kind),
        layout=cast(Any, request.layout),
        municipality_name=f"{tenant.prefecture}{tenant.name}",
        mayor=f"{tenant.name}長",
        address=household.full_address,
        householder_name=(householder.display_name if householder and "householder" in request.items else None),
        persons=tuple(_entry(r, request) for r in people),
        issued_on=today,
        issue_number=number,
        verification_code=code,
        verification_url=verification_url(code),
        omitted_items=tuple(label for key, label in ITEMS.items() if key not in request.items and key != "history"),
    )
    pdf = printing.render_signed(content, seal())
    with transaction.atomic():
        certificate = Certificate(
            kind=request.kind,
            layout=request.layout,
            resident_ids=[r.id for r in people],
            items=sorted(request.items),
            requester=request.requester,
            requester_name=request.requester_name,
            purpose=request.purpose,
            issue_number=number,
            verification_code=code,
            sha256=hashlib.sha256(pdf).hexdigest(),
            issued_on=today,
            issued_by=f"{current_actor().kind}:{current_actor().ident}",
        )
        certificate.save()
        record(
            "residents.certificate.issued",
            "certificate",
            str(certificate.id),
            fields_read=sorted({"name", "birth_date", "address", *request.items}),
            purpose=request.purpose,
        )
        metering.add(current_tenant_id(), "certificates")
        CERTIFICATES.labels("residents", request.kind).inc()
    return Issued(certificate, pdf)


@dataclass(frozen=True)
class Verification:
    """What the public page shows: validity and what the paper itself shows at the top, nothing more."""

    found: bool
    kind: str = ""
    issue_number: str = ""
    issued_on: date | None = None
    municipality: str = ""
    file_matches: bool | None = None  # when a PDF was uploaded: identical to the one issued, signature valid


def verify(code: str, pdf: bytes | None = None) -> Verification:
    """Look a verification code up (the caller has entered the tenant named by the code's prefix)."""
    certificate = Certificate.objects.filter(verification_code=code.strip().upper()).first()
    if certificate is None:
        return Verification(False)
    tenant = Tenant.objects.get(code=current_tenant_id())
    matches = None
    if pdf is not None:
        signature = printing.seal.verify_pdf(pdf, trust_root())
        matches = hashlib.sha256(pdf).hexdigest() == certificate.sha256 and signature.valid
    record("residents.certificate.verified", "certificate", str(certificate.id), purpose="公開確認ページ")
    return Verification(
        True,
        certificate.get_kind_display(),
        certificate.issue_number,
        certificate.issued_on,
        f"{tenant.prefecture}{tenant.name}",
        matches,
    )
