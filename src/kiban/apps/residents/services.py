"""Procedures of the resident register: one function per notification or authority action (届出・職権).

Every procedure, in one transaction: checks everything first (``ProcedureError`` with every problem, nothing
written), changes the current rows, appends one history snapshot per person touched, writes a ``Procedure`` row
(idempotent by the caller's request id), an audit entry, and a ``residents.resident.changed`` event per person
(the outbox; kiban.platform.events). Section numbers are of 住民基本台帳法 ("法") unless said otherwise.
"""

from __future__ import annotations

import functools
import operator
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.lookups import Exact
from django.utils import timezone

from kiban.platform.audit.actor import actor_label
from kiban.platform.audit.services import record
from kiban.platform.crypto import services as crypto
from kiban.platform.events.services import publish, send_to_tenant
from kiban.platform.metering import services as metering
from kiban.platform.monitoring.metrics import PROCEDURES
from kiban.platform.tenants.context import current_tenant_id
from kiban.platform.tenants.models import Tenant
from kiban.standard import numbers
from kiban.standard.codes import NOTIFIED_REASONS, ChangeReason
from kiban.standard.era import format_date
from kiban.standard.text import is_katakana, normalize_kana_input, search_key

from . import events
from .models import (
    HOUSEHOLDER,
    RESIDENT_CODE_KINDS,
    RETIRED_CODE,
    Household,
    Procedure,
    Resident,
    ResidentHistory,
    ResidentRemark,
)
from .validation import (
    BY_AUTHORITY,
    LATE_NOTIFICATION,
    ON_APPLICATION,
    SAME_AS_REMOVED_RECORD,
    PersonData,
    Problems,
    check_dates,
    check_foreign,
    check_person,
)

INDIVIDUAL_NUMBER = "residents.individual_number"


@dataclass(frozen=True)
class Notification:
    """What every procedure carries: the caller's request id (idempotency), 異動日 and 届出日."""

    request_id: str
    effective_on: date
    notified_on: date
    note: str = ""
    # An authority action taken on a person's application (標準仕様書 4.2.0.5): ``notified_on`` is then the 申出日.
    on_application: bool = False
    # A notification's procedure done by authority, nobody having notified (標準仕様書 4.2.0.2 届出の準用).
    by_authority: bool = False
    # 届出人: who notified, when not the person moving (a household member, a 代理人); "" the mover. Kept with the
    # procedure (``payload["notifier"]``) for the 住民異動届受理通知 (標準仕様書 4.1.0.3, ``acceptance``).
    notifier: str = ""


NOTIFIER_MAX_LENGTH = 64


@dataclass(frozen=True)
class AddressData:
    address: str
    postal_code: str = ""
    district: str = ""
    building: str = ""


@dataclass(frozen=True)
class ProcedureResult:
    procedure_id: int
    kind: str
    resident_ids: list[int]
    household_ids: list[int]
    flags: list[str] = field(default_factory=list)
    replayed: bool = False
    # The persons given a newly assigned 住民票コード (法30条の3第2項), to whom its notice is due (3項; 標準仕様書 4.3.3)
    code_assigned: list[int] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# The procedure runner


STATUS_ACQUIRED = "status_acquired"  # 法30条の47: already living here, now a 中長期在留者 etc. (標準仕様書 4.5.2)
UNNOTIFIED_MARK = "（未届）"  # 標準仕様書 4.1.1.4: at the end of an unnotified move-in's 転入前住所


# In a removal's payload: the households it left without a householder (世帯主不在, 標準仕様書 4.0.5 j500), each with
# its remaining members in the order of 5.2 before the removal (``_reassign_householder``, ``householder_notices``).
UNDECIDED_HOUSEHOLDS = "undecided_households"

# The procedures of the notifications (標準仕様書 4.1) that may be done by authority where nobody notified (4.2.0.2).
BY_AUTHORITY_KINDS = frozenset(
    r.value
    for r in (
        ChangeReason.MOVE_IN_DOMESTIC, ChangeReason.MOVE_IN_FROM_ABROAD, ChangeReason.MOVE_WITHIN,
        ChangeReason.MOVE_OUT_DOMESTIC, ChangeReason.MOVE_OUT_ABROAD, ChangeReason.HOUSEHOLD_SEPARATION,
        ChangeReason.HOUSEHOLD_MERGER, ChangeReason.HOUSEHOLD_CHANGE, ChangeReason.HOUSEHOLDER_CHANGE,
    )
)  # fmt: skip

# The authority actions (職権記載等) that may be taken on a person's application (標準仕様書 4.2.0.5, j790).
ON_APPLICATION_KINDS = frozenset(
    {r.value for r in ChangeReason if r.value.startswith("職権")}
    | {ChangeReason.CLERICAL_ERROR_CORRECTION.value, ChangeReason.MINOR_CORRECTION.value}
)


class _Run:
    """Collects what a procedure changes, then checks the household invariants and records it all."""

    def __init__(self, kind: str, n: Notification, payload: Mapping[str, Any]) -> None:
        self.kind = kind
        self.n = n
        self.payload = dict(payload)
        self.problems = Problems()
        self.today = timezone.localdate()
        self.flags: list[str] = []
        self.residents: dict[int, Resident] = {}
        self.new: list[Resident] = []
        self.households: set[int] = set()
        self.interim: dict[int, tuple[str, dict[str, Any]]] = {}
        self.notes: list[str] = []  # 留意事項 (B類型) on this procedure's entry of every person changed
        self.code_assigned: list[Resident] = []  # given a new 住民票コード (new_resident_code) by this procedure

    def close_record(self, resident: Resident, kind: str) -> None:
        """Record the person's 住民票 as removed (消除, reason ``kind``) before this procedure writes their new
        one: two history entries in one procedure, the removal first (帰化・国籍取得・国籍喪失, 標準仕様書 4.5.3–4.5.5)."""
        closed = {**resident.snapshot(), "status": Resident.Status.REMOVED, "removal_reason": kind,
                  "removed_on": self.n.effective_on.isoformat()}  # fmt: skip
        self.interim[resident.id] = (kind, closed)

    def note(self, text: str) -> None:
        """A 留意事項 (統合記載欄 B類型, 標準仕様書 1.1.14) on the history entry this procedure writes for each person."""
        self.notes.append(text)

    def check_dates(self) -> None:
        self.flags = check_dates(self.problems, self.kind, self.n.effective_on, self.n.notified_on, self.today)
        if self.n.by_authority:  # 届出の準用 (4.2.0.2): the 届出日's rules do not apply, so no 届出期間経過
            self.flags = [f for f in self.flags if f != LATE_NOTIFICATION]

    def check_not_future(self) -> None:
        """A correction or an entry on request records what is already so: its 異動日 is not in the future."""
        if self.n.effective_on > self.today:
            self.problems.add(
                "effective_on", "future_date", "異動日が未来の日付です。", "The date of change is in the future."
            )

    def registered(self, resident_ids: Iterable[int], field_name: str = "resident_ids") -> list[Resident]:
        """The registered residents with these ids, locked for this procedure; a problem for each missing one."""
        ids = list(dict.fromkeys(resident_ids))
        if not ids:
            self.problems.add(field_name, "required", "対象者を選んでください。", "Choose at least one person.")
            return []
        found = {r.id: r for r in Resident.objects.select_for_update().filter(id__in=ids)}
        people = []
        for rid in ids:
            r = found.get(rid)
            if r is None:
                self.problems.add(
                    field_name, "not_found", f"住民（ID {rid}）が見つかりません。", f"No resident with id {rid}."
                )
            elif not r.is_registered and r.removed_on is not None and r.removed_on > self.today:
                self.problems.add(
                    field_name,
                    "moving_out",
                    f"{r.display_name}さんは転出予定です（{format_date(r.removed_on)}に消除）。"
                    "先に転出の取消しをしてください。",
                    f"Resident {rid} has notified a move-out on {r.removed_on}; cancel it first.",
                )
            elif not r.is_registered:
                self.problems.add(
                    field_name,
                    "removed",
                    f"{r.display_name}さんは既に消除されています（除票）。",
                    f"Resident {rid} has been removed from the register.",
                )
            else:
                if self.n.effective_on < _last_effective_on(r):
                    self.problems.add(
                        "effective_on",
                        "before_last_change",
                        f"異動日が{r.display_name}さんの前回の異動日より前です。",
                        f"The date of change is before resident {rid}'s last recorded change.",
                    )
                people.append(r)
        return people

    def household(self, household_id: int, field_name: str = "household_id") -> Household | None:
        household = Household.objects.select_for_update().filter(id=household_id).first()
        if household is None:
            self.problems.add(
                field_name,
                "not_found",
                f"世帯（番号 {household_id}）が見つかりません。",
                f"No household {household_id}.",
            )
        elif not Resident.objects.filter(household_id=household_id, status=Resident.Status.REGISTERED).exists():
            self.problems.add(
                field_name, "empty", "この世帯には住民がいません。", "The household has no registered members."
            )
        return household

    def change(self, resident: Resident) -> None:
        if resident.pk is None:
            self.new.append(resident)
        else:
            self.residents[resident.id] = resident
        self.households.add(resident.household_id)

    def finish(self) -> ProcedureResult:
        if self.n.by_authority:  # 標準仕様書 4.2.0.2: a notification's procedure done by authority
            if self.kind in BY_AUTHORITY_KINDS:
                self.flags = [*self.flags, BY_AUTHORITY]
            else:
                self.problems.add(
                    "by_authority", "not_a_notification",
                    "職権で行えるのは転入・転居・転出・世帯変更の届出の処理です。",
                    "Only the procedures of a notification (move-in, move within, move-out, household change) can be "
                    "done by authority this way.",
                )  # fmt: skip
        notifier = self.n.notifier.strip()
        if notifier and (self.kind not in NOTIFIED_REASONS or self.n.by_authority):
            self.problems.add("notifier", "not_a_notification", "届出人は届出による異動にだけ記録します。",
                              "A notifier is recorded for a notification only.")  # fmt: skip
        elif len(notifier) > NOTIFIER_MAX_LENGTH:
            self.problems.add("notifier", "too_long", f"届出人は{NOTIFIER_MAX_LENGTH}文字までです。",
                              f"At most {NOTIFIER_MAX_LENGTH} characters.")  # fmt: skip
        elif notifier:
            self.payload["notifier"] = notifier
        if self.n.on_application:  # 標準仕様書 4.2.0.5: marked as taken on an application, 申出日 in 届出日
            if self.kind in ON_APPLICATION_KINDS or (self.n.by_authority and self.kind in BY_AUTHORITY_KINDS):
                self.flags = [*self.flags, ON_APPLICATION]
            else:
                self.problems.add(
                    "on_application", "not_authority",
                    "申出による記載は職権記載・職権消除・職権修正等に限られます。",
                    "Only an authority action (ex officio entry, removal or correction) can be marked as on an application.",
                )  # fmt: skip
        self.problems.raise_if_any()
        changed = [*self.residents.values(), *self.new]
        for r in changed:
            r.refresh_search_keys()
        # Demotions before promotions: at no point may a household have two registered householders.
        for r in sorted(changed, key=lambda r: r.relationship == HOUSEHOLDER and r.is_registered):
            r.version += 2 if r.id in self.interim else 1
            r.save()
        self.households |= {r.household_id for r in changed}
        self._check_households()
        self.problems.raise_if_any()
        procedure = Procedure(
            kind=self.kind,
            request_id=self.n.request_id,
            effective_on=self.n.effective_on,
            notified_on=self.n.notified_on,
            flags=self.flags,
            actor=actor_label(),
            payload=_jsonable(self.payload),
        )
        procedure.result = {
            "resident_ids": [r.id for r in changed],  # in the order the procedure named them
            "household_ids": sorted(self.households),
            "flags": self.flags,
        }
        if self.code_assigned:  # kept with the procedure: the 住民票コード通知票 is printed from it (resident_code.py)
            procedure.result["code_assigned"] = [r.id for r in self.code_assigned]
        procedure.save()
        households = Household.objects.in_bulk(self.households)
        ResidentHistory.objects.bulk_create(
            [
                ResidentHistory(
                    resident_id=r.id,
                    procedure=procedure,
                    seq=r.version - 1,
                    kind=self.interim[r.id][0],
                    effective_on=self.n.effective_on,
                    notified_on=self.n.notified_on,
                    address=households[r.household_id].address,
                    building=households[r.household_id].building,
                    snapshot=self.interim[r.id][1],
                )
                for r in changed
                if r.id in self.interim
            ]
            + [
                ResidentHistory(
                    resident_id=r.id,
                    procedure=procedure,
                    seq=r.version,
                    kind=self.kind,
                    effective_on=self.n.effective_on,
                    notified_on=self.n.notified_on,
                    address=households[r.household_id].address,
                    building=households[r.household_id].building,
                    snapshot=r.snapshot(),
                )
                for r in changed
            ]
        )
        if self.notes:
            ResidentRemark.objects.bulk_create(
                ResidentRemark(resident_id=r.id, kind=ResidentRemark.Kind.NOTE, history_seq=r.version, text=text,
                               entered_on=self.today, recorded_by=procedure.actor)
                for r in changed
                for text in self.notes
            )  # fmt: skip
        record(f"residents.procedure.{_slug(self.kind)}", "procedure", str(procedure.id), purpose=self.kind)
        for r in changed:
            publish(
                events.RESIDENT_CHANGED.name,
                f"residents/{r.id}",
                {
                    "resident_id": r.id,
                    "reason": self.kind,
                    "effective_on": self.n.effective_on.isoformat(),
                    "household_id": r.household_id,
                    "status": r.status,
                },
            )
        metering.add(current_tenant_id(), "procedures")
        # Counted when committed: the counter's 仮登録 runs a procedure's checks and rolls them back (views.
        # check_procedure), and that is not a procedure recorded.
        transaction.on_commit(PROCEDURES.labels("residents", _slug(self.kind)).inc)
        return ProcedureResult(procedure.id, self.kind, **procedure.result)

    def _check_households(self) -> None:
        """法6条: each household with registered members has exactly one householder among them — except a household
        whose householder left and whose new one was not set (世帯主不在, 標準仕様書 4.0.5 j500): the procedure that
        leaves it so says it (``undecided_households``), and later procedures that do not touch its householder
        (a birth, another member moving) leave it as it is until the 世帯主変更 (届出 or by authority)."""
        counts = (
            Resident.objects.filter(household_id__in=self.households, status=Resident.Status.REGISTERED)
            .values("household_id")
            .annotate(members=Count("id"), householders=Count("id", filter=Q(relationship=HOUSEHOLDER)))
        )
        missing = {row["household_id"] for row in counts if row["householders"] == 0}
        open_ = self._left_undecided(missing) if missing else set()
        for row in counts:
            number = f"{row['household_id']:010d}"
            if row["householders"] == 0 and row["household_id"] not in open_:
                self.problems.add(
                    "relationships",
                    "householder_missing",
                    f"世帯（{number}）に世帯主がいなくなります。世帯主変更も併せて入力してください。",
                    f"Household {number} would have no householder; record the new householder too.",
                )
            elif row["householders"] > 1:
                self.problems.add(
                    "relationships",
                    "householder_doubled",
                    f"世帯（{number}）に世帯主が2人になります。",
                    f"Household {number} would have two householders.",
                )

    def _left_undecided(self, household_ids: set[int]) -> set[int]:
        """Of these households without a householder, those this procedure leaves so on purpose, and those an
        earlier one left so (``undecided_households``) whose householder this procedure did not take away (moved,
        removed or demoted: by the changed persons' entries before it, not yet written)."""
        undecided = {int(h) for h in self.payload.get(UNDECIDED_HOUSEHOLDS, {})}
        earlier = Procedure.objects.filter(payload__has_key=UNDECIDED_HOUSEHOLDS).values_list("payload", flat=True)
        left = {int(h) for payload in earlier for h in payload[UNDECIDED_HOUSEHOLDS]} & household_ids
        latest: dict[int, dict[str, Any]] = {}
        entries = ResidentHistory.objects.filter(resident_id__in=list(self.residents)).order_by("resident_id", "seq")
        for rid, snapshot in entries.values_list("resident_id", "snapshot"):
            latest[rid] = snapshot
        took = {
            s["household_id"] for s in latest.values()
            if s.get("relationship") == HOUSEHOLDER and s.get("status") == Resident.Status.REGISTERED
        }  # fmt: skip
        return (undecided & household_ids) | (left - took)


def _start(kind: str, n: Notification, payload: Mapping[str, Any]) -> _Run | ProcedureResult:
    """A new run, or the result of the procedure this request id already made (a client's retry)."""
    problems = Problems()
    if not n.request_id or len(n.request_id) > 64:
        problems.add("request_id", "invalid", "要求IDは1〜64文字です。", "The request id must be 1–64 characters.")
    done = Procedure.objects.filter(request_id=n.request_id).first() if not problems else None
    if done is not None and done.kind != kind:
        problems.add(
            "request_id",
            "reused",
            "この要求IDは別の手続で使われています。",
            "This request id was already used for a different procedure.",
        )
    problems.raise_if_any()
    if done is not None:
        return ProcedureResult(done.id, done.kind, replayed=True, **done.result)
    return _Run(kind, n, payload)


def _atomic(body: Any) -> Any:
    """Run a procedure body in one transaction; a concurrent duplicate request id is answered like a retry."""

    def run(kind: str, n: Notification, payload: Mapping[str, Any], *args: Any, **kwargs: Any) -> ProcedureResult:
        started = _start(kind, n, payload)
        if isinstance(started, ProcedureResult):
            return started
        try:
            with transaction.atomic():
                body(started, *args, **kwargs)
                return started.finish()
        except IntegrityError:
            done = _start(kind, n, payload)
            if isinstance(done, ProcedureResult):
                return done
            raise

    return run


def _last_effective_on(resident: Resident) -> date:
    last = history_in_effect(resident.id).order_by("-seq").values_list("effective_on", flat=True).first()
    return last or date.min


def history_in_effect(resident_id: int | None = None) -> QuerySet[ResidentHistory]:
    """The history entries (of one person, or of the whole tenant) that say what the register held: what "as of
    date D" reads. Undone procedures (異動の取消し) are left out: both stay in the history (標準仕様書 4.6.0.1), but
    an undone procedure never took effect (a 転出 cancelled before its planned date, a 転居 entered by mistake). A
    cancellation that only put the person back as the entry before the undone procedure says is left out too (that
    entry already says it, and a later procedure may be dated between the two); one that changed more than that
    stays in: the persons who came back as a new household at the former address, with the 続柄 given then
    (``_restore``), are in that household from the cancellation's date on."""
    entries = ResidentHistory.objects.all()
    if resident_id is not None:
        entries = entries.filter(resident_id=resident_id)
    cancellations = list(
        entries.filter(kind__in=CANCEL_REASONS).values_list("id", "resident_id", "procedure__payload", "snapshot")
    )
    if not cancellations:
        return entries
    undone = [Q(resident_id=rid, procedure_id=payload.get("procedure_id")) for _, rid, payload, _ in cancellations]
    put_back = _put_back(cancellations)
    entries = entries.exclude(functools.reduce(operator.or_, undone))  # cancellations are rare: a few pairs
    return entries.exclude(Q(kind__in=CANCEL_REASONS) & Q(id__in=put_back))


def _put_back(cancellations: list[tuple[int, int, dict[str, Any], dict[str, Any]]]) -> list[int]:
    """The cancellation entries whose snapshot is the one before the procedure they undid (two queries)."""
    persons = {rid for _, rid, _, _ in cancellations}
    history: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for rid, procedure_id, snapshot in (
        ResidentHistory.objects.filter(resident_id__in=persons)
        .order_by("seq")
        .values_list("resident_id", "procedure_id", "snapshot")
    ):
        history.setdefault(rid, []).append((procedure_id, snapshot))
    same = []
    for entry_id, rid, payload, snapshot in cancellations:
        entries = history.get(rid, [])
        first = next((i for i, (pid, _) in enumerate(entries) if pid == payload.get("procedure_id")), None)
        before = entries[first - 1][1] if first else None
        if before is None or before == snapshot:
            same.append(entry_id)
    return same


def _slug(kind: str) -> str:
    return {r.value: r.name.lower() for r in ChangeReason}.get(kind, "other")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "individual_number"}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return _jsonable(asdict(value))
    return value


# ---------------------------------------------------------------------------------------------------------------
# Building new records


def new_resident_code() -> str:
    """A fresh 住民票コード for a person recorded for the first time (出生, 国外からの転入).

    In production J-LIS (地方公共団体情報システム機構) assigns codes from the 住基ネット range given to each
    municipality (法30条の3); Kiban draws ten random digits and adds the check digit, and retries on a collision
    with a code of the tenant's records or a code a change or correction took off a record (``code_in_use``).
    """
    while True:
        code = numbers.make_resident_code(f"{secrets.randbelow(10**10):010d}")
        if not code_in_use(code):
            return code


def code_in_use(code: str, resident_id: int | None = None) -> bool:
    """Whether a record of the tenant other than ``resident_id``'s has ``code`` (registered or 除票), or a change
    or correction of a 住民票コード took it off a record (法30条の4: the old code is not given again)."""
    others = Resident.objects.filter(resident_code=code)
    if resident_id is not None:
        others = others.exclude(id=resident_id)
    # A plain = on the index's expression (procedure_retired_code_idx); a JSON key lookup would compare JSON values,
    # and SQLite reads a string of digits as a number there.
    retired = Procedure.objects.filter(Exact(RETIRED_CODE, Value(code)), kind__in=RESIDENT_CODE_KINDS)
    return others.exists() or retired.exists()


def returning_resident(person: PersonData) -> Resident | None:
    """A removed record (除票) of this municipality the person left earlier: matched on 住民票コード, 個人番号 or
    在留カード等番号 (標準仕様書 4.1.1.2, j600). Such a move-in is a re-entry (再転入): the person keeps their 宛名番号
    (the resident id) and the data of the 除票 are taken over; the new stay is a new 住民票, whose history starts at
    the re-entry (``selectors.record_spans``; a history across both is forbidden by 2.2.1, j350)."""
    removed = Resident.objects.filter(status=Resident.Status.REMOVED)
    if person.resident_code:
        found = removed.filter(resident_code=person.resident_code).first()
        if found is not None:
            return found
    if person.individual_number:
        digest = crypto.digest(person.individual_number, INDIVIDUAL_NUMBER)
        found = removed.filter(individual_number_digest=digest).first()
        if found is not None:
            return found
    if person.residence_card_number:
        return removed.filter(residence_card_number=person.residence_card_number).first()
    return None


def _matches_removed_record(person: PersonData) -> bool:
    """A 除票 with the same 氏名 (normalized), 性別 and 生年月日 (標準仕様書 4.1.1.2: alert, the clerk decides)."""
    return Resident.objects.filter(
        status=Resident.Status.REMOVED, search_name=search_key(person.family_name + person.given_name),
        sex=person.sex, birth_date=person.birth_date,
    ).exists()  # fmt: skip


def _person_row(run: _Run, person: PersonData, household: Household, prefix: str) -> Resident:
    resident = returning_resident(person) or Resident()
    if (resident.pk is not None and run.kind == ChangeReason.MOVE_IN_FROM_ABROAD
            and resident.removal_reason == ChangeReason.MOVE_OUT_ABROAD):  # fmt: skip
        # 標準仕様書 1.1.7 (j70): the first return from abroad to the same municipality keeps the 旧氏 / 通称
        # recorded when the person left, unless new ones are given.
        person = replace(
            person,
            former_surname=person.former_surname or resident.former_surname,
            former_surname_kana=person.former_surname_kana or resident.former_surname_kana,
            alias=person.alias or resident.alias,
            alias_kana=person.alias_kana or resident.alias_kana,
        )
    values = {
        "household": household,
        "relationship": person.relationship,
        "kind": person.kind,
        "status": Resident.Status.REGISTERED,
        "family_name": person.family_name.strip(),
        "given_name": person.given_name.strip(),
        "family_name_kana": normalize_kana_input(person.family_name_kana).strip(),
        "given_name_kana": normalize_kana_input(person.given_name_kana).strip(),
        "birth_date": person.birth_date,
        "sex": person.sex,
        "domicile": person.domicile if person.kind == "japanese" else "",
        "domicile_head": person.domicile_head if person.kind == "japanese" else "",
        "nationality": person.nationality,
        "residence_status": person.residence_status,
        "period_of_stay_until": person.period_of_stay_until,
        "residence_card_number": person.residence_card_number,
        "alias": person.alias,
        "alias_kana": normalize_kana_input(person.alias_kana) if person.alias_kana else "",
        "former_surname": person.former_surname.strip(),
        "former_surname_kana": normalize_kana_input(person.former_surname_kana).strip(),
        "resident_code": person.resident_code or resident.resident_code or _assign_code(run, resident),
        "became_resident_on": run.n.effective_on,
        "moved_in_on": run.n.effective_on,
        "removed_on": None,
        "removal_reason": "",
    }
    for name, value in values.items():
        setattr(resident, name, value)
    if person.individual_number:
        set_individual_number(resident, person.individual_number)
    return resident


def _assign_code(run: _Run, resident: Resident) -> str:
    """A new 住民票コード for a person recorded with none (出生, 国外転入 …: 法30条の3第2項), noted for its notice."""
    run.code_assigned.append(resident)
    return new_resident_code()


def _check_new_person(run: _Run, prefix: str, person: PersonData) -> None:
    """法7条 items, and that the person is not registered here already (住民票コード, 個人番号)."""
    check_person(run.problems, prefix, person, run.n.effective_on)
    registered = Resident.objects.filter(status=Resident.Status.REGISTERED)
    if person.resident_code and registered.filter(resident_code=person.resident_code).exists():
        run.problems.add(
            f"{prefix}.resident_code",
            "already_registered",
            "この住民票コードの方は既に住民登録されています。",
            "A registered resident already has this resident record code.",
        )
    returning = returning_resident(person)
    if returning is None and _matches_removed_record(person) and SAME_AS_REMOVED_RECORD not in run.flags:
        run.flags.append(SAME_AS_REMOVED_RECORD)
    if returning is not None and returning.removed_on is not None and run.n.effective_on < returning.removed_on:
        run.problems.add(
            "effective_on",
            "before_last_change",
            "再転入の異動日が前回の消除日より前です。",
            "The date of re-entry is before the date the person's record was removed.",
        )
    if person.individual_number and not any(e.field == f"{prefix}.individual_number" for e in run.problems.errors):
        others = Resident.objects.exclude(id=returning.id) if returning is not None else Resident.objects.all()
        if others.filter(individual_number_digest=crypto.digest(person.individual_number, INDIVIDUAL_NUMBER)).exists():
            run.problems.add(
                f"{prefix}.individual_number",
                "duplicate",
                "この個人番号は別の住民に記録されています。",
                "This individual number is recorded for another resident.",
            )


def set_individual_number(resident: Resident, number: str) -> None:
    """Store a 個人番号 encrypted with the tenant's key, with a keyed digest for uniqueness (番号法 7条, 12条)."""
    resident.individual_number_cipher = crypto.encrypt(number, INDIVIDUAL_NUMBER)
    resident.individual_number_digest = crypto.digest(number, INDIVIDUAL_NUMBER)


def _new_household(run: _Run, address: AddressData) -> Household:
    if not address.address.strip():
        run.problems.add("address.address", "required", "住所を入力してください。", "Enter the address.")
    if address.postal_code and not (len(address.postal_code) == 7 and address.postal_code.isdigit()):
        run.problems.add("address.postal_code", "invalid", "郵便番号は7桁の数字です。", "The postal code is 7 digits.")
    household = Household(
        address=address.address.strip(),
        postal_code=address.postal_code,
        district=address.district,
        building=address.building.strip(),
        established_on=run.n.effective_on,
    )
    return household


def _one_householder(run: _Run, relationships: Iterable[str], field_name: str) -> None:
    count = sum(1 for r in relationships if r == HOUSEHOLDER)
    if count == 0:
        run.problems.add(
            field_name,
            "householder_missing",
            "新しい世帯の世帯主を1人指定してください。",
            "Name exactly one householder of the new household.",
        )
    elif count > 1:
        run.problems.add(
            field_name, "householder_doubled", "世帯主は1世帯に1人です。", "A household has exactly one householder."
        )


def _apply_relationships(run: _Run, people: list[Resident], relationships: Mapping[int, str], field_name: str) -> None:
    from kiban.standard.codes import validate_relationship

    for r in people:
        value = relationships.get(r.id)
        if value is None:
            run.problems.add(
                f"{field_name}.{r.id}",
                "required",
                f"{r.display_name}さんの続柄を入力してください。",
                f"Enter resident {r.id}'s relationship to the householder.",
            )
            continue
        try:
            r.relationship = validate_relationship(value)
        except ValueError as exc:
            run.problems.add(f"{field_name}.{r.id}", "invalid", f"続柄「{value}」は使えません。", str(exc))


# ---------------------------------------------------------------------------------------------------------------
# Procedures


def move_in(
    n: Notification,
    *,
    address: AddressData,
    persons: list[PersonData],
    household_id: int | None = None,
    origin: str = "domestic",
    previous_address: str = "",
    unnotified: bool = False,
    last_registered_address: str = "",
) -> ProcedureResult:
    """転入届 (法22条, 外国人住民は30条の46): persons move here from another municipality or from abroad, into a
    new household at ``address`` or into an existing household (``household_id``).

    ``unnotified``: 未届転入 (標準仕様書 4.1.1.4, j620), the persons lived at addresses they never notified:
    ``previous_address`` is the latest of them, recorded with 「（未届）」 at its end, and a 留意事項 (B類型, on the
    move-in's history entry) says it was an unnotified move-in and names that address. ``last_registered_address``
    (最終登録住所地, where the person was last registered) is a data item, not an item of the record: kept with the
    procedure (its payload), neither on the 住民票 nor printed."""
    # 法30条の47 (標準仕様書 4.5.2, j920): a person living here becomes a 中長期在留者 etc. — registered as a 国外転入等.
    kind = ChangeReason.MOVE_IN_FROM_ABROAD if origin in ("abroad", STATUS_ACQUIRED) else ChangeReason.MOVE_IN_DOMESTIC
    payload = {
        "address": address,
        "persons": persons,
        "household_id": household_id,
        "origin": origin,
        "previous_address": previous_address,
        **({"unnotified": True, "last_registered_address": last_registered_address.strip()} if unnotified else {}),
    }
    return _move_in(kind, n, payload, address, persons, household_id, origin, previous_address, unnotified)


@_atomic
def _move_in(
    run: _Run,
    address: AddressData,
    persons: list[PersonData],
    household_id: int | None,
    origin: str,
    previous_address: str,
    unnotified: bool = False,
) -> None:
    run.check_dates()
    if unnotified and origin != "domestic":
        run.problems.add(
            "unnotified", "domestic_only", "未届転入は国内からの転入です（国外からの転入には使えません）。",
            "An unnotified move-in comes from within Japan (not from abroad).",
        )  # fmt: skip
    if origin not in ("domestic", "abroad", STATUS_ACQUIRED):
        run.problems.add(
            "origin", "invalid", "転入元は domestic（国内）、abroad（国外）か status_acquired（法30条の47）です。",
            "origin is domestic, abroad or status_acquired.",
        )  # fmt: skip
    if origin == STATUS_ACQUIRED:
        for i, p in enumerate(persons):
            if p.kind != "foreign":
                run.problems.add(
                    f"persons.{i}.kind", "not_foreign",
                    "法30条の47の届出は、中長期在留者等となった外国人住民の届出です。",
                    "A notification under Article 30-47 is for a foreign national who became a mid- to long-term "
                    "resident (or similar).",
                )  # fmt: skip
    if not persons:
        run.problems.add("persons", "required", "転入する方を1人以上入力してください。", "Enter at least one person.")
    if origin == "domestic" and not previous_address.strip():
        run.problems.add(
            "previous_address",
            "required",
            "前住所を入力してください（転出証明書の住所）。",
            "Enter the previous address (from the move-out certificate).",
        )
    if origin == "domestic":
        for i, p in enumerate(persons):
            if not p.resident_code:
                run.problems.add(
                    f"persons.{i}.resident_code",
                    "required",
                    "国内からの転入では転出証明書の住民票コードを入力してください。",
                    "A move-in from another municipality carries the resident record code over.",
                )
    household: Household | None
    if household_id is not None:
        household = run.household(household_id)
        if any(p.relationship == HOUSEHOLDER for p in persons):
            run.problems.add(
                "persons",
                "householder_doubled",
                "既存の世帯に転入する方は世帯主になれません（世帯主変更は別の届出です）。",
                "Persons joining an existing household cannot be its householder.",
            )
    else:
        household = _new_household(run, address)
        _one_householder(run, (p.relationship for p in persons), "persons")
    codes_seen: set[str] = set()
    for i, p in enumerate(persons):
        _check_new_person(run, f"persons.{i}", p)
        if p.resident_code and p.resident_code in codes_seen:
            run.problems.add(
                f"persons.{i}.resident_code",
                "duplicate",
                "同じ住民票コードが2回入力されています。",
                "The same resident record code was entered twice.",
            )
        codes_seen.add(p.resident_code)
    run.problems.raise_if_any()
    assert household is not None
    if household.pk is None:
        household.save()
    for i, p in enumerate(persons):
        r = _person_row(run, p, household, f"persons.{i}")
        if origin == "abroad":
            r.previous_address = previous_address.strip() or "国外"
        else:  # domestic, or 法30条の47: the previous address may stay empty (標準仕様書 4.5.2)
            r.previous_address = previous_address.strip()
        if unnotified:
            r.previous_address += UNNOTIFIED_MARK
        run.change(r)
    if unnotified:
        run.note(f"未届転入　転入前住所（未届）　{previous_address.strip()}")


def register_by_authority(
    n: Notification,
    *,
    address: AddressData,
    persons: list[PersonData],
    household_id: int | None = None,
    reason: str = "",
) -> ProcedureResult:
    """職権記載 (法8条, 施行令12条): the mayor records a person found to live here without notification."""
    payload = {"address": address, "persons": persons, "household_id": household_id, "reason": reason}
    return _register_by_authority(ChangeReason.ENTRY_EX_OFFICIO, n, payload, address, persons, household_id, reason)


@_atomic
def _register_by_authority(
    run: _Run, address: AddressData, persons: list[PersonData], household_id: int | None, reason: str
) -> None:
    run.check_dates()
    if not reason.strip():
        run.problems.add(
            "reason", "required", "職権記載の理由を入力してください。", "Enter the reason for the ex officio entry."
        )
    household = run.household(household_id) if household_id is not None else _new_household(run, address)
    if household_id is None:
        _one_householder(run, (p.relationship for p in persons), "persons")
    for i, p in enumerate(persons):
        _check_new_person(run, f"persons.{i}", p)
    run.problems.raise_if_any()
    assert household is not None
    if household.pk is None:
        household.save()
    for i, p in enumerate(persons):
        run.change(_person_row(run, p, household, f"persons.{i}"))


def birth(n: Notification, *, household_id: int, person: PersonData) -> ProcedureResult:
    """出生 (法8条 and 施行令12条2項1号: recorded on the 戸籍 birth notification, 戸籍法49条; for foreign
    residents 法30条の46 経過滞在者). The child joins an existing household."""
    return _birth(ChangeReason.BIRTH, n, {"household_id": household_id, "person": person}, household_id, person)


@_atomic
def _birth(run: _Run, household_id: int, person: PersonData) -> None:
    run.check_dates()
    if person.birth_date != run.n.effective_on:
        run.problems.add(
            "person.birth_date",
            "mismatch",
            "出生の異動日は生年月日と同じ日です。",
            "For a birth, the date of change is the date of birth.",
        )
    if person.relationship == HOUSEHOLDER:
        run.problems.add(
            "person.relationship", "invalid", "出生した子は世帯主になれません。", "A newborn cannot be householder."
        )
    household = run.household(household_id)
    _check_new_person(run, "person", person)
    run.problems.raise_if_any()
    assert household is not None
    r = _person_row(run, person, household, "person")
    r.became_resident_on = person.birth_date
    r.moved_in_on = person.birth_date
    run.change(r)


def move_within(
    n: Notification,
    *,
    resident_ids: list[int],
    address: AddressData,
    household_id: int | None = None,
    relationships: Mapping[int, str] | None = None,
) -> ProcedureResult:
    """転居届 (法23条): persons move to another address in this municipality.

    A whole household moves with its number; part of a household moves into a new household (``relationships``
    name its householder) or into an existing one at the new address (``household_id``)."""
    payload = {
        "resident_ids": resident_ids,
        "address": address,
        "household_id": household_id,
        "relationships": {str(k): v for k, v in (relationships or {}).items()},
    }
    return _move_within(ChangeReason.MOVE_WITHIN, n, payload, resident_ids, address, household_id, relationships or {})


@_atomic
def _move_within(
    run: _Run, resident_ids: list[int], address: AddressData, household_id: int | None, relationships: Mapping[int, str]
) -> None:
    run.check_dates()
    people = run.registered(resident_ids)
    run.problems.raise_if_any()
    old = {r.household_id for r in people}
    whole = (
        household_id is None
        and len(old) == 1
        and Resident.objects.filter(household_id=next(iter(old)), status=Resident.Status.REGISTERED).count()
        == len(people)
    )
    previous = {h.id: h.full_address for h in Household.objects.filter(id__in=old)}
    target: Household | None
    if whole:
        target = Household.objects.select_for_update().get(id=next(iter(old)))
        if not address.address.strip():
            run.problems.add("address.address", "required", "新住所を入力してください。", "Enter the new address.")
        elif (address.address.strip(), address.building.strip()) == (target.address, target.building):
            run.problems.add(
                "address.address", "same_address", "新住所が現住所と同じです。", "The new address is the current one."
            )
        target.address, target.postal_code = address.address.strip(), address.postal_code
        target.district, target.building = address.district, address.building.strip()
    elif household_id is not None:
        target = run.household(household_id)
        _apply_relationships(run, people, relationships, "relationships")
        if any(v == HOUSEHOLDER for v in relationships.values()):
            run.problems.add(
                "relationships",
                "householder_doubled",
                "既存の世帯に入る方は世帯主になれません。",
                "Persons joining an existing household cannot be its householder.",
            )
    else:
        target = _new_household(run, address)
        _apply_relationships(run, people, relationships, "relationships")
        _one_householder(run, (relationships.get(r.id, "") for r in people), "relationships")
    run.problems.raise_if_any()
    assert target is not None
    target.save()
    for r in people:
        r.previous_address = previous[r.household_id]
        r.household = target
        r.moved_in_on = run.n.effective_on
        run.change(r)
    run.households |= old


def move_out(
    n: Notification,
    *,
    resident_ids: list[int],
    destination_address: str,
    destination_code: str = "",
    abroad: bool = False,
    new_householder_id: int | None = None,
    relationships: Mapping[int, str] | None = None,
    householder_undecided: bool = False,
) -> ProcedureResult:
    """転出届 (法24条): the record is removed (消除) as of the planned date (転出予定日 = ``effective_on``).

    Where the destination is another municipality on this platform (``destination_code``), the move-out data
    (転出証明書情報, 法24条の2) go to it through the inter-municipality channel as an advance notice (転入予定),
    so the move-in there starts from them (転出・転入手続ワンストップ). If the householder leaves and others stay,
    ``new_householder_id`` and ``relationships`` record the remaining household's new householder, or
    ``householder_undecided`` leaves it without one (世帯主不在, 標準仕様書 4.0.5: ``_reassign_householder``)."""
    kind = ChangeReason.MOVE_OUT_ABROAD if abroad else ChangeReason.MOVE_OUT_DOMESTIC
    payload = {
        "resident_ids": resident_ids,
        "destination_address": destination_address,
        "destination_code": destination_code,
        "abroad": abroad,
        "new_householder_id": new_householder_id,
        "relationships": {str(k): v for k, v in (relationships or {}).items()},
        **({"householder_undecided": True} if householder_undecided else {}),
    }
    return _move_out(
        kind, n, payload, resident_ids, destination_address, destination_code, new_householder_id, relationships or {}
    )


@_atomic
def _move_out(
    run: _Run,
    resident_ids: list[int],
    destination_address: str,
    destination_code: str,
    new_householder_id: int | None,
    relationships: Mapping[int, str],
) -> None:
    run.check_dates()
    people = run.registered(resident_ids)
    if not destination_address.strip():
        run.problems.add(
            "destination_address", "required", "転出先の住所を入力してください。", "Enter the destination address."
        )
    if destination_code and destination_code == current_tenant_id():
        run.problems.add(
            "destination_code",
            "same_municipality",
            "市区町村内の移動は転居届です。",
            "A move within the municipality is a 転居 (move_within), not a move-out.",
        )
    run.problems.raise_if_any()
    for r in people:
        r.status = Resident.Status.REMOVED
        r.removed_on = run.n.effective_on
        r.removal_reason = run.kind
        run.change(r)
    _reassign_householder(run, people, new_householder_id, relationships)
    run.problems.raise_if_any()
    if destination_code and Tenant.objects.filter(code=destination_code, active=True).exists():
        ensure_confirmation_subscription()
        send_to_tenant(
            destination_code,
            events.MOVE_OUT_NOTICE.name,
            f"residents/move-out/{run.n.request_id}",
            transfer_data(people, destination_address, run.n),
        )


def _reassign_householder(
    run: _Run, leaving: list[Resident], new_householder_id: int | None, relationships: Mapping[int, str]
) -> None:
    """When persons leave a household (転出, 死亡, 職権消除): the remaining members keep one householder.

    A single remaining member becomes householder by authority (住民基本台帳事務処理要領 第2-1-(2)-カ); with more,
    the counter records the 世帯主変更届 (法25条) in the same procedure, or, with ``householder_undecided`` in the
    payload, leaves the household without one (世帯主不在, 標準仕様書 4.0.5 j500): the remaining members keep their
    続柄, and the payload keeps them in the order of 5.2 as it was before the householder left — the first receives the
    世帯主変更依頼通知書 or, once set by authority, the 世帯主変更通知書 (``householder_notices``)."""
    from .certificates import member_order  # certificates reads the register through selectors, which use services

    leaving_ids = {r.id for r in leaving}
    for household_id in {r.household_id for r in leaving if r.relationship == HOUSEHOLDER}:
        remaining = list(
            Resident.objects.select_for_update()
            .filter(household_id=household_id, status=Resident.Status.REGISTERED)
            .exclude(id__in=leaving_ids)
        )
        if not remaining:
            continue
        if len(remaining) == 1 and new_householder_id is None:
            remaining[0].relationship = HOUSEHOLDER
            run.change(remaining[0])
            continue
        if new_householder_id is None and run.payload.get("householder_undecided"):
            ordered = [r.id for r in member_order(household_id, remaining)]  # the rows are not saved yet: as before
            run.payload.setdefault(UNDECIDED_HOUSEHOLDS, {})[str(household_id)] = ordered
            continue
        if new_householder_id is None or new_householder_id not in {r.id for r in remaining}:
            run.problems.add(
                "new_householder_id",
                "required",
                "世帯主が抜けた後の世帯に2人以上残るため、新しい世帯主を指定してください（又は「世帯主を定めない」を選んでください）。",
                "The householder leaves and two or more stay: name the new householder (or leave it undecided).",
            )
            continue
        _apply_relationships(run, remaining, {**relationships, new_householder_id: HOUSEHOLDER}, "relationships")
        for r in remaining:
            run.change(r)


def transfer_data(people: list[Resident], destination_address: str, n: Notification) -> dict[str, Any]:
    """転出証明書情報 (法24条の2, 施行令23条): what the destination needs to record the move-in.

    The 個人番号 is not sent through the channel (the destination's counter reads it from the card, 番号法 16条);
    the 住民票コード is (法30条の3)."""
    households = Household.objects.in_bulk({r.household_id for r in people})
    return {
        "planned_on": n.effective_on.isoformat(),
        "destination_address": destination_address,
        "persons": [
            {
                "family_name": r.family_name,
                "given_name": r.given_name,
                "family_name_kana": r.family_name_kana,
                "given_name_kana": r.given_name_kana,
                "birth_date": r.birth_date.isoformat(),
                "sex": r.sex,
                "relationship": r.relationship,
                "kind": r.kind,
                "domicile": r.domicile,
                "domicile_head": r.domicile_head,
                "nationality": r.nationality,
                "residence_status": r.residence_status,
                "period_of_stay_until": r.period_of_stay_until.isoformat() if r.period_of_stay_until else None,
                "residence_card_number": r.residence_card_number,
                "alias": r.alias,
                "alias_kana": r.alias_kana,
                "resident_code": r.resident_code,
                "previous_address": households[r.household_id].full_address,
            }
            for r in people
        ],
    }


def death(
    n: Notification,
    *,
    resident_id: int,
    new_householder_id: int | None = None,
    relationships: Mapping[int, str] | None = None,
    householder_undecided: bool = False,
) -> ProcedureResult:
    """死亡 (法8条, 施行令12条; recorded on the 死亡届 of 戸籍法86条 or its 通知, 法9条2項): the record is removed
    with 消除日 = date of death."""
    payload = {
        "resident_id": resident_id,
        "new_householder_id": new_householder_id,
        "relationships": {str(k): v for k, v in (relationships or {}).items()},
        **({"householder_undecided": True} if householder_undecided else {}),
    }
    return _removal(ChangeReason.DEATH, n, payload, [resident_id], new_householder_id, relationships or {}, "")


def remove_by_authority(
    n: Notification,
    *,
    resident_ids: list[int],
    reason: str,
    new_householder_id: int | None = None,
    relationships: Mapping[int, str] | None = None,
    householder_undecided: bool = False,
) -> ProcedureResult:
    """職権消除 (法8条, 施行令12条3項: e.g. 実態調査 finds the person no longer lives here)."""
    payload = {"resident_ids": resident_ids, "reason": reason, "new_householder_id": new_householder_id,
               **({"householder_undecided": True} if householder_undecided else {})}  # fmt: skip
    return _removal(
        ChangeReason.REMOVAL_EX_OFFICIO, n, payload, resident_ids, new_householder_id, relationships or {}, reason
    )


@_atomic
def _removal(
    run: _Run, resident_ids: list[int], new_householder_id: int | None, relationships: Mapping[int, str], reason: str
) -> None:
    run.check_dates()
    if run.kind == ChangeReason.REMOVAL_EX_OFFICIO and not reason.strip():
        run.problems.add(
            "reason", "required", "職権消除の理由を入力してください。", "Enter the reason for the ex officio removal."
        )
    people = run.registered(resident_ids, "resident_id" if run.kind == ChangeReason.DEATH else "resident_ids")
    for r in people:
        if run.n.effective_on < r.birth_date:
            run.problems.add(
                "effective_on", "before_birth", "異動日が生年月日より前です。", "The date is before the date of birth."
            )
    run.problems.raise_if_any()
    for r in people:
        r.status = Resident.Status.REMOVED
        r.removed_on = run.n.effective_on
        r.removal_reason = run.kind
        run.change(r)
    _reassign_householder(run, people, new_householder_id, relationships)


def split_household(n: Notification, *, resident_ids: list[int], relationships: Mapping[int, str]) -> ProcedureResult:
    """世帯分離 (法25条): persons leave their household and form a new one at the same address."""
    payload = {"resident_ids": resident_ids, "relationships": {str(k): v for k, v in relationships.items()}}
    return _regroup(ChangeReason.HOUSEHOLD_SEPARATION, n, payload, resident_ids, None, relationships)


def merge_households(
    n: Notification, *, from_household_id: int, into_household_id: int, relationships: Mapping[int, str]
) -> ProcedureResult:
    """世帯合併 (法25条): all members of one household join another household at the same address."""
    payload = {
        "from_household_id": from_household_id,
        "into_household_id": into_household_id,
        "relationships": {str(k): v for k, v in relationships.items()},
    }
    ids = list(
        Resident.objects.filter(household_id=from_household_id, status=Resident.Status.REGISTERED).values_list(
            "id", flat=True
        )
    )
    return _regroup(ChangeReason.HOUSEHOLD_MERGER, n, payload, ids or [-1], into_household_id, relationships)


def change_composition(
    n: Notification, *, resident_ids: list[int], into_household_id: int, relationships: Mapping[int, str]
) -> ProcedureResult:
    """世帯変更 (法25条): some members move from one household to another at the same address."""
    payload = {
        "resident_ids": resident_ids,
        "into_household_id": into_household_id,
        "relationships": {str(k): v for k, v in relationships.items()},
    }
    return _regroup(ChangeReason.HOUSEHOLD_CHANGE, n, payload, resident_ids, into_household_id, relationships)


@_atomic
def _regroup(
    run: _Run, resident_ids: list[int], into_household_id: int | None, relationships: Mapping[int, str]
) -> None:
    run.check_dates()
    people = run.registered(resident_ids)
    run.problems.raise_if_any()
    sources = Household.objects.in_bulk({r.household_id for r in people})
    target: Household | None
    if into_household_id is None:
        source = next(iter(sources.values()))
        if len(sources) > 1:
            run.problems.add(
                "resident_ids",
                "several_households",
                "世帯分離は1つの世帯からです。",
                "A separation takes persons from one household.",
            )
        elif Resident.objects.filter(household_id=source.id, status=Resident.Status.REGISTERED).count() == len(people):
            run.problems.add(
                "resident_ids",
                "whole_household",
                "世帯全員を分離することはできません。",
                "Separating every member leaves nothing to separate from.",
            )
        _one_householder(run, (relationships.get(r.id, "") for r in people), "relationships")
        target = Household(
            address=source.address,
            postal_code=source.postal_code,
            district=source.district,
            building=source.building,
            established_on=run.n.effective_on,
        )
    else:
        target = run.household(into_household_id, "into_household_id")
        if target is not None:
            if target.id in sources:
                run.problems.add(
                    "into_household_id", "same_household", "同じ世帯への変更です。", "That is the same household."
                )
            for h in sources.values():
                if (h.address, h.building) != (target.address, target.building):
                    run.problems.add(
                        "into_household_id",
                        "different_address",
                        "住所の異なる世帯とは合併・変更できません（転居届になります）。",
                        "Households at different addresses cannot merge; that is a move (転居).",
                    )
        if any(v == HOUSEHOLDER for k, v in relationships.items() if k in {r.id for r in people}):
            run.problems.add(
                "relationships",
                "householder_doubled",
                "加わる世帯には既に世帯主がいます。",
                "The household joined already has a householder.",
            )
    _apply_relationships(run, people, relationships, "relationships")
    run.problems.raise_if_any()
    assert target is not None
    if target.pk is None:
        target.save()
    run.households |= set(sources)
    for r in people:
        r.household = target
        run.change(r)


def change_householder(n: Notification, *, household_id: int, relationships: Mapping[int, str]) -> ProcedureResult:
    """世帯主変更 (法25条): a new householder, and every member's relationship to them."""
    payload = {"household_id": household_id, "relationships": {str(k): v for k, v in relationships.items()}}
    return _change_householder(ChangeReason.HOUSEHOLDER_CHANGE, n, payload, household_id, relationships)


@_atomic
def _change_householder(run: _Run, household_id: int, relationships: Mapping[int, str]) -> None:
    run.check_dates()
    household = run.household(household_id)
    run.problems.raise_if_any()
    assert household is not None
    members = list(
        Resident.objects.select_for_update().filter(household_id=household_id, status=Resident.Status.REGISTERED)
    )
    current = next((r for r in members if r.relationship == HOUSEHOLDER), None)
    if current is not None and relationships.get(current.id) == HOUSEHOLDER:
        run.problems.add("relationships", "unchanged", "世帯主が変わっていません。", "The householder is unchanged.")
    unknown = set(relationships) - {r.id for r in members}
    if unknown:
        run.problems.add(
            "relationships",
            "not_member",
            f"この世帯にいない住民が含まれています（ID {sorted(unknown)}）。",
            f"Residents {sorted(unknown)} are not members of this household.",
        )
    _one_householder(run, relationships.values(), "relationships")
    _apply_relationships(run, members, relationships, "relationships")
    run.problems.raise_if_any()
    for r in members:
        run.change(r)


# Items a correction may change, and who may: family-register notifications (戸籍の届出, 法9条2項 通知) change
# names, relationship and domicile; authority corrections (職権修正, 法8条) any item of 法7条.
CORRECTABLE = frozenset(
    {
        "family_name", "given_name", "family_name_kana", "given_name_kana", "birth_date", "sex", "relationship",
        "domicile", "domicile_head", "alias", "alias_kana",
    }
)  # fmt: skip


CORRECTION_KINDS = frozenset(
    {ChangeReason.CORRECTION_EX_OFFICIO, ChangeReason.CLERICAL_ERROR_CORRECTION, ChangeReason.MINOR_CORRECTION}
)


def correct(n: Notification, *, resident_id: int, changes: Mapping[str, Any], reason: str,
            kind: str = ChangeReason.CORRECTION_EX_OFFICIO, also: Sequence[int] = ()) -> ProcedureResult:  # fmt: skip
    """職権修正 (法8条, 施行令12条3項): a record is corrected, on a family-register notice (氏名の変更, 続柄の訂正,
    本籍の変更 …) or by authority. Every changed item is kept in history with the previous value.

    ``kind`` is the 異動事由 recorded: 職権修正, 誤記修正 (a clerical error of the register itself), or 軽微な修正
    (規則11条3項2号, 標準仕様書 4.2.3.2 j850: e.g. a name's character changed to its 常用平易 form).

    ``also``: members of the same household whose 本籍・筆頭者 were the same as this person's get the same
    correction of them in the same procedure (標準仕様書 4.0.6 本籍入力補助, j510: 世帯内の同じ本籍・筆頭者を同時に修正
    する場合、最初に修正した本籍・筆頭者を引用し、一括して修正できること); only 本籍・筆頭者 may then be changed."""
    payload = {"resident_id": resident_id, "changes": dict(changes), "reason": reason}
    if also:
        payload["also"] = list(also)
    if kind not in CORRECTION_KINDS:
        problems = Problems()
        problems.add("kind", "invalid", f"修正の事由「{kind}」は使えません。", f"{kind!r} is not a kind of correction.")
        problems.raise_if_any()
    return _correct(kind, n, payload, resident_id, changes, reason, list(also))


def correct_address(n: Notification, *, household_id: int, address: AddressData, reason: str) -> ProcedureResult:
    """軽微な修正 of an address (規則11条3項2号, 標準仕様書 4.2.3.2 j850): the household's address is written
    anew where nobody moved: 住居表示の実施・変更, 町字 or 地番 changes, a building renamed. Every member gets a
    history entry; 住定日 and 前住所 do not change (it is not a 転居)."""
    payload = {"household_id": household_id, "address": address, "reason": reason}
    return _correct_address(ChangeReason.MINOR_CORRECTION, n, payload, household_id, address, reason)


@_atomic
def _correct_address(run: _Run, household_id: int, address: AddressData, reason: str) -> None:
    run.check_not_future()
    if not reason.strip():
        run.problems.add("reason", "required", "修正の理由を入力してください（例：住居表示の実施）。",
                         "Enter the reason for the correction (e.g. 住居表示の実施).")  # fmt: skip
    household = run.household(household_id)
    check = _new_household(run, address)  # the same checks as a new address
    run.problems.raise_if_any()
    assert household is not None
    if (check.address, check.building) == (household.address, household.building):
        run.problems.add("address.address", "unchanged", "修正前と同じ住所です。", "The address is unchanged.")
        run.problems.raise_if_any()
    household.address, household.building = check.address, check.building
    household.postal_code, household.district = check.postal_code, check.district
    household.save()
    members = Resident.objects.select_for_update().filter(household_id=household_id, status=Resident.Status.REGISTERED)
    for r in members:
        run.change(r)


@_atomic
def _correct(run: _Run, resident_id: int, changes: Mapping[str, Any], reason: str, also: list[int]) -> None:
    run.check_not_future()
    if not reason.strip():
        run.problems.add("reason", "required", "修正の理由を入力してください。", "Enter the reason for the correction.")
    unknown = set(changes) - CORRECTABLE
    if unknown:
        run.problems.add(
            "changes",
            "not_correctable",
            f"修正できない項目です: {', '.join(sorted(unknown))}",
            f"These items cannot be corrected here: {sorted(unknown)}",
        )
    if not changes:
        run.problems.add("changes", "required", "修正する項目を入力してください。", "Enter what to correct.")
    people = run.registered([resident_id], "resident_id")
    run.problems.raise_if_any()
    (r,) = people
    before = {k: getattr(r, k) for k in changes}
    for k, v in changes.items():
        setattr(r, k, date.fromisoformat(v) if k == "birth_date" and isinstance(v, str) else v)
    if r.relationship == HOUSEHOLDER and before.get("relationship", HOUSEHOLDER) != HOUSEHOLDER:
        run.problems.add(
            "changes.relationship",
            "householder",
            "世帯主の変更は世帯主変更で行います。",
            "Use change_householder to change the householder.",
        )
    if "relationship" in before and before["relationship"] == HOUSEHOLDER:
        run.problems.add(
            "changes.relationship",
            "householder",
            "世帯主の変更は世帯主変更で行います。",
            "Use change_householder to change the householder.",
        )
    data = PersonData(**{f: getattr(r, f) for f in PersonData.__dataclass_fields__ if f != "individual_number"})
    check_person(run.problems, "changes", replace(data, resident_code=""), None)
    if before == {k: getattr(r, k) for k in changes}:
        run.problems.add("changes", "unchanged", "修正前と同じ内容です。", "Nothing would change.")
    others = _same_domicile(run, r, before, changes, also) if also else []
    run.problems.raise_if_any()
    run.change(r)
    for other in others:
        for k, v in changes.items():
            setattr(other, k, v)
        run.change(other)


DOMICILE_ITEMS = frozenset({"domicile", "domicile_head"})


def _same_domicile(run: _Run, r: Resident, before: Mapping[str, Any], changes: Mapping[str, Any],
                   also: list[int]) -> list[Resident]:  # fmt: skip
    """The members ``also`` names, checked for the household's 本籍・筆頭者 correction (j510): registered, of the same
    household, with the 本籍 and 筆頭者 the corrected person had; only those two items corrected."""
    if set(changes) - DOMICILE_ITEMS:
        run.problems.add("also", "domicile_only", "世帯員への一括修正は本籍・筆頭者だけです。",
                         "Only the permanent domicile and its head are corrected for other members at once.")  # fmt: skip
        return []
    old = (before.get("domicile", r.domicile), before.get("domicile_head", r.domicile_head))
    others = run.registered([i for i in also if i != r.id], "also")
    for other in others:
        if other.household_id != r.household_id or (other.domicile, other.domicile_head) != old:
            run.problems.add("also", "not_same", f"{other.display_name}さんは同じ世帯・同じ本籍・筆頭者ではありません。",
                             f"Resident {other.id} is not of this household with the same domicile.")  # fmt: skip
    return others


def change_resident_code(n: Notification, *, resident_id: int, resident_code: str = "") -> ProcedureResult:
    """住民票コードの変更請求 (住民基本台帳法30条の4; 標準仕様書 4.3.2, j880): on the person's request the mayor writes a
    new code, chosen from those assigned (``new_resident_code``, as for a new record, 標準仕様書 4.3.1 j870: assigned
    automatically) or ``resident_code`` where one was chosen. ``notified_on`` is the 請求日. An ordinary history entry
    of its own kind; keeping the change apart (日時等) and a 返納案内 are 実装しない機能 (j880)."""
    payload = {"resident_id": resident_id, "resident_code": resident_code}
    kind = ChangeReason.RESIDENT_RECORD_CODE_CHANGE_REQUEST
    return _change_resident_code(kind, n, payload, resident_id, resident_code, "")


def correct_resident_code(n: Notification, *, resident_id: int, resident_code: str, reason: str) -> ProcedureResult:
    """A wrongly entered 住民票コード corrected by authority (法8条, 施行令12条3項; 標準仕様書 4.3.2, j880), with the
    reason. Recorded as 住民票コードの職権記載: the standard's 異動事由 (1.2.2) have no 住民票コードの職権修正, and writing
    the right code in place of the wrong one is that entry by authority."""
    payload = {"resident_id": resident_id, "resident_code": resident_code, "reason": reason}
    kind = ChangeReason.RESIDENT_RECORD_CODE_ENTRY
    return _change_resident_code(kind, n, payload, resident_id, resident_code, reason)


@_atomic
def _change_resident_code(run: _Run, resident_id: int, resident_code: str, reason: str) -> None:
    run.check_not_future()
    correcting = run.kind == ChangeReason.RESIDENT_RECORD_CODE_ENTRY
    if correcting and not reason.strip():
        run.problems.add("reason", "required", "修正の理由を入力してください。", "Enter the reason for the correction.")
    code = resident_code.strip()
    if correcting and not code:
        run.problems.add("resident_code", "required", "正しい住民票コードを入力してください。",
                         "Enter the correct resident record code.")  # fmt: skip
    elif code:
        try:
            numbers.validate_resident_code(code)
        except ValueError as exc:
            run.problems.add("resident_code", "invalid",
                             "住民票コードは11桁の数字で、最後の1桁は検査数字です（桁数・数字・検査数字を確認してください）。",
                             str(exc))  # fmt: skip
    people = run.registered([resident_id], "resident_id")
    run.problems.raise_if_any()
    (r,) = people
    if code == r.resident_code:
        run.problems.add("resident_code", "unchanged", "現在の住民票コードと同じです。",
                         "This is the person's current resident record code.")  # fmt: skip
    elif code and code_in_use(code, r.id):
        run.problems.add("resident_code", "in_use", "この住民票コードは他の住民に記載されている（又は記載されていた）コードです。",
                         "Another record of this municipality has (or had) this resident record code.")  # fmt: skip
    run.problems.raise_if_any()
    run.payload["previous_code"] = r.resident_code  # never given again (code_in_use)
    r.resident_code = code or new_resident_code()
    run.payload["resident_code"] = r.resident_code
    run.change(r)


CANCEL_REASONS = frozenset({ChangeReason.CANCEL_INCREASE, ChangeReason.CANCEL_DECREASE, ChangeReason.CANCEL_CORRECTION})


def cancel(
    n: Notification,
    *,
    procedure_id: int,
    reason: str,
    resident_ids: list[int] | None = None,
    relationships: Mapping[int, str] | None = None,
) -> ProcedureResult:
    """異動の取消し (住民記録システム標準仕様書 4.6.0.1, j980; on a person's request 4.6.1.1, j990): a recorded
    procedure is undone by a new procedure on top of the history, never by deleting it; both stay in the history.

    Each person of the procedure (or the ``resident_ids`` chosen among them: 全部又は一部) returns to the record
    as it stood before it: a removal undone brings the person back (異動の取消し（増）), an entry undone removes the
    record (異動の取消し（減）), anything else restores the items (異動の取消し（修正）). A person returns to their
    former household; if it moved on as a whole meanwhile, it returns to the former address, and if others of it
    stay at the new address, the persons form a new household at the former address (4.6.0.1). A person with a
    later change than the procedure cannot have it undone (undo the later one first). ``relationships`` sets the
    続柄 of persons who come back as a new household (one of them its householder)."""
    target = Procedure.objects.filter(id=procedure_id).first()
    kind = ChangeReason.CANCEL_CORRECTION
    if target is not None:
        before = _states_before(target, resident_ids)
        now = {e.resident_id: e.snapshot.get("status") for e in target.entries.all()}
        if any(now.get(rid) == Resident.Status.REMOVED and (b is not None and b.get("status") == Resident.Status.REGISTERED)
               for rid, b in before.items()):  # fmt: skip
            kind = ChangeReason.CANCEL_INCREASE
        elif any(b is None or b.get("status") == Resident.Status.REMOVED for b in before.values()):
            kind = ChangeReason.CANCEL_DECREASE
    payload = {
        "procedure_id": procedure_id,
        "reason": reason,
        "resident_ids": resident_ids,
        "relationships": {str(k): v for k, v in (relationships or {}).items()},
    }
    return _cancel(kind, n, payload, procedure_id, resident_ids, reason, relationships or {})


def _states_before(target: Procedure, resident_ids: list[int] | None) -> dict[int, dict[str, Any] | None]:
    """Each chosen person's snapshot before ``target`` (None where the procedure created the record)."""
    states: dict[int, dict[str, Any] | None] = {}
    for entry in target.entries.order_by("seq"):
        if resident_ids is not None and entry.resident_id not in resident_ids:
            continue
        if entry.resident_id in states:
            continue  # a person with two entries in it (帰化 …): the state before the first
        prior = (
            ResidentHistory.objects.filter(resident_id=entry.resident_id, seq__lt=entry.seq).order_by("-seq").first()
        )
        states[entry.resident_id] = prior.snapshot if prior is not None else None
    return states


@_atomic
def _cancel(
    run: _Run, procedure_id: int, resident_ids: list[int] | None, reason: str, relationships: Mapping[int, str]
) -> None:
    if run.n.effective_on > run.today:
        run.problems.add("effective_on", "future_date", "取消しの日付が未来の日付です。", "The date is in the future.")
    if not reason.strip():
        run.problems.add(
            "reason", "required", "取消しの理由を入力してください。", "Enter the reason for the cancellation."
        )
    target = Procedure.objects.filter(id=procedure_id).first()
    if target is None:
        run.problems.add("procedure_id", "not_found", f"異動処理（番号 {procedure_id}）が見つかりません。",
                         f"No procedure {procedure_id}.")  # fmt: skip
        run.problems.raise_if_any()
    assert target is not None
    if target.kind in CANCEL_REASONS:
        run.problems.add("procedure_id", "is_cancellation", "取消しの処理は取り消せません。必要なら改めて届出を入力してください。",
                         "A cancellation cannot itself be cancelled; record the procedure again instead.")  # fmt: skip
    entries: dict[int, ResidentHistory] = {}  # each person's last entry of it
    first_seq: dict[int, int] = {}  # and the seq of their first (帰化 … writes two)
    for e in target.entries.order_by("seq"):
        entries[e.resident_id] = e
        first_seq.setdefault(e.resident_id, e.seq)
    chosen = list(entries) if resident_ids is None else list(dict.fromkeys(resident_ids))
    if not chosen:
        run.problems.add("resident_ids", "required", "取り消す対象者を選んでください。", "Choose at least one person.")
    for rid in chosen:
        if rid not in entries:
            run.problems.add("resident_ids", "not_in_procedure", f"住民（ID {rid}）はこの異動処理の対象者ではありません。",
                             f"Resident {rid} is not a person of this procedure.")  # fmt: skip
    run.problems.raise_if_any()
    people = {r.id: r for r in Resident.objects.select_for_update().filter(id__in=chosen)}
    restore: dict[int, ResidentHistory] = {}
    for rid in chosen:
        r, entry = people[rid], entries[rid]
        latest = ResidentHistory.objects.filter(resident_id=rid).order_by("-seq").first()
        if latest is not None and latest.seq != entry.seq:
            run.problems.add("resident_ids", "later_change",
                             f"{r.display_name}さんにはこの後の異動があります。後の異動から取り消してください。",
                             f"Resident {rid} has a later change; cancel that one first.")  # fmt: skip
            continue
        prior = ResidentHistory.objects.filter(resident_id=rid, seq__lt=first_seq[rid]).order_by("-seq").first()
        if prior is None:  # the procedure created the record: undoing it removes it
            r.status, r.removed_on, r.removal_reason = Resident.Status.REMOVED, run.n.effective_on, run.kind
            run.change(r)
            continue
        if prior.snapshot.get("individual_number_digest") != r.individual_number_digest:
            run.problems.add("resident_ids", "individual_number_changed",
                             "個人番号を変更した異動は取り消せません（個人番号の修正で行ってください）。",
                             "A change of the individual number cannot be undone here; correct the number instead.")  # fmt: skip
            continue
        restore[rid] = prior
    run.problems.raise_if_any()
    _restore(run, [people[rid] for rid in restore], restore)
    named = [people[rid] for rid in restore if rid in relationships]
    if set(relationships) - set(restore):
        run.problems.add("relationships", "not_returning", "続柄は元に戻る方についてだけ入力できます。",
                         "Relationships can be given only for persons who come back.")  # fmt: skip
    _apply_relationships(run, named, relationships, "relationships")


def _restore(run: _Run, people: list[Resident], prior: Mapping[int, ResidentHistory]) -> None:
    """Put each person back as ``prior`` recorded them, in their former household or at its former address."""
    groups: dict[int, list[Resident]] = {}
    for r in people:
        groups.setdefault(int(prior[r.id].snapshot["household_id"]), []).append(r)
    for household_id, group in groups.items():
        entry = prior[group[0].id]
        household = Household.objects.select_for_update().get(id=household_id)
        if (household.address, household.building) != (entry.address, entry.building):
            returning = {r.id for r in group}
            others = (
                Resident.objects.filter(household_id=household_id, status=Resident.Status.REGISTERED)
                .exclude(id__in=returning)
                .exists()
            )
            if others:  # the rest of the household stays at the new address: a new household at the former one
                household = Household(address=entry.address, building=entry.building, established_on=run.n.effective_on)
            else:  # the household moved as a whole (転居): it returns to the former address
                household.address, household.building = entry.address, entry.building
                household.postal_code, household.district = "", ""
            household.save()
        for r in group:
            r.apply_snapshot(prior[r.id].snapshot, keep=("household_id", "individual_number_digest"))
            r.household = household
            run.change(r)


NATIONALITY_CAUSES = {
    # cause: (消除の事由 of the old 住民票, 記載の事由 of the new one, the kind of the new one)
    "naturalization": (ChangeReason.REMOVAL_NATURALIZATION, ChangeReason.ENTRY_NATURALIZATION, Resident.Kind.JAPANESE),
    "acquisition": (ChangeReason.REMOVAL_NATURALIZATION, ChangeReason.ENTRY_NATURALIZATION, Resident.Kind.JAPANESE),
    "loss": (ChangeReason.REMOVAL_LOSS_OF_NATIONALITY, ChangeReason.ENTRY_LOSS_OF_NATIONALITY, Resident.Kind.FOREIGN),
}
FOREIGN_ITEMS = ("nationality", "residence_status", "period_of_stay_until", "residence_card_number", "alias", "alias_kana")  # fmt: skip


def change_nationality(n: Notification, *, resident_id: int, cause: str, person: PersonData) -> ProcedureResult:
    """帰化 (標準仕様書 4.5.3, j930), 国籍取得 (4.5.4, j940) and 国籍喪失 (4.5.5, j950), on the notice of the family
    register office (法9条2項) or the 届出 (戸籍法102条, 103条): the person's 住民票 of one kind (外国人住民票 /
    日本人住民票) is removed and a new one of the other kind is recorded, in one procedure with two history entries.

    Taken over (引き継ぎ): address with 方書, birth date, sex, 続柄, 住所を定めた年月日, 住民票コード, 宛名番号 (the
    resident id), 個人番号 and the previous address. ``person`` brings what the new 住民票 needs: for a Japanese
    record the name (the name after 帰化 is new), kana, 本籍 and 筆頭者; for a foreign record the name, nationality and
    the category (国籍喪失による経過滞在者: ``ForeignResidentCategory.TRANSITIONAL_STAY``). 住民となった年月日:
    after 帰化・国籍取得 the date the person became a foreign resident; after 国籍喪失 the later of the loss
    (``n.effective_on``) and the date the person became a resident (4.5.5)."""
    payload = {"resident_id": resident_id, "cause": cause, "person": person}
    kind = NATIONALITY_CAUSES[cause][1] if cause in NATIONALITY_CAUSES else ChangeReason.ENTRY_NATURALIZATION
    return _change_nationality(kind, n, payload, resident_id, cause, person)


@_atomic
def _change_nationality(run: _Run, resident_id: int, cause: str, person: PersonData) -> None:
    run.check_dates()
    if cause not in NATIONALITY_CAUSES:
        run.problems.add("cause", "invalid", "事由は naturalization（帰化）・acquisition（国籍取得）・loss（国籍喪失）です。",
                         "cause is naturalization, acquisition or loss.")  # fmt: skip
        run.problems.raise_if_any()
    removal, _, new_kind = NATIONALITY_CAUSES[cause]
    people = run.registered([resident_id], "resident_id")
    run.problems.raise_if_any()
    (r,) = people
    if r.kind == new_kind:
        run.problems.add("cause", "same_kind", f"{r.display_name}さんは既に{r.get_kind_display()}住民です。",
                         f"Resident {r.id} already has a record of this kind.")  # fmt: skip
    new = replace(person, kind=new_kind, birth_date=r.birth_date, sex=r.sex, relationship=r.relationship,
                  resident_code="", individual_number="")  # fmt: skip
    if new_kind == Resident.Kind.JAPANESE:
        new = replace(new, nationality="", residence_status="", period_of_stay_until=None, residence_card_number="",
                      alias="", alias_kana="")  # fmt: skip
        for name, label in (("domicile", "本籍"), ("domicile_head", "筆頭者")):
            if not getattr(new, name).strip():
                run.problems.add(f"person.{name}", "required", f"{label}を入力してください。", f"Enter the {name}.")
    else:
        new = replace(new, domicile="", domicile_head="")
    check_person(run.problems, "person", new, run.n.effective_on)
    run.problems.raise_if_any()
    run.close_record(r, removal)
    for name in ("kind", "family_name", "given_name", "domicile", "domicile_head", *FOREIGN_ITEMS):
        setattr(r, name, getattr(new, name))
    r.family_name_kana = normalize_kana_input(new.family_name_kana).strip()
    r.given_name_kana = normalize_kana_input(new.given_name_kana).strip()
    r.alias_kana = normalize_kana_input(new.alias_kana) if new.alias_kana else ""
    if new_kind == Resident.Kind.FOREIGN and r.became_resident_on is not None:
        r.became_resident_on = max(r.became_resident_on, run.n.effective_on)
    run.change(r)


def record_former_surname(n: Notification, *, resident_id: int, former_surname: str, former_surname_kana: str = ""
                          ) -> ProcedureResult:  # fmt: skip
    """旧氏の記載・変更・削除 on the person's request (住民基本台帳法施行令30条の13〜30条の15; 標準仕様書 1.1.7 j70):
    an empty ``former_surname`` deletes it. The 異動事由 says which (旧氏の記載 / 旧氏の変更 / 旧氏の削除)."""
    current = Resident.objects.filter(id=resident_id).values_list("former_surname", flat=True).first() or ""
    kind = (
        ChangeReason.FORMER_SURNAME_DELETION if not former_surname.strip()
        else ChangeReason.FORMER_SURNAME_CHANGE if current else ChangeReason.FORMER_SURNAME_ENTRY
    )  # fmt: skip
    payload = {"resident_id": resident_id, "former_surname": former_surname, "former_surname_kana": former_surname_kana}
    return _record_former_surname(kind, n, payload, resident_id, former_surname, former_surname_kana)


@_atomic
def _record_former_surname(run: _Run, resident_id: int, former_surname: str, former_surname_kana: str) -> None:
    run.check_not_future()
    people = run.registered([resident_id], "resident_id")
    name, kana = former_surname.strip(), normalize_kana_input(former_surname_kana).strip()
    if name and not is_katakana(kana):
        run.problems.add("former_surname_kana", "not_katakana", "旧氏のフリガナをカタカナで入力してください。",
                         "Enter the former surname's reading in katakana.")  # fmt: skip
    run.problems.raise_if_any()
    (r,) = people
    if r.kind != Resident.Kind.JAPANESE:
        run.problems.add("resident_id", "not_japanese", "旧氏は日本人住民について記載します（外国人住民は通称）。",
                         "A former surname is recorded for Japanese residents (foreign residents have an alias).")  # fmt: skip
    if (name, kana if name else "") == (r.former_surname, r.former_surname_kana if r.former_surname else ""):
        run.problems.add("former_surname", "unchanged", "旧氏が変わっていません。", "The former surname is unchanged.")
    run.problems.raise_if_any()
    r.former_surname, r.former_surname_kana = name, kana if name else ""
    run.change(r)


def change_residence_status(
    n: Notification,
    *,
    resident_id: int,
    residence_status: str,
    period_of_stay_until: date | None,
    residence_card_number: str,
) -> ProcedureResult:
    """在留資格等の変更 (法30条の50: the Immigration Services Agency's notice of a change of status, period of stay
    or residence card) for a foreign resident, recorded as 職権修正."""
    payload = {
        "resident_id": resident_id,
        "residence_status": residence_status,
        "period_of_stay_until": period_of_stay_until,
        "residence_card_number": residence_card_number,
    }
    return _change_residence_status(
        ChangeReason.CORRECTION_EX_OFFICIO,
        n,
        payload,
        resident_id,
        residence_status,
        period_of_stay_until,
        residence_card_number,
    )


@_atomic
def _change_residence_status(
    run: _Run, resident_id: int, residence_status: str, period_of_stay_until: date | None, residence_card_number: str
) -> None:
    run.check_not_future()
    people = run.registered([resident_id], "resident_id")
    run.problems.raise_if_any()
    (r,) = people
    if r.kind != Resident.Kind.FOREIGN:
        run.problems.add("resident_id", "not_foreign", "外国人住民ではありません。", "Not a foreign resident.")
    else:
        check_foreign(run.problems, "", r.nationality, residence_status, residence_card_number)
    if period_of_stay_until is not None and period_of_stay_until < run.n.effective_on:
        run.problems.add(
            "period_of_stay_until",
            "expired",
            "在留期間の満了日が異動日より前です。",
            "The period of stay ends before the date of change.",
        )
    run.problems.raise_if_any()
    r.residence_status, r.period_of_stay_until = residence_status, period_of_stay_until
    r.residence_card_number = residence_card_number
    run.change(r)
    publish(events.RESIDENCE_CARD_CHANGED.name, f"residents/{r.id}", {"resident_id": r.id})


# ---------------------------------------------------------------------------------------------------------------
# Between municipalities: the move-in from the move-out data (転出・転入手続ワンストップ)


def move_out_notices(include_used: bool = False) -> list[Any]:
    """Advance notices (転入予定) received from other municipalities on this platform, newest first."""
    from kiban.platform.events.models import Event

    notices = list(Event.objects.filter(type=events.MOVE_OUT_NOTICE.name).order_by("-id"))
    if include_used:
        return notices
    used = set(Procedure.objects.filter(payload__notice_id__isnull=False).values_list("payload__notice_id", flat=True))
    return [e for e in notices if str(e.event_id) not in used]


def move_in_from_notice(
    n: Notification, *, notice_id: str, address: AddressData, household_id: int | None = None
) -> ProcedureResult:
    """転入届 completed from the move-out data the origin municipality sent (法24条の2, 転出証明書情報): the
    clerk or the resident enters only the new address and the date; nothing is typed again. The origin is then
    told (転入通知, 法9条1項) so it can confirm its move-out."""
    from kiban.platform.events.models import Event

    notice = Event.objects.filter(type=events.MOVE_OUT_NOTICE.name, event_id=notice_id).first() if notice_id else None
    if notice is None:
        problems = Problems()
        problems.add("notice_id", "not_found", "転入予定の通知が見つかりません。", "No such advance notice.")
        problems.raise_if_any()
    assert notice is not None
    if (
        Procedure.objects.filter(payload__notice_id=str(notice.event_id)).exists()
        and not Procedure.objects.filter(request_id=n.request_id).exists()
    ):
        problems = Problems()
        problems.add("notice_id", "used", "この通知による転入は既に処理されています。", "This notice was already used.")
        problems.raise_if_any()
    persons = [
        PersonData(**{k: v for k, v in p.items() if k in PersonData.__dataclass_fields__ and v is not None})
        for p in notice.data["persons"]
    ]
    for p in persons:
        p.birth_date = date.fromisoformat(str(p.birth_date))
        if p.period_of_stay_until:
            p.period_of_stay_until = date.fromisoformat(str(p.period_of_stay_until))
    previous = notice.data["persons"][0]["previous_address"]
    payload = {"notice_id": str(notice.event_id), "address": address, "household_id": household_id}
    result = _move_in(ChangeReason.MOVE_IN_DOMESTIC, n, payload, address, persons, household_id, "domestic", previous)
    origin = notice.data.get("from_tenant", "")
    if not result.replayed and origin and Tenant.objects.filter(code=origin, active=True).exists():
        send_to_tenant(
            origin,
            events.MOVE_IN_NOTICE.name,
            f"residents/move-in/{n.request_id}",
            {
                "resident_codes": [p.resident_code for p in persons],
                "moved_in_on": n.effective_on.isoformat(),
                "notice_id": str(notice.event_id),
            },
        )
    return result


def confirm_move_out(envelope: Mapping[str, Any]) -> None:
    """転入通知 received (法9条1項): the destination recorded the move-in. The origin's removed record gets the
    confirmed date alongside the planned one (標準仕様書 j680), and the move-out takes effect on the earlier of the two
    (j50). In-process handler of ``residents.transfer.move_in_notice`` (the dispatcher calls it in this tenant)."""
    data = envelope["data"]
    moved_in_on = date.fromisoformat(data["moved_in_on"])
    people = list(
        Resident.objects.filter(resident_code__in=data.get("resident_codes", []), status=Resident.Status.REMOVED)
    )
    if not people:
        return
    n = Notification(
        f"move-in-notice-{envelope['id']}"[:64], min(moved_in_on, timezone.localdate()), timezone.localdate()
    )
    _confirm(
        ChangeReason.MINOR_CORRECTION,
        n,
        {"notice": envelope["id"], "from": data.get("from_tenant", "")},
        [r.id for r in people],
        moved_in_on,
        data.get("from_tenant", ""),
    )


def confirm_move_out_by_hand(n: Notification, resident_id: int, moved_in_on: date, destination: str) -> ProcedureResult:
    """A 転入通知 received otherwise than through the network, e.g. on paper (標準仕様書 4.1.3.1.3, j700): recorded as
    one received (``confirm_move_out``). ``move_in_notices.receive_on_paper`` checks that the person awaits one."""
    payload = {"notice": "paper", "resident_id": resident_id}
    return _confirm(ChangeReason.MINOR_CORRECTION, n, payload, [resident_id], moved_in_on, destination)


@_atomic
def _confirm(run: _Run, resident_ids: list[int], moved_in_on: date, destination: str) -> None:
    run.flags = ["move_out_confirmed"]
    for r in Resident.objects.select_for_update().filter(id__in=resident_ids):
        if r.removed_on is not None and moved_in_on < r.removed_on:
            r.removed_on = moved_in_on  # the earlier of the planned date and the move-in there
        run.change(r)
    run.payload["confirmed"] = {"moved_in_on": moved_in_on.isoformat(), "destination": destination}


def ensure_confirmation_subscription() -> None:
    """The current municipality's registry consumes 転入通知 through its standard subscription; made the first time
    it sends move-out data to another municipality on the platform (nothing to receive before that)."""
    from kiban.platform.events.models import Subscription
    from kiban.platform.events.services import subscribe

    wanted = Subscription.objects.filter(event_type=events.MOVE_IN_NOTICE.name, target=CONFIRM_HANDLER, active=True)
    if not wanted.exists():
        subscribe(events.MOVE_IN_NOTICE.name, business="residents", handler=CONFIRM_HANDLER)


CONFIRM_HANDLER = "residents.confirm_move_out"
