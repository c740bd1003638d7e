"""Issuing certificates: 住民票の写し (法12条), 除票の写し (法15条の4), 住民票記載事項証明書 (施行令15条の2 …).

Who may ask for what (住民基本台帳法):
- the person or a member of their household (法12条1項) may have any item; the 個人番号 only they may (法12条5項:
  otherwise it is omitted), and 本籍・筆頭者, 続柄 and the 住民票コード are printed only when asked for;
- public offices (法12条の2) and third parties with a legitimate interest (法12条の3) never get the 個人番号 or the
  住民票コード (法12条の2・3, 4項);
- a proxy (代理人) with a letter of attorney (委任状) asks on the person's behalf (法12条): their name is the requester's,
  no 個人番号 at the counter (``items_refused``);
- a person under a support measure (支援措置) gets certificates only for themselves: any other request is refused,
  audited and alerted (support.guard).
The PDF is rendered, sealed with the municipality's electronic seal and signed (printing/), and only its hash is
kept, with an issue number and a verification code anyone can check on the public verification page.

From the 住民記録システム標準仕様書 (v1.0; docs/residents/requirements.md):
- 1.3.9 (j310) 認証者: the certificate names the certifier in force on the issue date — the mayor (市区町村長) or,
  within a deputy period registered in advance, the acting deputy (職務代理者), each with title and name; a ward of
  a designated city (指定都市の区) has its own 区長 and deputy. No certifier, no certificate (``certifier_on``).
- 5.2 (j1010) 世帯員の並び順: members are printed in the 順位1–4 order (``rule_order``), newcomers to an existing
  household at the end, or in an order set for the household and kept (``member_order``, ``set_member_order``).
- 5.3 (j1020) フリガナ: the item ``furigana`` prints the names (and 通称) followed by their katakana in parentheses.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, timedelta
from typing import Any, cast

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import record
from kiban.platform.crypto import services as crypto
from kiban.platform.metering import services as metering
from kiban.platform.monitoring.metrics import CERTIFICATES
from kiban.platform.tenants.codes import InvalidLocalGovernmentCode, validate_code
from kiban.platform.tenants.context import current_tenant_id
from kiban.platform.tenants.models import Tenant
from kiban.standard.codes import MOVE_OUT_REASONS, ChangeReason
from kiban.standard.text import normalize_kana_input

from . import printing, remarks, selectors, support
from .models import (
    HOUSEHOLDER,
    Certificate,
    Certifier,
    Household,
    HouseholdMemberOrder,
    IssuedDocument,
    MoveOutCertificate,
    Procedure,
    Resident,
    ResidentHistory,
    Seal,
)
from .printing.content import CertificateContent, HistoryLine, PersonEntry
from .printing.seal import SealMaterial, create_seal
from .validation import MOVE_OUT_LATE_DAYS, Problems

ITEMS = {
    "householder": "世帯主・続柄",
    "domicile": "本籍・筆頭者",
    "resident_code": "住民票コード",
    "individual_number": "個人番号",
    "history": "前住所・異動履歴",
    "furigana": "フリガナ",  # 標準仕様書 5.3 (j1020): optional, off unless chosen
}
# Choices about how the certificate is printed, not items of the record: never listed as omitted (省略).
PRINT_OPTIONS = frozenset({"history", "furigana"})
SEAL_KEY_COLUMN = "residents.seal_private_key"
REMOVED_KINDS = frozenset({Certificate.Kind.REMOVED_COPY, Certificate.Kind.REMOVED_ITEMS})  # of a 除票 (法15条の4)
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
    ward_code: str = ""  # a designated city's ward issuing the certificate (its 区長 certifies); "" the municipality
    place: str = (
        ""  # 入力場所 and 入力端末 of the counter issuing it (標準仕様書 1.3.1, ``places``); "" through the API
    )
    terminal: str = ""


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


def _number_and_code(today: date) -> tuple[str, str]:
    """A new issue number (発行番号) and verification code (確認コード)."""
    return f"{today:%Y%m%d}-{secrets.token_hex(4).upper()}", _new_code()


# --- What every certificate shares: the certifier, the issue number and code, the signed PDF's hash kept ----------

_AUDITED_AS: dict[type[IssuedDocument], str] = {Certificate: "certificate", MoveOutCertificate: "move_out_certificate"}


def _certifier(problems: Problems, day: date, ward_code: str = "") -> Certifier | None:
    """The certifier in force on ``day`` (``certifier_on``); without one nothing may be issued: a problem."""
    certifier = certifier_on(day, ward_code)
    if certifier is None:
        problems.add(
            "certifier",
            "not_configured",
            "認証者（市区町村長又は職務代理者の職名・氏名）が登録されていないため、証明書を交付できません。"
            "責任者が認証者を登録してください（標準仕様書 1.3.9）。",
            "No certifier (the mayor's or the acting deputy's title and name) is registered for today, so no "
            "certificate can be issued: a supervisor must register one first.",
        )
    return certifier


def _content(certifier: Certifier, day: date, **items: Any) -> CertificateContent:
    """What a certificate prints: ``items`` (kind, persons …) and what every certificate prints about its issue, the
    municipality, the certifier and the office's seal, the date, a new issue number and verification code."""
    tenant = Tenant.objects.get(code=current_tenant_id())
    number, code = _number_and_code(day)
    return CertificateContent(
        municipality_name=f"{tenant.prefecture}{tenant.name}",
        mayor=f"{certifier.title}　{certifier.name}",
        seal_title=_seal_title(certifier, day),
        issued_on=day,
        issue_number=number,
        verification_code=code,
        verification_url=verification_url(code),
        **items,
    )


def _sign_and_keep(
    content: CertificateContent, document: IssuedDocument, action: str, fields_read: list[str], purpose: str
) -> bytes:
    """Render, seal and sign ``content``; then, in one transaction, keep ``document`` with the issue number, the code
    and the PDF's hash (not the PDF), audited as ``action``, metered and counted. Returns the signed PDF."""
    pdf = printing.render_signed(content, seal())
    document.issue_number, document.verification_code = content.issue_number, content.verification_code
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    document.issued_on, document.issued_by = content.issued_on, actor_label()
    with transaction.atomic():
        document.save()
        record(action, _AUDITED_AS[type(document)], str(document.pk), fields_read=fields_read, purpose=purpose)
        metering.add(current_tenant_id(), "certificates")
        CERTIFICATES.labels("residents", content.kind).inc()
    return pdf


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
    removed = request.kind in REMOVED_KINDS
    for r in people:
        # 標準仕様書 1.1.5 (j50): until a move-out's planned date the person is a 現存者 (a 住民票の写し, not a 除票)
        if removed == selectors.is_current(r):
            problems.add(
                "resident_ids",
                "wrong_status",
                "除票の写しは消除された方、住民票の写しは住民の方についてのみ交付できます（記載事項証明書も同じです）。",
                "A removed record's copy is for removed persons; a resident record's copy for residents.",
            )
            break
    items_refused(problems, request.requester, request.items)
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


def items_refused(problems: Problems, requester: str, items: Iterable[str]) -> None:
    """Add a problem when ``requester`` may not have some of ``items``: a public office or a third party never gets
    the 個人番号 or the 住民票コード (法12条の2・12条の3, 4項); a proxy (代理人, 委任状) asks on the person's behalf
    (法12条) and may have the 住民票コード, but not the 個人番号 at the counter (住民基本台帳事務処理要領: a copy with
    the 個人番号 asked for by a proxy is sent to the person's address). Shared by ``issue`` and the correction of the
    requester kind after issue (``personal_notice.correct_requester``), which may not make an issuance unlawful."""
    chosen = set(items)
    if requester in (Certificate.Requester.PUBLIC_OFFICE, Certificate.Requester.THIRD_PARTY):
        if {"individual_number", "resident_code"} & chosen:
            problems.add(
                "items",
                "not_allowed",
                "個人番号・住民票コードは本人又は同一世帯の方の請求に限り記載できます（法12条の2・12条の3）。",
                "Individual number and resident code are for the person or their household only.",
            )
    elif requester == Certificate.Requester.PROXY and "individual_number" in chosen:
        problems.add(
            "items",
            "not_allowed",
            "代理人には個人番号を記載した写しを窓口で交付できません（本人の住所あてに送付します）。",
            "A proxy cannot be handed a copy with the individual number (it is sent to the person's address).",
        )


def _current_entry(r: Resident, request: Request) -> PersonEntry:
    """A 現存者's entry: no 消除 items (a person moving out is recorded as removed from the planned date on)."""
    return replace(_entry(r, request), removed_on=None, removal_reason=None)


def _entry(r: Resident, request: Request) -> PersonEntry:
    items = set(request.items)
    history: tuple[HistoryLine, ...] = ()
    remarked: tuple[str, ...] = ()
    if "history" in items:
        entries = list(ResidentHistory.objects.filter(resident_id=r.id).order_by("seq"))
        spans = selectors.record_spans(entries)  # this 住民票's history only (標準仕様書 2.2.1: not a 再転入's)
        first = spans[-1].first_seq if spans else 0
        entered = remarks.entered(r.id)  # 統合記載欄 (標準仕様書 1.1.14): 留意事項 with their entry, 備考 apart
        history = tuple(
            HistoryLine(h.effective_on, h.notified_on, h.kind, h.full_address, entered.notes.get(h.seq, ()))
            for h in entries
            if h.seq >= first
        )
        remarked = entered.remarks
    number = None
    if "individual_number" in items and r.individual_number_cipher is not None:
        number = selectors.reveal_individual_number(r.id, f"証明書交付: {request.purpose}")
    return PersonEntry(
        family_name=r.family_name,
        given_name=r.given_name,
        family_name_kana=normalize_kana_input(r.family_name_kana),
        given_name_kana=normalize_kana_input(r.given_name_kana),
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
        alias_kana=normalize_kana_input(r.alias_kana) if r.alias else None,
        former_surname=r.former_surname or None,
        former_surname_kana=r.former_surname_kana if r.former_surname else None,
        history=history,
        remarks=remarked,
    )


def _householder(household_id: int, people: Sequence[Resident], day: date, today: date) -> Resident | None:
    """The 世帯主 to print: the one among ``people`` (as they are printed), else the household's on ``day``: the
    issue day's (``today``, read once per certificate) as the register holds it (``selectors.current_rows``: a 転出
    waiting for its planned date has changed nothing yet), an earlier day's as the history holds it
    (``selectors.householder_on``; a 除票's, ``_left_on``)."""
    found = next((r for r in people if r.relationship == HOUSEHOLDER), None)
    if found is not None:
        return found
    if day < today:
        return selectors.householder_on(household_id, day)
    heads = Resident.objects.filter(selectors.current(day), household_id=household_id, relationship=HOUSEHOLDER)
    return next((r for r in selectors.current_rows(heads, day) if r.relationship == HOUSEHOLDER), None)


def _address(household: Household, people: Sequence[Resident], day: date, today: date) -> str:
    """The address to print (with 方書): the household's on the issue day (``today``); an earlier day's (a 除票's,
    ``_left_on``) as the history of the person removed last holds it (``selectors.address_on``), not the household's today: it may have
    moved on without them since (a 転居 or a 軽微な修正 rewrites its address in place). A person with no entry the
    day before (registered on the day of their removal) gets the address their removal recorded."""
    if day >= today:
        return household.full_address
    last = max(people, key=lambda r: r.removed_on or date.min)
    removal = last.removed_on or day
    return selectors.address_on(last.id, day) or selectors.address_on(last.id, removal) or household.full_address


def _left_on(people: Sequence[Resident], today: date) -> date:
    """The day a 除票's household is printed as of: the last day its persons were members, the day before their
    removal (on the 消除日 they are off the register, and so is a 世帯主 who left with them); the latest removal when
    they left on different days; today when no 消除日 is recorded."""
    removed = [r.removed_on for r in people if r.removed_on is not None]
    return max(removed) - timedelta(days=1) if removed else today


def issue(request: Request) -> Issued:
    """Check, guard (support measures), render, seal and sign, record; returns the PDF."""
    people = list(Resident.objects.filter(id__in=request.resident_ids).order_by("id"))
    today = timezone.localdate()
    problems = _check(request, people)
    certifier = _certifier(problems, today, request.ward_code)
    problems.raise_if_any()
    assert certifier is not None
    # The register as it stands on the issue day (標準仕様書 1.1.5, j50): until a 転出's planned date the person
    # moving out is still a member, and the others keep the 世帯主・続柄 the 転出 changes from that date on.
    people = selectors.current_rows(people, today)
    if len({r.household_id for r in people}) == 1:
        people = member_order(people[0].household_id, people)
    is_self = request.requester == Certificate.Requester.SELF and request.resident_ids == [
        request.requester_resident_id
    ]
    support.guard([r.id for r in people], what=dict(Certificate.Kind.choices)[request.kind], requester_is_self=is_self)
    household = Household.objects.get(id=people[0].household_id)
    # A 除票's address and 世帯主 are those of the household the person left, as it stood then (not where it lives or
    # who heads it today).
    removed = request.kind in REMOVED_KINDS
    day = _left_on(people, today) if removed else today
    householder = _householder(household.id, people, day, today)
    content = _content(
        certifier,
        today,
        kind=cast(Any, request.kind),
        layout=cast(Any, request.layout),
        address=_address(household, people, day, today),
        householder_name=(householder.display_name if householder and "householder" in request.items else None),
        persons=tuple(_entry(r, request) if removed else _current_entry(r, request) for r in people),
        omitted_items=tuple(
            label for key, label in ITEMS.items() if key not in request.items and key not in PRINT_OPTIONS
        ),
        furigana="furigana" in request.items,
        official_use=request.requester == Certificate.Requester.PUBLIC_OFFICE,
    )
    certificate = Certificate(
        kind=request.kind,
        layout=request.layout,
        resident_ids=[r.id for r in people],
        items=sorted(request.items),
        requester=request.requester,
        requester_name=request.requester_name,
        purpose=request.purpose,
        sheets=printing.pdf.page_count(content),  # 枚数 of the 交付記録 (標準仕様書 8.1.1)
        place=request.place or None,
        terminal=request.terminal or None,
    )
    fields_read = sorted({"name", "birth_date", "address", *request.items})
    pdf = _sign_and_keep(content, certificate, "residents.certificate.issued", fields_read, request.purpose)
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
    wanted = code.strip().upper()
    certificate: Certificate | MoveOutCertificate | None = (
        Certificate.objects.filter(verification_code=wanted).first()
        or MoveOutCertificate.objects.filter(verification_code=wanted).first()
    )
    if certificate is None:
        return Verification(False)
    tenant = Tenant.objects.get(code=current_tenant_id())
    matches = None
    if pdf is not None:
        signature = printing.seal.verify_pdf(pdf, trust_root())
        matches = hashlib.sha256(pdf).hexdigest() == certificate.sha256 and signature.valid
    what = _AUDITED_AS[type(certificate)]
    record("residents.certificate.verified", what, str(certificate.id), purpose="公開確認ページ")
    return Verification(
        True,
        certificate.get_kind_display(),
        certificate.issue_number,
        certificate.issued_on,
        f"{tenant.prefecture}{tenant.name}",
        matches,
    )


# --- 認証者 (標準仕様書 1.3.9, j310) ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertifierData:
    """A certifier to register: the mayor (from ``starts_on``, until a later mayor or ``ends_on``) or the acting
    deputy for the period ``starts_on``–``ends_on``; ``ward_code`` for a designated city's ward (区長)."""

    role: str  # Certifier.Role
    title: str  # 職名, e.g. "千代田区長", "千代田区長職務代理者　千代田区副区長"
    name: str  # 氏名
    starts_on: date
    ends_on: date | None = None
    ward_code: str = ""


def register_certifier(data: CertifierData) -> Certifier:
    """Register a certifier (標準仕様書 1.3.9): title and name are both required — a certifier without a name
    (「○○長 公印」) is 実装しない機能 —, a deputy needs the period, and periods of the same kind may not overlap."""
    problems = Problems()
    title, name = data.title.strip(), data.name.strip()
    if data.role not in Certifier.Role.values:
        problems.add("role", "invalid", "認証者の区分は市区町村長か職務代理者です。", "Role is mayor or deputy.")
    if not title:
        problems.add("title", "required", "認証者の職名を入力してください。", "Enter the certifier's title.")
    if not name:
        problems.add(
            "name",
            "required",
            "認証者の氏名を入力してください。氏名を空欄とすることはできません（標準仕様書 1.3.9）。",
            "Enter the certifier's name: a certifier without a name is not allowed.",
        )
    if data.role == Certifier.Role.DEPUTY and data.ends_on is None:
        problems.add(
            "ends_on", "required", "職務代理者の期間の終了日を入力してください。", "Enter the end of the deputy period."
        )
    if data.ends_on is not None and data.ends_on < data.starts_on:
        problems.add("ends_on", "before_start", "終了日が開始日より前です。", "The end date is before the start date.")
    if data.ward_code:
        check_ward(problems, data.ward_code)
    if not problems and _overlaps(data):
        problems.add(
            "starts_on",
            "overlap",
            "同じ区分の認証者の期間が重なっています。先に登録済みの認証者を取り消してください。",
            "This period overlaps a certifier of the same role; withdraw that one first.",
        )
    problems.raise_if_any()
    certifier = Certifier(
        ward_code=data.ward_code,
        role=data.role,
        title=title,
        name=name,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        recorded_by=actor_label(),
    )
    certifier.save()
    record("residents.certifier.registered", "certifier", str(certifier.id))
    return certifier


def check_ward(problems: Problems, ward_code: str) -> None:
    """A problem on ``ward_code`` unless it is the code of a ward of this designated city (認証者, 入力場所)."""
    tenant = Tenant.objects.get(code=current_tenant_id())
    try:
        validate_code(ward_code)
    except InvalidLocalGovernmentCode:
        problems.add("ward_code", "invalid", "区のコードが正しくありません。", "The ward code is not valid.")
        return
    if tenant.kind != "designated_city" or ward_code[:2] != tenant.code[:2] or ward_code == tenant.code:
        problems.add(
            "ward_code",
            "not_a_ward",
            "区長の認証者は指定都市の区についてのみ登録できます。",
            "A ward certifier exists only for a ward of a designated city.",
        )


def _overlaps(data: CertifierData) -> bool:
    same = Certifier.objects.filter(ward_code=data.ward_code, role=data.role, withdrawn_at__isnull=True)
    if data.role == Certifier.Role.MAYOR:  # a mayor's term is open-ended: only the same start date clashes
        return same.filter(starts_on=data.starts_on).exists()
    ends_on = data.ends_on or data.starts_on
    return same.filter(starts_on__lte=ends_on, ends_on__gte=data.starts_on).exists()


def withdraw_certifier(certifier_id: int) -> Certifier:
    """Withdraw a mistaken registration (the row stays, so what was certified on a past day can still be told)."""
    certifier = Certifier.objects.filter(id=certifier_id, withdrawn_at__isnull=True).first()
    if certifier is None:
        problems = Problems()
        problems.add("certifier", "not_found", "認証者が見つかりません。", "No such certifier.")
        problems.raise_if_any()
    assert certifier is not None
    certifier.withdrawn_at = timezone.now()
    certifier.withdrawn_by = actor_label()
    certifier.save(update_fields=["withdrawn_at", "withdrawn_by"])
    record("residents.certifier.withdrawn", "certifier", str(certifier.id))
    return certifier


def certifier_on(day: date, ward_code: str = "") -> Certifier | None:
    """The certifier in force on ``day`` (標準仕様書 1.3.9): a deputy whose period covers it, else the mayor whose
    term started last on or before it; ``None`` when none is registered (then nothing may be issued)."""
    active = Certifier.objects.filter(ward_code=ward_code, withdrawn_at__isnull=True, starts_on__lte=day)
    deputy = active.filter(role=Certifier.Role.DEPUTY, ends_on__gte=day).order_by("-starts_on", "-id").first()
    return deputy or _mayor_on(day, ward_code)


def _mayor_on(day: date, ward_code: str) -> Certifier | None:
    return (
        Certifier.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=day),
            ward_code=ward_code,
            withdrawn_at__isnull=True,
            starts_on__lte=day,
            role=Certifier.Role.MAYOR,
        )
        .order_by("-starts_on", "-id")
        .first()
    )


def _seal_title(certifier: Certifier, day: date) -> str:
    """The official seal is the office's (「○○長之印」), also when the deputy certifies."""
    mayor = certifier if certifier.role == Certifier.Role.MAYOR else _mayor_on(day, certifier.ward_code)
    return (mayor or certifier).title.split("　")[0]


def notice_issuer(problems: Problems, day: date) -> tuple[str, str]:
    """Who issues a notice to a person (通知票・通知書: 標準仕様書 4.3.3, 4.0.5) on ``day``: the municipality's name and
    the certifier in force (title and name, 1.3.9); a problem on ``certifier`` when none is registered."""
    certifier = certifier_on(day)
    if certifier is None:
        problems.add("certifier", "not_configured",
                     "認証者（市区町村長）が登録されていないため、通知書を出力できません。",
                     "No certifier (the mayor) is registered for today, so no notice can be printed.")  # fmt: skip
        return "", ""
    tenant = Tenant.objects.get(code=current_tenant_id())
    return f"{tenant.prefecture}{tenant.name}", f"{certifier.title}　{certifier.name}"


def certifiers() -> list[Certifier]:
    """Every registered certifier of the municipality, newest period first (for the counter page)."""
    return list(Certifier.objects.order_by("ward_code", "-starts_on", "-id"))


# --- 世帯員の並び順 (標準仕様書 5.2, j1010) ---------------------------------------------------------------------------

SPOUSES = frozenset({"夫", "妻", "夫（未届）", "妻（未届）"})
PARENTS = frozenset({"父", "母"})
SIBLINGS = frozenset({"兄", "姉", "弟", "妹"})
GRANDPARENTS = frozenset({"父の父", "父の母", "母の父", "母の母"})
CHILD = "子"
RELATED_PERSON = "縁故者"
LODGER = "同居人"


@dataclass(frozen=True)
class Member:
    """What the order needs of a person: 続柄, birth date, 宛名番号 (``id``), and the family register (本籍・筆頭者)
    that tells which child a child's spouse or child belongs to, and which parent is the 筆頭者."""

    id: int
    relationship: str
    birth_date: date
    name: str = ""
    domicile: str = ""
    domicile_head: str = ""

    @classmethod
    def of(cls, r: Resident) -> Member:
        return cls(r.id, r.relationship, r.birth_date, r.family_name + r.given_name, r.domicile, r.domicile_head)

    @property
    def register(self) -> tuple[str, str] | None:
        if not self.domicile or not self.domicile_head:
            return None
        return (self.domicile, _unspaced(self.domicile_head))

    @property
    def is_register_head(self) -> bool:
        return bool(self.domicile_head) and _unspaced(self.domicile_head) == _unspaced(self.name)


def _unspaced(text: str) -> str:
    return "".join(text.split())


_FIRST = date.min


def rule_order(members: Sequence[Member]) -> list[Member]:
    """The order of 標準仕様書 5.2 (j1010), ties always by birth date and then 宛名番号 (``id``):

    - 第1順位: 1-1 世帯主, 1-2 配偶者 (夫・妻, also 未届), 1-3 世帯主の子 without a family in the household.
    - 第2順位: each child of the householder with their family in the household (準婚 included), families in the
      order of the children's birth dates; within one: 2-1 the child, 2-2 their spouse, 2-3 their descendants.
      A 子の妻/子の夫/子の子 belongs to the child with the same family register (本籍 and 筆頭者); when that does
      not tell (no register, e.g. foreign residents) and there is one child only, to that child; otherwise the
      unattached ones form a family of their own after the others.
    - 第3順位: 3-1 父母 (the 筆頭者 first), 3-2 兄弟姉妹, 3-3 祖父母 (the 筆頭者 first).
    - 第4順位: 4-1 other relatives — the spouse's parents, siblings and grandparents in the 第3順位 manner, then
      the others —, 4-2 縁故者, 4-3 同居人.
    Simplification: families of relatives and 縁故者 (第4順位 "家族内の並び順については第２順位に倣う") are not
    grouped; their members are ordered by birth date within 4-1 / 4-2. The arbitrary order (``set_member_order``)
    covers what the rules cannot see.
    """
    children = [m for m in members if m.relationship == CHILD]
    family_of: dict[int, Member | None] = {}  # a child's family member → the child (None: unattached)
    for m in members:
        terms = m.relationship.split("の")
        if len(terms) > 1 and terms[0] == CHILD:
            same_register = [c for c in children if m.register is not None and c.register == m.register]
            if same_register:
                family_of[m.id] = min(same_register, key=lambda c: (c.birth_date, c.id))
            else:
                family_of[m.id] = children[0] if len(children) == 1 else None
    heads = {c.id for c in family_of.values() if c is not None}

    def key(m: Member) -> tuple[Any, ...]:
        rel, terms = m.relationship, m.relationship.split("の")
        tail = (m.birth_date, m.id)
        if rel == HOUSEHOLDER:
            return (1, 1, _FIRST, 0, 0, 0, *tail)
        if rel in SPOUSES:
            return (1, 2, _FIRST, 0, 0, 0, *tail)
        if rel == CHILD and m.id not in heads:
            return (1, 3, _FIRST, 0, 0, 0, *tail)
        if rel == CHILD:
            return (2, 0, m.birth_date, m.id, 1, 0, *tail)
        if m.id in family_of:
            head = family_of[m.id]
            family = (head.birth_date, head.id) if head is not None else (date.max, 0)
            inner = 2 if len(terms) == 2 and terms[1] in SPOUSES else 3
            return (2, 0, *family, inner, len(terms), *tail)
        if rel in PARENTS:
            return (3, 1, _FIRST, 0, 0, int(not m.is_register_head), *tail)
        if rel in SIBLINGS:
            return (3, 2, _FIRST, 0, 0, 0, *tail)
        if rel in GRANDPARENTS:
            return (3, 3, _FIRST, 0, 0, int(not m.is_register_head), *tail)
        if rel == RELATED_PERSON:
            return (4, 2, _FIRST, 0, 0, 0, *tail)
        if rel == LODGER:
            return (4, 3, _FIRST, 0, 0, 0, *tail)
        # 4-1 親族: the spouse's side as in 第3順位 ("配偶者側の父母、兄弟姉妹、祖父母 … 第３順位に倣う"), then the rest.
        side = "の".join(terms[1:]) if terms[0] in SPOUSES else ""
        group = 1 if side in PARENTS else 2 if side in SIBLINGS else 3 if side in GRANDPARENTS else 4
        head_first = int(not m.is_register_head) if group in (1, 3) else 0
        return (4, 1, _FIRST, 0, group, head_first, *tail)

    return sorted(members, key=key)


def member_order(household_id: int, people: Iterable[Resident] = ()) -> list[Resident]:
    """The household's registered members (and ``people``, e.g. removed persons on a 除票 copy) in the order the
    世帯連記式 prints them (標準仕様書 5.2): the order set for the household if there is one (``set_member_order``),
    else the 順位1–4 rules; in both cases whoever joined the household later by 転入, 転居 or a household change
    ("転入等により既設の世帯に入る者") follows at the end, in the order they joined."""
    members = {r.id: r for r in Resident.objects.filter(household_id=household_id, status=Resident.Status.REGISTERED)}
    members.update({r.id: r for r in people})
    joined = _joined(household_id, list(members))
    stored = HouseholdMemberOrder.objects.filter(household_id=household_id).order_by("-id").first()
    if stored is not None:
        placed = [members[i] for i in stored.resident_ids if i in members]
    else:
        founding = min((procedure for procedure, _kind in joined.values()), default=0)
        first = [r for r in members.values() if not _newcomer(joined.get(r.id), founding)]
        by_id = {r.id: r for r in first}
        placed = [by_id[m.id] for m in rule_order([Member.of(r) for r in first])]
    placed_ids = {r.id for r in placed}
    later = sorted(
        (r for r in members.values() if r.id not in placed_ids), key=lambda r: (joined.get(r.id, (0, ""))[0], r.id)
    )
    order = placed + later
    wanted = {r.id for r in people}
    return [r for r in order if r.id in wanted] if wanted else order


def _joined(household_id: int, resident_ids: list[int]) -> dict[int, tuple[int, str]]:
    """For each person, the procedure (id, 異動事由) by which they entered this household."""
    joined: dict[int, tuple[int, str]] = {}
    entries = ResidentHistory.objects.filter(resident_id__in=resident_ids).order_by("resident_id", "seq")
    for h in entries.only("resident_id", "procedure_id", "kind", "snapshot"):
        if h.resident_id not in joined and h.snapshot.get("household_id") == household_id:
            joined[h.resident_id] = (h.procedure_id, h.kind)
    return joined


def _newcomer(joined: tuple[int, str] | None, founding: int) -> bool:
    """Entered an existing household (after its first members), other than by birth (the rules place a newborn)."""
    return joined is not None and joined[0] != founding and joined[1] != ChangeReason.BIRTH


def set_member_order(household_id: int, resident_ids: Sequence[int] | None) -> HouseholdMemberOrder:
    """Set the household's order (標準仕様書 5.2: "任意に設定することもできる"; the 市区町村長 may re-sort newcomers):
    ``resident_ids`` lists every registered member once; ``None`` re-applies the 順位1–4 rules to all of them,
    newcomers included. The setting is kept (append-only) and used until set again."""
    members = list(Resident.objects.filter(household_id=household_id, status=Resident.Status.REGISTERED))
    problems = Problems()
    if not members:
        problems.add("household_id", "not_found", "世帯が見つかりません。", "No such household.")
    elif resident_ids is not None and (
        len(resident_ids) != len(set(resident_ids)) or set(resident_ids) != {r.id for r in members}
    ):
        problems.add(
            "resident_ids",
            "not_the_members",
            "並び順には世帯員全員を1回ずつ指定してください。",
            "List every member of the household exactly once.",
        )
    problems.raise_if_any()
    if resident_ids is None:
        resident_ids = [m.id for m in rule_order([Member.of(r) for r in members])]
    order = HouseholdMemberOrder(household_id=household_id, resident_ids=list(resident_ids), set_by=actor_label())
    order.save()
    record("residents.household.member_order_set", "household", str(household_id))
    return order


# --- 転出証明書 (標準仕様書 4.1.3.0.3, j660; 住民基本台帳法24条, 施行令23条) -------------------------------------------


@dataclass(frozen=True)
class IssuedMoveOut:
    certificate: MoveOutCertificate
    pdf: bytes


def issue_move_out_certificate(procedure_id: int) -> IssuedMoveOut:
    """The 転出証明書 of a 転出 procedure (標準仕様書 4.1.3.0.3: output in the course of the procedure), for the
    persons who notified it: 氏名, 出生の年月日, 男女の別, 世帯主・続柄, 戸籍の表示 (本籍・筆頭者), 住民となった年月日,
    住定日, 住民票コード, 通称 and a foreign resident's items, with the address left, the destination and the planned
    date (施行令23条). When the move-out was notified more than 14 days after it happened, the 転出証明書に準ずる証明書
    instead, saying it was issued to be attached to the 転入届. The 個人番号 is not printed (it is not sent to the
    destination either: ``services.transfer_data``). Once per procedure; a lost one is reissued
    (``reissue_move_out_certificate``)."""
    procedure = Procedure.objects.filter(id=procedure_id).first()
    problems = Problems()
    if procedure is None or procedure.kind not in MOVE_OUT_REASONS:
        problems.add("procedure_id", "not_a_move_out", "転出の処理が見つかりません。", "No such move-out procedure.")
    elif MoveOutCertificate.objects.filter(procedure_id=procedure_id, reissue_of__isnull=True).exists():
        problems.add(
            "procedure_id",
            "already_issued",
            "この転出の転出証明書は交付済みです。紛失等の場合は再交付してください。",
            "The moving-out certificate of this move-out was issued already; reissue it if it was lost.",
        )
    problems.raise_if_any()
    assert procedure is not None
    people = list(Resident.objects.filter(id__in=procedure.payload.get("resident_ids", [])).order_by("id"))
    if not people:
        problems.add("procedure_id", "not_found", "転出した方が見つかりません。", "No persons in this move-out.")
        problems.raise_if_any()
    people = member_order(people[0].household_id, people)
    household = Household.objects.get(id=people[0].household_id)
    today = timezone.localdate()
    householder = _householder(household.id, people, today, today)
    late = (procedure.notified_on - procedure.effective_on).days > MOVE_OUT_LATE_DAYS
    frozen = {
        "kind": "move_out_equivalent" if late else "move_out",
        "address": household.full_address,
        "householder_name": householder.display_name if householder else "",
        "destination_address": str(procedure.payload.get("destination_address", "")),
        "planned_on": procedure.effective_on.isoformat(),
        "persons": [_freeze(_move_out_entry(r)) for r in people],
    }
    return _sign_move_out(procedure.id, frozen, None)


def reissue_move_out_certificate(certificate_id: int) -> IssuedMoveOut:
    """再交付 after a loss (標準仕様書 4.1.3.0.3): the state printed at the first issue, marked 再交付, certified
    anew (today's certifier and date); printing the latest state instead is 実装しない機能."""
    found = MoveOutCertificate.objects.filter(id=certificate_id).first()
    original = found.reissue_of if found is not None and found.reissue_of_id else found
    if original is None:
        problems = Problems()
        problems.add("certificate_id", "not_found", "転出証明書が見つかりません。", "No such moving-out certificate.")
        problems.raise_if_any()
    assert original is not None
    return _sign_move_out(original.procedure_id, original.content, original)


MOVE_OUT_ITEMS = ("householder", "domicile", "resident_code")  # 施行令23条: 世帯主・続柄, 戸籍の表示, 住民票コード


def _move_out_entry(r: Resident) -> PersonEntry:
    """A person on the 転出証明書: the items of ``MOVE_OUT_ITEMS`` and those printed always, without the removal
    (the certificate says where to and when instead)."""
    return _current_entry(
        r, Request("move_out", [r.id], Certificate.Requester.SELF, "", "転出証明書の交付", MOVE_OUT_ITEMS)
    )


_DATE_FIELDS = frozenset(f.name for f in fields(PersonEntry) if str(f.type).startswith("date"))


def _freeze(entry: PersonEntry) -> dict[str, Any]:
    values = asdict(entry)
    values.pop("history")
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _thaw(values: dict[str, Any]) -> PersonEntry:
    thawed: dict[str, Any] = {k: date.fromisoformat(v) if k in _DATE_FIELDS and v else v for k, v in values.items()}
    return PersonEntry(**thawed)


def _sign_move_out(procedure_id: int, frozen: dict[str, Any], reissue_of: MoveOutCertificate | None) -> IssuedMoveOut:
    today = timezone.localdate()
    problems = Problems()
    certifier = _certifier(problems, today)
    problems.raise_if_any()
    assert certifier is not None
    content = _content(
        certifier,
        today,
        kind=frozen["kind"],
        layout="household",
        address=frozen["address"],
        householder_name=frozen["householder_name"] or None,
        persons=tuple(_thaw(p) for p in frozen["persons"]),
        destination_address=frozen["destination_address"],
        planned_on=date.fromisoformat(frozen["planned_on"]),
        reissue=reissue_of is not None,
    )
    certificate = MoveOutCertificate(
        procedure_id=procedure_id,
        kind=frozen["kind"],
        resident_ids=_ids_of(procedure_id),
        content=frozen,
        reissue_of=reissue_of,
    )
    action = "residents.move_out_certificate.reissued" if reissue_of else "residents.move_out_certificate.issued"
    fields_read = ["name", "birth_date", "address", "householder", "domicile", "resident_code"]
    pdf = _sign_and_keep(content, certificate, action, fields_read, "転出証明書の交付")
    return IssuedMoveOut(certificate, pdf)


def _ids_of(procedure_id: int) -> list[int]:
    procedure = Procedure.objects.get(id=procedure_id)
    return [int(i) for i in procedure.payload.get("resident_ids", [])]
