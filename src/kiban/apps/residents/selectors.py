"""Reads of the resident register. Every read of a person is audited: a person in a result list and a person
opened are distinct audit entries (the Haal Centraal BRP practice), each with the fields shown and the purpose.

Search takes only defined combinations of criteria (標準仕様書 検索; Haal Centraal), never "everyone born in 1980".
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kiban.platform.audit.services import Event, record, record_many
from kiban.platform.crypto import services as crypto
from kiban.standard.codes import MOVE_OUT_REASONS, ChangeReason
from kiban.standard.text import kana_search_key, search_key

from . import services
from .models import (
    HOUSEHOLDER,
    Certificate,
    CertificateRequesterCorrection,
    Household,
    MoveOutCertificate,
    Resident,
    ResidentHistory,
    SupportMeasure,
)
from .services import INDIVIDUAL_NUMBER
from .validation import Problems

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class SearchCriteria:
    """One of the defined combinations: kana name, kanji name, address (each optionally narrowed by date of birth
    and sex), or the resident record code. Names and kana are compared after ``kiban.standard.text.search_key``
    (full/half width, hiragana/katakana, old/new character forms and spaces do not matter)."""

    kana: str = ""
    name: str = ""
    address: str = ""
    resident_code: str = ""
    birth_date: date | None = None
    sex: str = ""
    include_removed: bool = False

    def validate(self) -> None:
        problems = Problems()
        if not (self.kana.strip() or self.name.strip() or self.address.strip() or self.resident_code.strip()):
            problems.add("criteria", "combination",
                         "カナ氏名・漢字氏名・住所・住民票コードのいずれかを入力してください（生年月日・性別だけでは検索できません）。",
                         "Search by kana name, name, address or resident record code; date of birth and sex only "
                         "narrow such a search.")  # fmt: skip
        if self.resident_code and (self.kana or self.name or self.address):
            problems.add("resident_code", "combination", "住民票コードは単独で検索してください。",
                         "Search by resident record code alone.")  # fmt: skip
        problems.raise_if_any()


def _prefix(queryset: QuerySet[Resident], column: str, key: str) -> QuerySet[Resident]:
    """An index-friendly prefix match: ``column >= key AND column < key || U+FFFF`` (a LIKE prefix is not
    turned into an index range under a non-C collation)."""
    return queryset.filter(**{f"{column}__gte": key, f"{column}__lt": key + "\uffff"})


def current(day: date | None = None) -> Q:
    """Persons on the register on ``day`` (today): registered, or removed by a move-out whose planned date has not
    come yet. 標準仕様書 1.1.5 (j50): a move-out takes effect on the planned date (or the earlier move-in date the
    destination reports); until then the person is a 現存者 and certificates and lookups treat them so."""
    day = day or timezone.localdate()
    return Q(status=Resident.Status.REGISTERED) | Q(status=Resident.Status.REMOVED, removed_on__gt=day)


def is_current(resident: Resident | ResidentRecord, day: date | None = None) -> bool:
    """``current`` for one row (or record)."""
    day = day or timezone.localdate()
    registered = resident.status == Resident.Status.REGISTERED
    return registered or (resident.removed_on is not None and resident.removed_on > day)


def protected_ids(resident_ids: list[int], day: date | None = None) -> set[int]:
    """Who among these has a support measure (支援措置) in force on ``day``."""
    day = day or timezone.localdate()
    measures = SupportMeasure.objects.filter(resident_id__in=resident_ids, released_on__isnull=True)
    return {m.resident_id for m in measures if m.in_force_on(day)}


def search(criteria: SearchCriteria, purpose: str) -> list[Resident]:
    """Residents matching one defined combination of criteria; each one listed is audited."""
    criteria.validate()
    found: QuerySet[Resident] = Resident.objects.all()
    if not criteria.include_removed:
        found = found.filter(current())
    if criteria.resident_code:
        found = found.filter(resident_code=criteria.resident_code.strip())
    if criteria.kana:
        found = _prefix(found, "search_kana", kana_search_key(criteria.kana))
    if criteria.name:
        found = _prefix(found, "search_name", search_key(criteria.name))
    if criteria.address:
        found = found.filter(household__address__startswith=criteria.address.strip())
    if criteria.birth_date:
        found = found.filter(birth_date=criteria.birth_date)
    if criteria.sex:
        found = found.filter(sex=criteria.sex)
    today = timezone.localdate()
    in_force = SupportMeasure.objects.filter(resident_id=OuterRef("id"), released_on__isnull=True, starts_on__lte=today)
    results: list[Resident] = list(
        found.annotate(protected=Exists(in_force)).order_by("search_kana", "birth_date", "id")[:SEARCH_LIMIT]
    )
    record_many(Event("resident.listed", "resident", str(r.id), Resident.LIST_FIELDS, purpose) for r in results)
    return results


@dataclass(frozen=True)
class ResidentRecord:
    """A person's record as it stood on a date (from history) or now: what the API and UI show."""

    id: int
    household_id: int
    address: str
    building: str
    values: dict[str, Any]
    version: int
    individual_number_masked: str

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def _record_from_history(resident: Resident, entry: ResidentHistory) -> ResidentRecord:
    values: dict[str, Any] = {"former_surname": "", "former_surname_kana": ""}  # items later than some snapshots
    values |= Resident.snapshot_values(entry.snapshot)
    return ResidentRecord(
        id=resident.id, household_id=values["household_id"], address=entry.address, building=entry.building,
        values=values, version=entry.seq, individual_number_masked=mask(resident),
    )  # fmt: skip


def _entry_on(resident_id: int, day: date | None) -> ResidentHistory | None:
    """The history entry in effect on ``day`` (the latest entry without a day), undone procedures left out."""
    if day is None:
        return ResidentHistory.objects.filter(resident_id=resident_id).order_by("-seq").first()
    entries = services.history_in_effect(resident_id).filter(effective_on__lte=day)
    return entries.order_by("-effective_on", "-seq").first()


def current_rows(people: Iterable[Resident], day: date | None = None) -> list[Resident]:
    """These persons' rows as the register holds them on ``day`` (today; earlier days are read from history with
    ``open_resident`` / ``household_members``), as copies never saved.

    A current row is the state after every procedure, but a 転出 takes effect on its planned date (or the earlier
    move-in date the destination reports), 標準仕様書 1.1.5 (j50): until then the person moving out is a 現存者
    (``current``) and the members who stay keep the 世帯主・続柄 it gives them from then on. A person with an entry
    of such a 転出 still waiting gets the row the history has in effect on ``day``; everyone else their current row
    (a 転出 undone by 異動の取消し, or brought forward by the 転入通知, waits no more)."""
    day = day or timezone.localdate()
    people = list(people)
    ahead = list(
        ResidentHistory.objects.filter(resident_id__in=[r.id for r in people], effective_on__gt=day).values_list(
            "resident_id", "procedure_id"
        )
    )
    waiting: set[int] = set()  # the procedures of these entries with a person still moving out on ``day``
    if ahead:
        moving_out = Resident.objects.filter(current(day)).exclude(status=Resident.Status.REGISTERED).values("id")
        entries = ResidentHistory.objects.filter(procedure_id__in={p for _, p in ahead}, resident_id__in=moving_out)
        waiting = set(entries.values_list("procedure_id", flat=True))
    pending = {resident for resident, procedure in ahead if procedure in waiting}
    rows = []
    for resident in people:
        entry = _entry_on(resident.id, day) if resident.id in pending else None
        rows.append(_row_as_of(resident, entry) if entry is not None else resident)
    return rows


def _row_as_of(resident: Resident, entry: ResidentHistory) -> Resident:
    """The person's row with the items of a history entry, a copy never saved."""
    row = copy.copy(resident)
    row.apply_snapshot(entry.snapshot)
    return row


def mask(resident: Resident) -> str:
    """The individual number shown masked (番号法 12条: 安全管理措置): only whether one is recorded."""
    return "************" if resident.individual_number_digest else ""


def open_resident(resident_id: int, purpose: str, as_of: date | None = None) -> ResidentRecord | None:
    """One resident as recorded now, or as registered on ``as_of`` (from history), audited as opened."""
    resident = Resident.objects.select_related("household").filter(id=resident_id).first()
    if resident is None:
        return None
    entry = _entry_on(resident.id, as_of)
    if entry is None:
        return None
    record_ = _record_from_history(resident, entry)
    if as_of is not None and (record_.status == Resident.Status.REMOVED and record_.removed_on <= as_of):
        return None
    record_many([Event("resident.read", "resident", str(resident.id), Resident.PERSONAL_FIELDS, purpose)])
    return record_


@dataclass(frozen=True)
class RecordSpan:
    """One 住民票 of a person: a stay in the municipality from the entry that registered them (転入, 出生, 職権記載…)
    to the entry that removed them (a 除票 from then on). A person who comes back (再転入, 標準仕様書 j600) keeps
    their 宛名番号 (the resident id) but gets a new 住民票: numbered 1, 2, … in order."""

    number: int
    first_seq: int
    last_seq: int
    began_on: date
    removed_on: date | None


def record_spans(entries: list[ResidentHistory]) -> list[RecordSpan]:
    """The 住民票 of a person's history entries (oldest first): a new one begins with the first entry after a
    removal."""
    spans: list[RecordSpan] = []
    start: ResidentHistory | None = None
    previous: ResidentHistory | None = None
    for entry in entries:
        comes_back = (
            previous is not None
            and previous.snapshot.get("status") == Resident.Status.REMOVED
            and entry.snapshot.get("status") == Resident.Status.REGISTERED
            and entry.kind != ChangeReason.CANCEL_INCREASE
        )
        if start is None or comes_back:
            if start is not None and previous is not None:
                spans.append(_span(len(spans) + 1, start, previous))
            start = entry
        previous = entry
    if start is not None and previous is not None:
        spans.append(_span(len(spans) + 1, start, previous))
    return spans


def _span(number: int, first: ResidentHistory, last: ResidentHistory) -> RecordSpan:
    removed = last.snapshot.get("status") == Resident.Status.REMOVED
    removed_on = last.snapshot.get("removed_on") if removed else None
    return RecordSpan(
        number,
        first.seq,
        last.seq,
        first.effective_on,
        date.fromisoformat(removed_on) if removed_on else (last.effective_on if removed else None),
    )


def records_of(resident_id: int) -> list[RecordSpan]:
    """The person's 住民票, oldest first (no personal item is read: not audited)."""
    return record_spans(list(ResidentHistory.objects.filter(resident_id=resident_id).order_by("seq")))


@dataclass(frozen=True)
class Issued:
    """One certificate issued that names the person (交付履歴)."""

    kind: str  # its name: 住民票の写し, 転出証明書 …
    issue_number: str
    issued_on: date
    issued_by: str
    requester: str  # 請求者区分 (転出証明書: the 転出届's notifier, not recorded here: "")
    requester_name: str
    purpose: str
    reissue: bool


def _naming(model: Any, resident_id: int) -> QuerySet[Any]:
    """The rows of ``model`` whose ``resident_ids`` (a JSON list) hold ``resident_id``: on PostgreSQL a jsonb
    containment; SQLite's JSON has no containment lookup in Django, so the embedded default compares in Python (a
    demo's few certificates)."""
    rows = model.objects.all()
    if connection.vendor == "postgresql":
        return rows.filter(resident_ids__contains=[resident_id])
    return rows.filter(id__in=[i for i, ids in rows.values_list("id", "resident_ids") if resident_id in ids])


def requesters(certificate_ids: Iterable[int]) -> dict[int, str]:
    """The requester kind in force of each certificate (請求者区分): the newest correction's
    (``personal_notice.correct_requester``, 標準仕様書 8.1.1), else the one recorded at issue. Whatever reads a
    certificate's requester kind reads it here."""
    ids = list(certificate_ids)
    kinds = dict(Certificate.objects.filter(id__in=ids).values_list("id", "requester"))
    corrections = CertificateRequesterCorrection.objects.filter(certificate_id__in=ids).order_by("certificate_id", "id")
    for certificate_id, requester in corrections.values_list("certificate_id", "requester"):
        kinds[certificate_id] = requester  # in id order: the newest wins
    return kinds


def issued_to(resident_id: int, purpose: str) -> list[Issued]:
    """The certificates issued that name the person, newest first: 住民票の写し等 (with the requester's category as
    corrected, marked 修正, name and stated purpose) and 転出証明書 (再交付 marked). 標準仕様書 2.2.2 (j360, 交付履歴照会); audited as a read of the
    issuance history, with the purpose given."""
    issued = list(_naming(Certificate, resident_id))
    kinds, labels = requesters(c.id for c in issued), dict(Certificate.Requester.choices)
    found = [
        Issued(c.get_kind_display(), c.issue_number, c.issued_on, c.issued_by,
               labels[kinds[c.id]] + ("（修正）" if kinds[c.id] != c.requester else ""), c.requester_name, c.purpose,
               False)
        for c in issued
    ] + [
        Issued(m.get_kind_display(), m.issue_number, m.issued_on, m.issued_by, "", "", "", m.reissue_of_id is not None)
        for m in _naming(MoveOutCertificate, resident_id)
    ]  # fmt: skip
    record("resident.issued_read", "resident", str(resident_id), fields_read=["issued_documents"], purpose=purpose)
    return sorted(found, key=lambda i: (i.issued_on, i.issue_number), reverse=True)


def history(resident_id: int, purpose: str, record_number: int | None = None) -> list[ResidentHistory]:
    """The history (異動履歴) of one 住民票 of a person, oldest first, audited as a read of the history: the current
    (latest) 住民票 unless ``record_number`` names an earlier one.

    標準仕様書 2.2.1 (j350) forbids a history across the records of the same person (再転入者等を単位とした履歴照会):
    each 住民票 shows only its own entries; earlier ones are opened one at a time (``records_of``)."""
    entries = list(ResidentHistory.objects.filter(resident_id=resident_id).select_related("procedure").order_by("seq"))
    spans = record_spans(entries)
    if not spans:
        return []
    chosen = spans[-1] if record_number is None else next((s for s in spans if s.number == record_number), None)
    if chosen is None:
        return []
    entries = [e for e in entries if chosen.first_seq <= e.seq <= chosen.last_seq]
    record("resident.history_read", "resident", str(resident_id), fields_read=["history"], purpose=purpose)
    return entries


def household_members(household_id: int, purpose: str, as_of: date | None = None) -> list[ResidentRecord]:
    """The registered members of a household now or on ``as_of``, householder first (each audited as opened)."""
    day = as_of or timezone.localdate()
    members = [_record_from_history(resident, entry) for resident, entry in _in_household_on(household_id, day)]
    return _opened_members(members, purpose)


def householder_on(household_id: int, day: date) -> Resident | None:
    """The 世帯主 of a household on ``day`` as the history holds it (e.g. of the household a 除票's person left), as a
    row with that day's items, a copy never saved. Not audited: a certificate's audit entry names what it prints."""
    for resident, entry in _in_household_on(household_id, day, relationship=HOUSEHOLDER):
        if entry.snapshot.get("relationship") == HOUSEHOLDER:
            return _row_as_of(resident, entry)
    return None


def address_on(resident_id: int, day: date) -> str | None:
    """A person's address with 方書 on ``day`` as the history holds it (the entry in effect that day), ``None`` before
    their first entry: e.g. a 除票's, where they lived when removed, though the household they left has moved on since.
    Not audited: a certificate's audit entry names what it prints."""
    entry = _entry_on(resident_id, day)
    return entry.full_address if entry is not None else None


def _in_household_on(
    household_id: int, day: date, relationship: str | None = None
) -> list[tuple[Resident, ResidentHistory]]:
    """The registered members of a household on ``day``, each with their history entry in effect that day; with
    ``relationship``, only among those who had it in that household in some entry up to that day."""
    candidates = ResidentHistory.objects.filter(effective_on__lte=day, snapshot__household_id=household_id)
    if relationship is not None:
        candidates = candidates.filter(snapshot__relationship=relationship)
    members = []
    for resident in Resident.objects.filter(id__in=set(candidates.values_list("resident_id", flat=True))):
        entry = _entry_on(resident.id, day)
        if entry is None or entry.snapshot.get("household_id") != household_id:
            continue
        if entry.snapshot.get("status") == Resident.Status.REGISTERED:
            members.append((resident, entry))
    return members


def household_today(resident_id: int, purpose: str) -> list[ResidentRecord]:
    """The household of a person on the register today, as it stands today (``current_rows``; 標準仕様書 1.1.5 j50):
    a member whose 転出 waits for its planned date is still in it, and everyone has today's 世帯主・続柄 — not yet
    those the 転出 records for its planned date, but already those of a 転出 the destination's 転入通知 brought
    forward (``household_members`` reads the history only, which dates them on the planned date). Householder
    first, each audited as opened; empty when the person is not on the register today (a 除票)."""
    today = timezone.localdate()
    person = Resident.objects.filter(current(today), id=resident_id).first()
    if person is None:
        return []
    (person,) = current_rows([person], today)
    household = Household.objects.get(id=person.household_id)
    rows = current_rows(Resident.objects.filter(current(today), household_id=household.id), today)
    members = [_record_from_row(r, household) for r in rows if r.household_id == household.id and r.is_registered]
    return _opened_members(members, purpose)


def household_removed(household_id: int, purpose: str) -> list[ResidentRecord]:
    """The persons whose record was removed (消除: 転出 in effect, 死亡, 職権消除) while in this household, as the record
    stood when removed, the most recently removed first, each audited as opened. 標準仕様書 3.3 (j430, 消除対象者記載):
    a household's screens also show its members removed by a move-out or a death. A 転出 whose planned date has not
    come is not here: that person is still on the register (``household_today`` marks them 転出予定)."""
    today = timezone.localdate()
    household = Household.objects.filter(id=household_id).first()
    if household is None:
        return []
    rows = Resident.objects.filter(household_id=household_id).exclude(current(today)).order_by("-removed_on", "id")
    removed = [_record_from_row(r, household) for r in rows]
    record_many(Event("resident.read", "resident", str(m.id), Resident.PERSONAL_FIELDS, purpose) for m in removed)
    return removed


def _record_from_row(resident: Resident, household: Household) -> ResidentRecord:
    values = {name: getattr(resident, name) for name in Resident.SNAPSHOT_FIELDS}
    return ResidentRecord(
        id=resident.id, household_id=resident.household_id, address=household.address, building=household.building,
        values=values, version=resident.version, individual_number_masked=mask(resident),
    )  # fmt: skip


def _opened_members(members: list[ResidentRecord], purpose: str) -> list[ResidentRecord]:
    """A household's members householder first, then by date of birth; each audited as opened."""
    members = sorted(members, key=lambda m: (m.relationship != HOUSEHOLDER, m.birth_date, m.id))
    record_many(Event("resident.read", "resident", str(m.id), Resident.PERSONAL_FIELDS, purpose) for m in members)
    return members


def reveal_individual_number(resident_id: int, purpose: str) -> str | None:
    """The individual number in clear, for a purpose the law allows (番号法 9条, 別表); every reveal is audited."""
    resident = Resident.objects.filter(id=resident_id).first()
    if resident is None or resident.individual_number_cipher is None:
        return None
    record("resident.individual_number_read", "resident", str(resident.id), ["individual_number"], purpose)
    return crypto.decrypt(resident.individual_number_cipher, INDIVIDUAL_NUMBER)


def audit_persons(action: str, resident_ids: Iterable[int], fields_read: list[str], purpose: str) -> None:
    """One audit entry per person listed or printed (who was in a list is recorded, as for a search's results), not
    one naming them all (the purpose is a short text)."""
    record_many(Event(action, "resident", str(i), fields_read, purpose) for i in resident_ids)


def household(household_id: int) -> Household | None:
    return Household.objects.filter(id=household_id).first()


def move_out_procedure_of(resident_id: int) -> int | None:
    """The move-out that removed (or will remove) this person: the procedure of their latest 転出 entry."""
    entry = (
        ResidentHistory.objects.filter(resident_id=resident_id, kind__in=[str(k) for k in MOVE_OUT_REASONS])
        .order_by("-seq")
        .values_list("procedure_id", flat=True)
        .first()
    )
    return int(entry) if entry is not None else None
