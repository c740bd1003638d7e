"""What the resident registry puts into the standard exchange files (``kiban export`` / ``kiban import``).

One entry per table, in load order (a table comes after the tables it refers to). The columns are listed in the
order they appear in the CSV file; that order is part of the format and only ever grows at the end of a table.
Types, lengths and required-ness come from the model fields; what is declared here is only what the model
cannot say:

- ``encrypted``: a file column that carries the plaintext of an encrypted column (the 個人番号). The export
  decrypts it with the tenant's key, the import encrypts it with the target tenant's key and recomputes its
  keyed digest; ciphertext never leaves the tenant (its associated data names the tenant). It must be the last
  column of the file.
- ``derived``: columns that are not exported because they are computed from others (normalized search keys);
  the import recomputes them.
- ``checks``: validators from ``kiban.standard`` run on each value (check digits, code tables).
- ``digest_in_json``: a JSON column holding, under a key, the keyed digest of a referenced row's encrypted
  column (history snapshots keep the 個人番号 as its digest). A digest is tenant-specific, so the file says
  ``"current"`` (the person's current number), ``"superseded"`` (a number the person no longer has; its
  digest cannot be recomputed without the plaintext) or ``""``; the import puts the target tenant's digest back.

The migration package reads this module (``EXCHANGE``); the app never imports the migration package.
"""

from __future__ import annotations

from collections.abc import Mapping

from kiban.platform.exchange import DigestInJson, Encrypted, ExchangedTable
from kiban.standard import codes, numbers
from kiban.standard.text import kana_search_key, search_key

from .models import (
    AddressEntry,
    AddressNumber,
    AdultGuardianship,
    Building,
    Certificate,
    CertificateRequesterCorrection,
    Certifier,
    CsManualLinkage,
    ExternalNoticeSent,
    Household,
    HouseholdMemberOrder,
    InputPlace,
    InputTerminal,
    MailName,
    MoveOutCertificate,
    PersonalNoticeRegistration,
    PersonalNoticeSent,
    Procedure,
    ProvisionalEntry,
    Resident,
    ResidentHistory,
    ResidentMemo,
    ResidentRemark,
    SpecialPermanentApplication,
    SpecialPermanentCertificate,
    SpecialPermanentCertificateReturn,
    SupportMeasure,
)
from .services import INDIVIDUAL_NUMBER


def _kana_key(row: Mapping[str, str]) -> str:
    return kana_search_key(row["family_name_kana"] + row["given_name_kana"])  # as Resident.refresh_search_keys


def _name_key(row: Mapping[str, str]) -> str:
    return search_key(row["family_name"] + row["given_name"])


# What every issued document keeps (``IssuedDocument``), after each kind's own columns.
_ISSUED = ("issue_number", "verification_code", "sha256", "issued_on", "issued_by", "issued_at")

EXCHANGE: tuple[ExchangedTable, ...] = (
    ExchangedTable(
        "households",
        Household,
        ("id", "postal_code", "address", "district", "building", "established_on"),
        describes="household",
    ),
    ExchangedTable(
        "residents",
        Resident,
        (
            "id",
            "household_id",
            "relationship",
            "kind",
            "status",
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "birth_date",
            "sex",
            "became_resident_on",
            "moved_in_on",
            "previous_address",
            "domicile",
            "domicile_head",
            "nationality",
            "residence_status",
            "period_of_stay_until",
            "residence_card_number",
            "alias",
            "alias_kana",
            "former_surname",
            "former_surname_kana",
            "resident_code",
            "removed_on",
            "removal_reason",
            "version",
            "individual_number",
        ),
        encrypted={
            "individual_number": Encrypted("individual_number_cipher", "individual_number_digest", INDIVIDUAL_NUMBER)
        },
        derived={"search_kana": _kana_key, "search_name": _name_key},
        checks={
            "individual_number": numbers.validate_individual_number,
            "resident_code": numbers.validate_resident_record_code,
            "residence_card_number": numbers.validate_residence_card_number,
            "nationality": codes.validate_nationality,
        },
        describes="resident",
    ),
    ExchangedTable(
        "procedures",
        Procedure,
        (
            "id",
            "kind",
            "request_id",
            "effective_on",
            "notified_on",
            "flags",
            "actor",
            "payload",
            "result",
            "recorded_at",
        ),
    ),
    ExchangedTable(
        "resident_history",
        ResidentHistory,
        (
            "id",
            "resident_id",
            "procedure_id",
            "seq",
            "kind",
            "effective_on",
            "notified_on",
            "address",
            "building",
            "snapshot",
        ),
        digest_in_json=DigestInJson("snapshot", "individual_number_digest", "resident_id", "individual_number_digest"),
        describes="change_record",
    ),
    ExchangedTable(
        "support_measures",
        SupportMeasure,
        (
            "id",
            "resident_id",
            "kind",
            "starts_on",
            "ends_on",
            "released_on",
            "released_by",
            "release_reason",
            "requested_by",
            "recorded_by",
        ),
    ),
    # Format version 3: the issuance records (交付履歴; append-only, kept like the history) and the member orders
    # set for 世帯連記式 copies. ``resident_ids`` are JSON lists of resident ids, kept as they are (ids are kept).
    ExchangedTable(
        "certificates",
        Certificate,
        # format 5: ``sheets`` (枚数 of the 交付記録, 標準仕様書 8.1.1), ``place`` and ``terminal`` (入力場所・入力端末,
        # 1.3.1) at the end; empty for earlier certificates
        (
            "id",
            "kind",
            "layout",
            "resident_ids",
            "items",
            "requester",
            "requester_name",
            "purpose",
            *_ISSUED,
            "sheets",
            "place",
            "terminal",
        ),
    ),
    ExchangedTable(
        "move_out_certificates",
        MoveOutCertificate,
        ("id", "procedure_id", "kind", "resident_ids", "content", "reissue_of_id", *_ISSUED),
    ),
    ExchangedTable(
        "household_member_orders", HouseholdMemberOrder, ("id", "household_id", "resident_ids", "set_by", "set_at")
    ),
    # Also format 3: the municipality's configuration and work in progress. Certifiers: a target that registered its
    # own before the import holds rows, so the default mode refuses (register them after the import, or merge).
    ExchangedTable(
        "certifiers",
        Certifier,
        (
            "id",
            "ward_code",
            "role",
            "title",
            "name",
            "starts_on",
            "ends_on",
            "recorded_by",
            "recorded_at",
            "withdrawn_at",
            "withdrawn_by",
        ),
    ),
    ExchangedTable(
        "address_entries",
        AddressEntry,
        (
            "id",
            "code",
            "postal_code",
            "prefecture",
            "city",
            "town",
            "koaza",
            "town_kana",
            "koaza_kana",
            "source",
            "abolished_on",
        ),
    ),
    ExchangedTable(
        "provisional_entries",
        ProvisionalEntry,
        (
            "id",
            "procedure_kind",
            "label",
            "request_id",
            "target",
            "data",
            "summary",
            "branch",
            "resident_ids",
            "status",
            "problems",
            "procedure_id",
            "entered_at",
        ),
    ),
    # Format version 4: the memos on persons (メモ, 標準仕様書 1.1.15), every version (append-only).
    ExchangedTable(
        "resident_memos",
        ResidentMemo,
        ("id", "memo", "version", "resident_id", "body", "deleted", "written_by", "written_at", "request_id"),
    ),
    # Also format 4: 成年被後見人 (標準仕様書 9.4), ended ones included.
    ExchangedTable(
        "adult_guardianships",
        AdultGuardianship,
        ("id", "resident_id", "started_on", "recorded_by", "recorded_at", "ended_on", "ended_by", "end_reason"),
    ),
    # Also format 4: the 統合記載欄's 留意事項 and 備考 (標準仕様書 1.1.14), withdrawn ones included.
    ExchangedTable(
        "resident_remarks",
        ResidentRemark,
        (
            "id",
            "resident_id",
            "kind",
            "history_seq",
            "text",
            "entered_on",
            "recorded_by",
            "recorded_at",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawal_reason",
        ),
    ),
    # Format version 5: 本人通知 (標準仕様書 8.1): the registrations (withdrawn and ended ones included), the
    # corrections of certificates' requester kinds (append-only; the kind in force is the newest) and the notices
    # printed (append-only: without them the new system would notify the same issuances again).
    ExchangedTable(
        "personal_notice_registrations",
        PersonalNoticeRegistration,
        (
            "id",
            "resident_id",
            "registered_on",
            "ends_on",
            "applicant_name",
            "send_to_address",
            "recorded_by",
            "recorded_at",
            "withdrawn_on",
            "withdrawn_by",
            "withdrawal_reason",
        ),
    ),
    ExchangedTable(
        "certificate_requester_corrections",
        CertificateRequesterCorrection,
        ("id", "certificate_id", "requester", "reason", "corrected_by", "corrected_at"),
    ),
    ExchangedTable(
        "personal_notices_sent",
        PersonalNoticeSent,
        ("id", "certificate_id", "resident_id", "condition", "print_run", "reprint", "printed_by", "printed_at"),
    ),
    # Also format 5: 入力場所・入力端末 (標準仕様書 1.3.1), retired ones included.
    ExchangedTable(
        "input_places", InputPlace, ("id", "code", "name", "kind", "ward_code", "retired_on", "recorded_by")
    ),
    ExchangedTable("input_terminals", InputTerminal, ("id", "code", "name", "place_id", "retired_on", "recorded_by")),
    # Also format 5: 住居表示・地番 (標準仕様書 1.3.2), retired numbers included, with their numeric codes.
    ExchangedTable(
        "address_numbers",
        AddressNumber,
        ("id", "town_code", "kind", "label", "special", "codes", "retired_on", "recorded_by"),
    ),
    # Also format 5: the 方書マスタ (標準仕様書 1.3.4), retired buildings included.
    ExchangedTable(
        "buildings",
        Building,
        ("id", "address", "address_key", "name", "name_kana", "retired_on", "recorded_by", "recorded_at"),
    ),
    # Also format 5: 郵便物送付コード (標準仕様書 1.1.19), every choice recorded (append-only; the newest is in force).
    ExchangedTable("mail_names", MailName, ("id", "resident_id", "code", "requested_on", "recorded_by", "recorded_at")),
    # Also format 5: the notices sent to outside bodies (戸籍の附票記載事項通知, 標準仕様書 7.2.4; 市町村通知 to the
    # 出入国在留管理庁, 4.5.7), resends included (append-only): without them the new system would send the same
    # history entries again. ``content`` is what was sent (never the 個人番号).
    ExchangedTable(
        "external_notices_sent",
        ExternalNoticeSent,
        (
            "id",
            "kind",
            "history_id",
            "resident_id",
            "destination_code",
            "destination_name",
            "delivery",
            "content",
            "batch",
            "resend",
            "sent_by",
            "sent_at",
        ),
    ),
    # Also format 5: 特別永住者証明書 (標準仕様書 8.2): the applications (cancelled and undelivered ones included), the
    # certificates held (append-only; the newest in force) with their computed 有効期間の満了の日, and their returns.
    ExchangedTable(
        "special_permanent_applications",
        SpecialPermanentApplication,
        (
            "id",
            "resident_id",
            "kind",
            "status",
            "applied_on",
            "early_reason",
            "place_id",
            "accepted_by",
            "received_on",
            "card_number",
            "card_issued_on",
            "received_by",
            "closed_on",
            "closed_by",
            "closing_reason",
            "recorded_at",
        ),
        checks={"card_number": numbers.validate_residence_card_number},  # empty until 接受
    ),
    ExchangedTable(
        "special_permanent_certificates",
        SpecialPermanentCertificate,
        (
            "id",
            "resident_id",
            "number",
            "issued_on",
            "expires_on",
            "application_id",
            "place_id",
            "recorded_by",
            "recorded_at",
        ),
        checks={"number": numbers.validate_residence_card_number},
    ),
    ExchangedTable(
        "special_permanent_certificate_returns",
        SpecialPermanentCertificateReturn,
        ("id", "certificate_id", "returned_on", "reason", "recorded_by", "recorded_at"),
    ),
    # Also format 5: 一時的に手動連携に切り替えること (標準仕様書 7.1.1.1, j1090), every switch of the CS notices
    # (本人確認情報・転入通知) to manual linkage and back with who and why (append-only; the newest in force): a
    # municipality that switched to manual for a reason still holds them after moving to another system.
    ExchangedTable("cs_manual_linkage", CsManualLinkage, ("id", "manual", "reason", "switched_by", "switched_at")),
)
