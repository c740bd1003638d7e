"""The basic resident register (住民基本台帳): households, residents, their history, procedures and support measures.

Sources: 住民基本台帳法 (昭和42年法律第81号, "法") 6条 (世帯を単位とする住民票), 7条 (記載事項), 8条 (記載・消除・修正),
and the 住民記録システム標準仕様書 (see docs/residents/requirements.md for requirement ids).

State and history: ``Resident`` and ``Household`` hold the current state; ``ResidentHistory`` is the record of
truth, append-only, one full snapshot per person per notification, with its 異動日 and 届出日. Replaying the
history of a person gives their current row (tested), and "as of date D" reads the last snapshot in effect on D.
Removed persons (除票) keep their rows with ``status = removed``; nothing is ever deleted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan

from kiban.platform.tenants.models import TenantOwned
from kiban.standard.codes import ChangeReason

HOUSEHOLDER = "世帯主"
# The procedures that take a 住民票コード off a record (標準仕様書 4.3.2, j880): 住民票コードの変更請求 (法30条の4) and
# 住民票コードの職権記載 (a wrongly entered code replaced by authority). The code taken off is kept in the procedure's
# payload as ``previous_code`` and never given again (services.code_in_use, with a partial index on it).
RESIDENT_CODE_KINDS = (
    ChangeReason.RESIDENT_RECORD_CODE_CHANGE_REQUEST.value,
    ChangeReason.RESIDENT_RECORD_CODE_ENTRY.value,
)
RETIRED_CODE = KeyTextTransform("previous_code", "payload")


def with_building(address: str, building: str) -> str:
    """An address with its 方書 (法7条7号), as certificates print it."""
    return f"{address}　{building}" if building else address


class Household(TenantOwned):
    """A household (世帯, 法6条): people living together and sharing a livelihood, at one address."""

    postal_code = models.CharField("郵便番号", max_length=7, blank=True)
    address = models.CharField("住所", max_length=255)
    district = models.CharField("町字", max_length=64, blank=True)
    building = models.CharField("方書", max_length=128, blank=True)
    established_on = models.DateField("世帯成立日")

    class Meta:
        verbose_name = "household (世帯)"

    def __str__(self) -> str:
        return f"世帯 {self.number}"

    @property
    def number(self) -> str:
        """世帯番号: the household's identifier, as printed."""
        return f"{self.id:010d}"

    @property
    def full_address(self) -> str:
        return with_building(self.address, self.building)


class Resident(TenantOwned):
    """A person recorded in the register (法7条). The current state; ``ResidentHistory`` keeps every change."""

    class Sex(models.TextChoices):
        # 住民記録システム標準仕様書 基本データリスト: 性別 1 男, 2 女
        MALE = "1", "男"
        FEMALE = "2", "女"

    class Kind(models.TextChoices):
        # 住民票の種別: 日本人住民 (法7条) / 外国人住民 (法30条の45)
        JAPANESE = "japanese", "日本人"
        FOREIGN = "foreign", "外国人"

    class Status(models.TextChoices):
        REGISTERED = "registered", "住登者"
        REMOVED = "removed", "消除者 (除票)"

    # db_index=False here and on the other foreign keys an index (tenant_id, x_id, …) already covers: every query
    # carries the tenant (row-level security), and a second index costs every insert (tests/platform/tenants).
    household = models.ForeignKey(
        Household, models.PROTECT, db_constraint=False, db_index=False, related_name="members"
    )
    relationship = models.CharField("続柄", max_length=32)
    kind = models.CharField("住民種別", max_length=10, choices=Kind.choices, default=Kind.JAPANESE)
    status = models.CharField("住民状態", max_length=10, choices=Status.choices, default=Status.REGISTERED)

    family_name = models.CharField("氏", max_length=64)
    given_name = models.CharField("名", max_length=64)
    family_name_kana = models.CharField("氏カナ", max_length=128)
    given_name_kana = models.CharField("名カナ", max_length=128)
    birth_date = models.DateField("生年月日")
    sex = models.CharField("性別", max_length=1, choices=Sex.choices)

    became_resident_on = models.DateField("住民となった年月日", null=True, blank=True)
    moved_in_on = models.DateField("住定日", null=True, blank=True)
    previous_address = models.CharField("前住所", max_length=255, blank=True)
    domicile = models.CharField("本籍", max_length=255, blank=True)
    domicile_head = models.CharField("筆頭者", max_length=128, blank=True)

    nationality = models.CharField("国籍・地域", max_length=64, blank=True)
    residence_status = models.CharField("在留資格", max_length=64, blank=True)
    period_of_stay_until = models.DateField("在留期間の満了の日", null=True, blank=True)
    residence_card_number = models.CharField("在留カード等の番号", max_length=12, blank=True)
    alias = models.CharField("通称", max_length=128, blank=True)
    alias_kana = models.CharField("通称カナ", max_length=128, blank=True)
    # 旧氏 (住民基本台帳法施行令30条の13以下, recorded on the person's request; 標準仕様書 1.1.7 j70)
    former_surname = models.CharField("旧氏", max_length=64, blank=True)
    former_surname_kana = models.CharField("旧氏カナ", max_length=128, blank=True)

    resident_code = models.CharField("住民票コード", max_length=11)
    individual_number_cipher = models.BinaryField("個人番号 (暗号化)", null=True, editable=False)
    individual_number_digest = models.CharField("個人番号ダイジェスト", max_length=64, blank=True, editable=False)

    removed_on = models.DateField("消除日", null=True, blank=True)
    removal_reason = models.CharField("消除事由", max_length=32, blank=True)

    search_kana = models.CharField("検索用カナ", max_length=256, editable=False)
    search_name = models.CharField("検索用氏名", max_length=128, editable=False)
    version = models.PositiveIntegerField("版", default=0)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "search_kana"], name="resident_search_kana_idx"),
            models.Index(fields=["tenant", "search_name"], name="resident_search_name_idx"),
            models.Index(fields=["tenant", "birth_date"], name="resident_birth_idx"),
            models.Index(fields=["tenant", "household"], name="resident_household_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "resident_code"], name="resident_code_unique"),
            models.UniqueConstraint(
                fields=["tenant", "individual_number_digest"],
                condition=~models.Q(individual_number_digest=""),
                name="resident_individual_number_unique",
            ),
            # 法6条: one householder per household among the registered members (the service checks "at least one").
            models.UniqueConstraint(
                fields=["tenant", "household"],
                condition=models.Q(relationship=HOUSEHOLDER, status="registered"),
                name="resident_one_householder",
            ),
        ]
        verbose_name = "resident (住民)"

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def is_registered(self) -> bool:
        return self.status == self.Status.REGISTERED

    @property
    def address(self) -> str:
        """The household's address with 方書 (法7条7号): a person's address is their household's."""
        return self.household.full_address

    @property
    def display_name(self) -> str:
        return f"{self.family_name}　{self.given_name}"

    def registered_on(self, day: date) -> bool:
        """Whether the person was a resident of the municipality on ``day`` (from moving in until removal)."""
        started = self.became_resident_on or self.birth_date
        return started <= day and (self.removed_on is None or day < self.removed_on)

    # Fields kept in each history snapshot (the record as it stood after a notification). The individual number
    # is kept as its digest only; the ciphertext stays on the current row.
    SNAPSHOT_FIELDS = (
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
        "individual_number_digest",
        "removed_on",
        "removal_reason",
    )
    PERSONAL_FIELDS = (
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "birth_date",
        "sex",
        "address",
        "relationship",
    )
    LIST_FIELDS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "birth_date")

    def refresh_search_keys(self) -> None:
        """The normalized keys search compares (kiban.standard.text): kana by ``kana_search_key`` (voicing, long
        vowels, ヂ/ジ … ignored), names by ``search_key`` (width, spaces, old/new forms ignored)."""
        from kiban.standard.text import kana_search_key, search_key

        self.search_kana = kana_search_key(self.family_name_kana + self.given_name_kana)
        self.search_name = search_key(self.family_name + self.given_name)

    SNAPSHOT_DATES = ("birth_date", "became_resident_on", "moved_in_on", "period_of_stay_until", "removed_on")

    def snapshot(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in self.SNAPSHOT_FIELDS:
            value = getattr(self, name)
            values[name] = value.isoformat() if isinstance(value, date) else value
        return values

    @classmethod
    def snapshot_values(cls, snapshot: dict[str, Any]) -> dict[str, Any]:
        """A snapshot's values with its dates as dates again (the inverse of ``snapshot``)."""
        values = dict(snapshot)
        for key in cls.SNAPSHOT_DATES:
            if values.get(key):
                values[key] = date.fromisoformat(values[key])
        return values

    def apply_snapshot(self, snapshot: dict[str, Any], keep: tuple[str, ...] = ()) -> None:
        """Set the items a history snapshot recorded on this row (not saved), all but those named in ``keep``; an
        item later than the snapshot is empty (a date: none)."""
        values = self.snapshot_values(snapshot)
        for name in self.SNAPSHOT_FIELDS:
            if name not in keep:
                value = values.get(name)
                setattr(self, name, value if value is not None or name in self.SNAPSHOT_DATES else "")


class Procedure(TenantOwned):
    """One notification or authority action (届出・職権), processed in one transaction.

    ``request_id`` makes procedures idempotent: a client that retries after a failover (kiban.platform.ha) gets
    the procedure it already made, not a second one.
    """

    append_only = True

    kind = models.CharField("異動事由", max_length=32)
    request_id = models.CharField("要求ID", max_length=64)
    effective_on = models.DateField("異動日")
    notified_on = models.DateField("届出日")
    flags = models.JSONField("注意事項", default=list)
    actor = models.CharField("処理者", max_length=150)
    payload = models.JSONField("入力", default=dict)
    result = models.JSONField("結果", default=dict)
    recorded_at = models.DateTimeField("処理日時", auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "request_id"], name="procedure_request_unique")]
        indexes = [
            models.Index(
                RETIRED_CODE, name="procedure_retired_code_idx", condition=models.Q(kind__in=RESIDENT_CODE_KINDS)
            ),
            # The removals that left a household without a householder (世帯主不在, 標準仕様書 4.0.5 j500): few.
            models.Index(
                fields=["tenant"],
                name="procedure_undecided_head_idx",
                condition=models.Q(payload__has_key="undecided_households"),
            ),
        ]
        verbose_name = "procedure (異動処理)"

    def __str__(self) -> str:
        return f"{self.kind} {self.effective_on}"


class ResidentHistory(TenantOwned):
    """A person's record as it stood after one procedure (住民票の異動履歴). Append-only."""

    append_only = True

    resident = models.ForeignKey(Resident, models.PROTECT, db_constraint=False, db_index=False, related_name="history")
    procedure = models.ForeignKey(Procedure, models.PROTECT, db_constraint=False, related_name="entries")
    seq = models.PositiveIntegerField("版")
    kind = models.CharField("異動事由", max_length=32)
    effective_on = models.DateField("異動日")
    notified_on = models.DateField("届出日")
    address = models.CharField("住所", max_length=255)
    building = models.CharField("方書", max_length=128, blank=True)
    snapshot = models.JSONField("記録内容")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "resident", "seq"], name="resident_history_seq")]
        indexes = [models.Index(fields=["tenant", "effective_on"], name="resident_history_effective_idx")]
        ordering = ["resident_id", "seq"]
        verbose_name = "resident history (異動履歴)"

    def __str__(self) -> str:
        return f"{self.resident_id}#{self.seq} {self.kind} {self.effective_on}"

    @property
    def full_address(self) -> str:
        """The person's address with 方書 after this procedure (their household's then)."""
        return with_building(self.address, self.building)


class SupportMeasure(TenantOwned):
    """A support measure (支援措置) protecting a person (DV, stalking, child abuse victims): 法12条6項, 20条5項
    and 住民基本台帳事務処理要領 第5-10; the standard's requirements are listed in docs/residents/requirements.md.

    One row per period: confirmation gives one year (``ends_on`` set automatically); an extension adds a row
    starting the day after. A provisional measure (仮支援措置) protects at once, before confirmation.
    The protection does not lapse by itself at ``ends_on`` (標準仕様書 j410): it holds until it is released, and a
    period that ended without extension is listed for the supervisor (``support.ended_without_extension``).
    """

    class Kind(models.TextChoices):
        PROVISIONAL = "provisional", "仮支援措置"
        CONFIRMED = "confirmed", "支援措置"

    resident = models.ForeignKey(
        Resident, models.PROTECT, db_constraint=False, db_index=False, related_name="support_measures"
    )
    kind = models.CharField("種別", max_length=12, choices=Kind.choices)
    starts_on = models.DateField("開始日")
    ends_on = models.DateField("終了予定日", null=True, blank=True)
    released_on = models.DateField("解除日", null=True, blank=True)
    released_by = models.CharField("解除者", max_length=150, blank=True)
    release_reason = models.CharField("解除理由", max_length=200, blank=True)
    requested_by = models.CharField("申出者", max_length=150)
    recorded_by = models.CharField("登録者", max_length=150)

    class Meta:
        indexes = [models.Index(fields=["tenant", "resident"], name="support_measure_resident_idx")]
        verbose_name = "support measure (支援措置)"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}–{self.ends_on or ''}"

    def in_force_on(self, day: date) -> bool:
        if self.released_on is not None and day >= self.released_on:
            return False
        return self.starts_on <= day


class IssuedDocument(TenantOwned):
    """What every issued certificate keeps (住民票の写し and the like, ``Certificate``; 転出証明書,
    ``MoveOutCertificate``): its issue number and verification code, printed on it, and the SHA-256 of the signed
    PDF, so the public verification page can say whether a paper or file is genuine; the PDF itself is not kept (it
    holds personal data; the hash suffices). Issued by ``certificates`` (``_content``, ``_sign_and_keep``).
    Append-only. Each table keeps its own unique constraints (their names are in the migrations)."""

    append_only = True

    issue_number = models.CharField("発行番号", max_length=32)
    verification_code = models.CharField("確認コード", max_length=40)
    sha256 = models.CharField("PDFのSHA-256", max_length=64)
    issued_on = models.DateField("発行日")
    issued_by = models.CharField("発行者", max_length=150)
    issued_at = models.DateTimeField("発行日時", auto_now_add=True)

    class Meta:
        abstract = True


class Certificate(IssuedDocument):
    """An issued certificate (住民票の写し, 除票の写し, 記載事項証明書): what was issued, to whom, and the hash of
    the signed PDF (``IssuedDocument``; 法12条, 12条の2, 12条の3, 15条の4).

    It is also the 交付記録 of 本人通知 (標準仕様書 8.1.1, j1220: 発行日・交付請求者区分（本人、代理人、第三者）・
    証明書種別・枚数): ``issued_on``, ``requester``, ``kind`` and ``sheets``. A requester kind chosen wrongly is
    corrected by a ``CertificateRequesterCorrection`` (the row itself is never changed); read the kind in force with
    ``personal_notice.requester_of``."""

    class Kind(models.TextChoices):
        RESIDENT_COPY = "resident_copy", "住民票の写し"
        REMOVED_COPY = "removed_copy", "除票の写し"
        RECORDED_ITEMS = "recorded_items", "住民票記載事項証明書"
        # 住民票除票記載事項証明書 (法15条の4: 除票に記載をした事項に関する証明書), one of 標準仕様書 8.1.1's four kinds
        REMOVED_ITEMS = "removed_items", "除票記載事項証明書"

    class Requester(models.TextChoices):
        SELF = "self", "本人"
        HOUSEHOLD = "household", "同一世帯の者"
        PUBLIC_OFFICE = "public_office", "国又は地方公共団体の機関 (法12条の2)"
        THIRD_PARTY = "third_party", "第三者 (法12条の3)"
        # 本人・同一世帯の者の請求を委任状により代理する者 (法12条; 標準仕様書 8.1.1 の交付請求者区分「代理人」)
        PROXY = "proxy", "代理人（委任状）"

    kind = models.CharField("種別", max_length=16, choices=Kind.choices)
    layout = models.CharField("様式", max_length=12)  # household (世帯連記式) / individual (個人票)
    resident_ids = models.JSONField("対象者")
    items = models.JSONField("記載する任意項目", default=list)
    requester = models.CharField("請求者区分", max_length=16, choices=Requester.choices)
    requester_name = models.CharField("請求者", max_length=150)
    purpose = models.CharField("請求事由", max_length=200)
    # 枚数 (標準仕様書 8.1.1): the sheets of the PDF issued, counted when it is rendered; empty for certificates
    # issued before it was recorded (2026-11-29), whose count is not known.
    sheets = models.PositiveSmallIntegerField("枚数", null=True, blank=True)
    # Where it was issued (標準仕様書 1.3.1 入力場所・入力端末: 証明書発行管理に使用する): the counter's place and
    # terminal as registered then (``places``); NULL when issued through the API or before they were kept (nullable,
    # no default: on SQLite any other new column rebuilds the table, without its append-only triggers).
    place = models.CharField("交付場所", max_length=64, null=True, blank=True)  # noqa: DJ001
    terminal = models.CharField("交付端末", max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "issue_number"], name="certificate_issue_number_unique"),
            models.UniqueConstraint(fields=["tenant", "verification_code"], name="certificate_code_unique"),
        ]
        # 本人通知 (標準仕様書 8.1.3) reads the issuance records by a period of issue dates
        indexes = [models.Index(fields=["tenant", "issued_on"], name="certificate_issued_on_idx")]
        verbose_name = "issued certificate (証明書交付)"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.issue_number}"


class Seal(TenantOwned):
    """The municipality's electronic official seal (電子公印): its certificate and its private key, encrypted with
    the tenant's data key (kiban.platform.crypto). Append-only: a new seal is a new row; the newest is used."""

    append_only = True

    material = models.JSONField("証明書等（公開部分）")
    private_key_cipher = models.BinaryField("秘密鍵（暗号化）")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "electronic official seal (電子公印)"

    def __str__(self) -> str:
        return f"seal {self.pk}"


class Certifier(TenantOwned):
    """A certifier (認証者) printed on certificates: the mayor (市区町村長) or the acting deputy (職務代理者), each
    with title and name (住民記録システム標準仕様書 1.3.9, j310). A designated city's ward (指定都市の区) has its
    own 区長 and deputy: ``ward_code`` names the ward (its 6-digit local government code), blank for the municipality.

    The certifier in force on a day is a deputy whose period covers it, else the mayor whose term started last on or
    before it (``certificates.certifier_on``); a deputy period registered in advance therefore switches certificates
    issued in that period automatically. A blank name is impossible (j310 実装しない機能: 「○○長 公印」): checked by
    the service and by the database. Rows are not deleted: a mistaken one is withdrawn (``withdrawn_at``).
    """

    class Role(models.TextChoices):
        MAYOR = "mayor", "市区町村長（区長）"
        DEPUTY = "deputy", "職務代理者"

    ward_code = models.CharField("区（指定都市の区のコード）", max_length=6, blank=True, default="")
    role = models.CharField("区分", max_length=8, choices=Role.choices)
    title = models.CharField("職名", max_length=64)
    name = models.CharField("氏名", max_length=64)
    starts_on = models.DateField("開始日")
    ends_on = models.DateField("終了日", null=True, blank=True)
    recorded_by = models.CharField("登録者", max_length=150)
    recorded_at = models.DateTimeField("登録日時", auto_now_add=True)
    withdrawn_at = models.DateTimeField("取消日時", null=True, blank=True)
    withdrawn_by = models.CharField("取消者", max_length=150, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["tenant", "ward_code", "starts_on"], name="certifier_ward_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("name")), 0),
                name="certifier_name_not_blank",
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("title")), 0),
                name="certifier_title_not_blank",
            ),
            models.CheckConstraint(
                condition=models.Q(role="mayor") | models.Q(ends_on__isnull=False), name="certifier_deputy_has_period"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="certifier_period_in_order",
            ),
        ]
        verbose_name = "certifier (認証者)"

    def __str__(self) -> str:
        return f"{self.title}　{self.name}"


class HouseholdMemberOrder(TenantOwned):
    """The order of a household's members on the 世帯連記式 copy, when set (標準仕様書 5.2, j1010:
    "設定情報については、保持されること"; "世帯員の並び順を任意に設定することもできる").
    Append-only: the newest row of a household is in force; members not listed in it (who joined later) follow it
    at the end (``certificates.member_order``)."""

    append_only = True

    household = models.ForeignKey(
        Household, models.PROTECT, db_constraint=False, db_index=False, related_name="member_orders"
    )
    resident_ids = models.JSONField("並び順（宛名番号）")
    set_by = models.CharField("設定者", max_length=150)
    set_at = models.DateTimeField("設定日時", auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "household"], name="member_order_household_idx")]
        verbose_name = "household member order (世帯員の並び順)"

    def __str__(self) -> str:
        return f"世帯 {self.household_id}: {self.resident_ids}"


class ResidentMemo(TenantOwned):
    """A memo on a person (メモ, 標準仕様書 1.1.15, j150): free text on any matter, with the staff user who wrote it
    and when; never printed on a certificate (nothing in ``certificates`` reads it).

    Append-only, so that every correction and deletion is kept (j150: メモの修正・削除について履歴管理されること):
    a memo is the rows sharing ``memo``; a correction adds the next ``version`` with the new text, a deletion adds
    one with ``deleted`` set. The newest version is the memo as it stands. ``request_id`` makes a form sent twice
    write once."""

    append_only = True

    memo = models.UUIDField("メモ")
    version = models.PositiveIntegerField("版")
    resident = models.ForeignKey(Resident, models.PROTECT, db_constraint=False, db_index=False, related_name="+")
    body = models.TextField("内容", blank=True)
    deleted = models.BooleanField("削除", default=False)
    written_by = models.CharField("入力者", max_length=150)
    written_at = models.DateTimeField("入力日時", auto_now_add=True)
    request_id = models.CharField("要求ID", max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "memo", "version"], name="resident_memo_version_unique"),
            models.UniqueConstraint(fields=["tenant", "request_id"], name="resident_memo_request_unique"),
        ]
        indexes = [models.Index(fields=["tenant", "resident"], name="resident_memo_resident_idx")]
        verbose_name = "memo on a person (メモ)"

    def __str__(self) -> str:
        return f"メモ {self.memo} 第{self.version}版"


class ResidentRemark(TenantOwned):
    """The 統合記載欄's entries other than the history (標準仕様書 1.1.14, j140): a 留意事項 (B類型) tied to one
    entry of the person's history (``history_seq``), or a 備考 (C類型) kept apart from it — e.g. a de-facto
    householder's name (事実上の世帯主, 4.1.4.3) or 「特別養子縁組」. Both are part of the record and printed with its
    history on a certificate (``certificates``). A mistaken one is withdrawn (``withdrawn_at``, with who and why),
    never deleted."""

    class Kind(models.TextChoices):
        NOTE = "note", "留意事項（B類型）"
        REMARK = "remark", "備考（C類型）"

    resident = models.ForeignKey(Resident, models.PROTECT, db_constraint=False, db_index=False, related_name="+")
    kind = models.CharField("種別", max_length=8, choices=Kind.choices)
    history_seq = models.PositiveIntegerField("異動履歴（番号）", null=True, blank=True)
    text = models.CharField("記載内容", max_length=200)
    entered_on = models.DateField("記載日")
    recorded_by = models.CharField("入力者", max_length=150)
    recorded_at = models.DateTimeField("入力日時", auto_now_add=True)
    withdrawn_at = models.DateTimeField("取消日時", null=True, blank=True)
    withdrawn_by = models.CharField("取消者", max_length=150, blank=True)
    withdrawal_reason = models.CharField("取消理由", max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "resident"], name="resident_remark_resident_idx")]
        verbose_name = "remark of the record (統合記載欄の留意事項・備考)"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.text}"


class AdultGuardianship(TenantOwned):
    """成年被後見人 (標準仕様書 9.4, j1310): a person under adult guardianship from ``started_on`` (the day the
    後見開始の審判 became final) until ``ended_on``. Set and ended by a supervisor; when such a person moves out,
    the counter prints the notice to the municipality moved to (``guardianship.move_out_notice``). No list of the
    persons under guardianship is produced anywhere (一覧表: 実装しない機能)."""

    resident = models.ForeignKey(Resident, models.PROTECT, db_constraint=False, db_index=False, related_name="+")
    started_on = models.DateField("後見開始日")
    recorded_by = models.CharField("設定者", max_length=150)
    recorded_at = models.DateTimeField("設定日時", auto_now_add=True)
    ended_on = models.DateField("終了日", null=True, blank=True)
    ended_by = models.CharField("終了の設定者", max_length=150, blank=True)
    end_reason = models.CharField("終了事由", max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "resident"], name="guardianship_resident_idx")]
        verbose_name = "adult guardianship (成年被後見人)"

    def __str__(self) -> str:
        return f"{self.resident_id} {self.started_on}"


class HiddenItems(TenantOwned):
    """The items a staff user is not shown on any counter screen (操作権限設定, 標準仕様書 10.4, j1390): any of 戸籍の
    表示, 個人番号, 住民票コード and 在留資格等 (``visibility.ITEMS``), set per user by a supervisor. 続柄 can never be
    hidden (実装しない機能). ``user_id`` is the staff account's (the platform's ``accounts.User``)."""

    user_id = models.BigIntegerField("利用者")
    items = models.JSONField("非表示の項目", default=list)
    set_by = models.CharField("設定者", max_length=150)
    set_at = models.DateTimeField("設定日時", auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "user_id"], name="hidden_items_user_unique")]
        verbose_name = "items hidden from a user (操作権限設定)"

    def __str__(self) -> str:
        return f"{self.user_id}: {', '.join(self.items)}"


class SearchHistory(TenantOwned):
    """A staff user's search conditions (検索履歴, 標準仕様書 2.1.1, j320): kept automatically after each search, the
    newest ``search_history.KEPT`` per user; chosen again, they search again or fill the form for a new search.
    ``user_id`` is the staff account's (the platform's ``accounts.User``); only that user sees them."""

    user_id = models.BigIntegerField("利用者")
    kana = models.CharField("カナ氏名", max_length=64, blank=True)
    name = models.CharField("氏名", max_length=64, blank=True)
    address = models.CharField("住所", max_length=128, blank=True)
    birth_date = models.DateField("生年月日", null=True, blank=True)
    purpose = models.CharField("利用目的", max_length=200)
    searched_at = models.DateTimeField("検索日時", auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "user_id", "searched_at"], name="search_history_user_idx")]
        verbose_name = "search history (検索履歴)"

    def __str__(self) -> str:
        return f"{self.user_id} {self.searched_at:%Y-%m-%d %H:%M}"


class MoveOutCertificate(IssuedDocument):
    """A moving-out certificate (転出証明書, 住民基本台帳法24条・施行令23条) issued in the course of a 転出
    procedure, or, for a move-out notified more than 14 days after it happened, the 転出証明書に準ずる証明書
    (標準仕様書 4.1.3.0.3, j660).

    ``content`` keeps what the first issue printed, so a reissue (再交付, after a loss) prints the state as it was
    then, marked 再交付 (j660: printing the latest state on a reissue is 実装しない機能). Only the hash of each PDF
    is kept, with a verification code, as for the other certificates (``IssuedDocument``).
    """

    class Kind(models.TextChoices):
        MOVE_OUT = "move_out", "転出証明書"
        EQUIVALENT = "move_out_equivalent", "転出証明書に準ずる証明書"

    procedure = models.ForeignKey(
        Procedure, models.PROTECT, db_constraint=False, db_index=False, related_name="move_out_certificates"
    )
    kind = models.CharField("種別", max_length=24, choices=Kind.choices)
    resident_ids = models.JSONField("対象者")
    content = models.JSONField("記載内容（当初発行時）")
    reissue_of = models.ForeignKey(
        "self", models.PROTECT, db_constraint=False, null=True, blank=True, related_name="reissues"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "issue_number"], name="move_out_cert_number_unique"),
            models.UniqueConstraint(fields=["tenant", "verification_code"], name="move_out_cert_code_unique"),
        ]
        indexes = [models.Index(fields=["tenant", "procedure"], name="move_out_cert_procedure_idx")]
        verbose_name = "moving-out certificate (転出証明書)"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.issue_number}"


class ProvisionalEntry(TenantOwned):
    """A procedure entered at the counter and kept provisional (仮登録) until an examiner registers it (本登録):
    住民記録システム標準仕様書 4.0.8 審査・決裁 (j530); see ``provisional``.

    Not register data: nothing of it is read by certificates, searches, the history or other businesses. It keeps
    what was entered (the counter form's data), a summary for the list (仮登録一覧), the counter it was entered at
    (入力支所) and, once registered, the procedure it became. By the same requirement it does not keep the
    examiner's name or the date of the decision (実装しない機能); the audit log records who acted."""

    class Status(models.TextChoices):
        PROVISIONAL = "provisional", "仮登録"
        REGISTERED = "registered", "本登録済"
        WITHDRAWN = "withdrawn", "取消"

    procedure_kind = models.CharField("手続", max_length=32)
    label = models.CharField("異動事由", max_length=32)
    request_id = models.CharField("要求ID", max_length=64)
    target = models.CharField("対象", max_length=64, blank=True)
    data = models.JSONField("入力内容")
    summary = models.CharField("概要", max_length=255)
    branch = models.CharField("入力支所", max_length=64, blank=True)
    resident_ids = models.JSONField("対象者", default=list)
    status = models.CharField("状態", max_length=12, choices=Status.choices, default=Status.PROVISIONAL)
    problems = models.JSONField("本登録できなかった理由", default=list)
    procedure = models.ForeignKey(
        Procedure, models.PROTECT, db_constraint=False, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField("入力日時", auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "request_id"], name="provisional_request_unique")]
        indexes = [models.Index(fields=["tenant", "status", "branch"], name="provisional_status_idx")]
        verbose_name = "provisional entry (仮登録)"

    def __str__(self) -> str:
        return f"{self.label} {self.summary}"


class AddressEntry(TenantOwned):
    """The municipality's address dictionary (住所辞書, 標準仕様書 1.3.3 j250): each 大字・町 of the municipality
    with its 11-digit address code (住所コード = 都道府県2 + 市区町村3 (全国地方公共団体コード without the check
    digit, JIS X 0401/0402) + 大字3 + 小字3), kana and postal code. Filled from the national address book
    (``kiban.standard.address_book``), corrected and extended by staff; a town that disappears from the national data
    is kept with ``abolished_on`` (old town names are still entered for 本籍). Codes, once given, never change."""

    class Source(models.TextChoices):
        NATIONAL = "national", "全国住所データ"
        STAFF = "staff", "職員登録"

    code = models.CharField("住所コード", max_length=11)
    postal_code = models.CharField("郵便番号", max_length=7, blank=True)
    prefecture = models.CharField("都道府県", max_length=8)
    city = models.CharField("市区町村", max_length=32)
    town = models.CharField("大字・町名", max_length=64)
    koaza = models.CharField("小字", max_length=64, blank=True)
    town_kana = models.CharField("大字・町名カナ", max_length=128)
    koaza_kana = models.CharField("小字カナ", max_length=128, blank=True)
    source = models.CharField("出典", max_length=10, choices=Source.choices, default=Source.NATIONAL)
    abolished_on = models.DateField("廃止日", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="address_entry_code_unique"),
            models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9]{11}$"), name="address_entry_code_digits"),
        ]
        indexes = [
            models.Index(fields=["tenant", "postal_code"], name="address_entry_postal_idx"),
            models.Index(fields=["tenant", "town_kana"], name="address_entry_kana_idx"),
        ]
        verbose_name = "address dictionary entry (住所辞書)"

    def __str__(self) -> str:
        return f"{self.code} {self.address}"

    @property
    def address(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}{self.koaza}"


class Building(TenantOwned):
    """方書マスタ (標準仕様書 1.3.4 方書管理, j260): the buildings (アパート・マンション・寮 …) at an address of the
    municipality, maintained by staff (「職員管理を前提としており、容易にできること」), offered as candidates when
    that address is entered (4.0.7 方書入力補助, j520). ``address_key`` is the address as ``buildings.address_key``
    normalizes it (the match is on the whole address, 番地 included); there is no lookup from a building to its
    address (4.0.7: 実装しない機能). A building gone is retired (``retired_on``), kept for the records naming it."""

    address = models.CharField("住所", max_length=255)
    address_key = models.CharField("住所（照合用）", max_length=255)
    name = models.CharField("方書", max_length=128)
    name_kana = models.CharField("方書カナ", max_length=128, blank=True)
    retired_on = models.DateField("廃止日", null=True, blank=True)
    recorded_by = models.CharField("登録者", max_length=150)
    recorded_at = models.DateTimeField("登録日時", auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "address_key", "name"], name="building_address_name_unique")
        ]
        verbose_name = "building at an address (方書マスタ)"

    def __str__(self) -> str:
        return f"{self.address} {self.name}"


class CertificateRequesterCorrection(TenantOwned):
    """A correction of the requester kind of an issued certificate (交付請求者の選択誤りを修正, 標準仕様書 8.1.1,
    j1220). Append-only like the certificate: the newest correction of a certificate is the kind in force
    (``personal_notice.requester_of``), with who corrected it, when and why."""

    append_only = True

    certificate = models.ForeignKey(Certificate, models.PROTECT, db_constraint=False, db_index=False, related_name="+")
    requester = models.CharField("請求者区分（修正後）", max_length=16, choices=Certificate.Requester.choices)
    reason = models.CharField("修正理由", max_length=200)
    corrected_by = models.CharField("修正者", max_length=150)
    corrected_at = models.DateTimeField("修正日時", auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "certificate"], name="requester_correction_cert_idx")]
        verbose_name = "correction of a certificate's requester kind (交付請求者区分の修正)"

    def __str__(self) -> str:
        return f"{self.certificate_id} → {self.requester}"


class PersonalNoticeRegistration(TenantOwned):
    """A person's 本人通知 registration (事前登録, 標準仕様書 8.1.1, j1220): when a copy of their 住民票 or the like is
    issued to someone else, they are told (``personal_notice``). In force from ``registered_on`` to ``ends_on`` (the
    period is each municipality's 本人通知制度実施要綱, not law; ``personal_notice.DEFAULT_YEARS``), unless withdrawn
    (``withdrawn_on``, with who and why; the row is kept). The notice goes to the person at their address, or to the
    applicant (申出者, e.g. a 法定代理人) at ``send_to_address`` when one is given."""

    resident = models.ForeignKey(Resident, models.PROTECT, db_constraint=False, db_index=False, related_name="+")
    registered_on = models.DateField("登録日")
    ends_on = models.DateField("登録期間満了日")
    applicant_name = models.CharField("申出者（本人以外の場合）", max_length=150, blank=True)
    send_to_address = models.CharField("送付先（住民票の住所以外の場合）", max_length=255, blank=True)
    recorded_by = models.CharField("登録者", max_length=150)
    recorded_at = models.DateTimeField("登録日時", auto_now_add=True)
    withdrawn_on = models.DateField("廃止日", null=True, blank=True)
    withdrawn_by = models.CharField("廃止の登録者", max_length=150, blank=True)
    withdrawal_reason = models.CharField("廃止理由", max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "resident"], name="personal_notice_resident_idx"),
            models.Index(fields=["tenant", "ends_on"], name="personal_notice_ends_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("registered_on")), name="personal_notice_period_in_order"
            ),
        ]
        verbose_name = "personal notice registration (本人通知の事前登録)"

    def __str__(self) -> str:
        return f"{self.resident_id} {self.registered_on}–{self.ends_on}"

    def in_force_on(self, day: date) -> bool:
        return self.registered_on <= day <= self.ends_on and (self.withdrawn_on is None or day < self.withdrawn_on)


class PersonalNoticeSent(TenantOwned):
    """A 住民票の写し等交付通知書 printed (標準仕様書 8.1.3, j1240): one row per certificate and person told of it, so
    that the same issuance is not notified twice; a reprint is a row of its own marked ``reprint``. ``print_run``
    groups the rows printed together; ``condition`` is the output condition chosen (``personal_notice.CONDITIONS``).
    Append-only."""

    append_only = True

    class Condition(models.TextChoices):
        # 出力条件 (標準仕様書 8.1.3): the three the standard makes selectable
        REGISTERED = "registered", "本人通知の事前登録者への交付"
        REGISTERED_NOT_SELF = "registered_not_self", "本人通知の事前登録者への交付（申請者が本人の交付記録は除く）"
        BY_REQUESTER = "by_requester", "事前登録に関わらず申請者情報（第三者への交付や委任状による交付）による判定"

    certificate = models.ForeignKey(Certificate, models.PROTECT, db_constraint=False, db_index=False, related_name="+")
    resident = models.ForeignKey(Resident, models.PROTECT, db_constraint=False, db_index=False, related_name="+")
    condition = models.CharField("出力条件", max_length=24, choices=Condition.choices)
    print_run = models.UUIDField("出力単位")
    reprint = models.BooleanField("再発行", default=False)
    printed_by = models.CharField("出力者", max_length=150)
    printed_at = models.DateTimeField("出力日時", auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "certificate", "resident"],
                condition=models.Q(reprint=False),
                name="personal_notice_sent_once",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "resident"], name="personal_notice_sent_res_idx")]
        verbose_name = "personal notice printed (住民票の写し等交付通知書の出力)"

    def __str__(self) -> str:
        return f"{self.certificate_id}/{self.resident_id}{' 再発行' if self.reprint else ''}"


class InputPlace(TenantOwned):
    """入力場所 (標準仕様書 1.3.1, j230): where the registry is used — 本庁, 支所, 出張所, a section using the system —
    for the system's records and the certificates' issuance records; in a designated city, each ward office (区役所)
    with its ward's code, whose 区長 then certifies what is issued there. Retired, never deleted."""

    class Kind(models.TextChoices):
        MAIN_OFFICE = "main_office", "本庁"
        BRANCH = "branch", "支所"
        SUB_BRANCH = "sub_branch", "出張所"
        WARD_OFFICE = "ward_office", "区役所"
        SECTION = "section", "住民記録システム利用課"
        OTHER = "other", "その他"

    code = models.CharField("入力場所コード", max_length=8)
    name = models.CharField("名称", max_length=64)
    kind = models.CharField("種別", max_length=16, choices=Kind.choices)
    ward_code = models.CharField("行政区コード", max_length=6, blank=True)
    retired_on = models.DateField("廃止日", null=True, blank=True)
    recorded_by = models.CharField("登録者", max_length=150)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="input_place_code_unique")]
        verbose_name = "input place (入力場所)"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class InputTerminal(TenantOwned):
    """入力端末 (標準仕様書 1.3.1, j230): a registered counter terminal, at one place. A browser is told which terminal
    it is once (``places.remember_terminal``: a signed cookie); its place then becomes the session's 入力支所."""

    code = models.CharField("端末コード", max_length=16)
    name = models.CharField("端末名", max_length=64)
    place = models.ForeignKey(InputPlace, models.PROTECT, db_constraint=False, db_index=False, related_name="+")
    retired_on = models.DateField("廃止日", null=True, blank=True)
    recorded_by = models.CharField("登録者", max_length=150)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="input_terminal_code_unique")]
        verbose_name = "input terminal (入力端末)"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AddressNumber(TenantOwned):
    """住居表示・地番のマスタ (標準仕様書 1.3.2, j240): the numbers an address may take in a town of the 住所辞書
    (``town_code``, its 11-digit code): 住居表示 (街区符号・住居番号, 住居表示に関する法律), 地番 (本番・枝番, including
    特殊地番 such as 無番地 or 甲乙 numbers) and 区画整理 (街区・画地 of a land readjustment before its 換地処分).
    ``codes`` are the label's numbers (``kiban.standard.addresses.number_codes``), kept for sorting by number.
    Retired, never deleted (old records name old numbers)."""

    class Kind(models.TextChoices):
        HOUSING = "housing", "住居表示"
        LOT = "lot", "地番"
        READJUSTMENT = "readjustment", "区画整理"

    town_code = models.CharField("住所コード", max_length=11)
    kind = models.CharField("種別", max_length=16, choices=Kind.choices)
    label = models.CharField("番号", max_length=64)
    special = models.BooleanField("特殊地番", default=False)
    codes = models.JSONField("番号の数値コード", default=list)
    retired_on = models.DateField("廃止日", null=True, blank=True)
    recorded_by = models.CharField("登録者", max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "town_code", "kind", "label"], name="address_number_unique")
        ]
        verbose_name = "housing or lot number (住居表示・地番)"

    def __str__(self) -> str:
        return f"{self.town_code} {self.label}"


class MailName(TenantOwned):
    """郵便物送付コード (住民記録システム標準仕様書 1.1.19, j190, 標準オプション): how mail from the municipality
    names a foreign resident who has a 通称 — 通称のみ, 本名のみ (the spec's example) or both.

    Append-only: each choice is a new row with the date the person asked for it, and the newest is the one in
    force; none means 本名, as every letter printed it before. ``mail_names`` says what a letter prints (a 通称 no
    longer recorded falls back to 本名)."""

    append_only = True

    class Code(models.TextChoices):
        REAL = "real", "本名のみ"
        ALIAS = "alias", "通称のみ"
        BOTH = "both", "本名と通称"

    resident = models.ForeignKey(Resident, models.PROTECT, db_constraint=False, db_index=False, related_name="+")
    code = models.CharField("郵便物送付コード", max_length=8, choices=Code.choices)
    requested_on = models.DateField("申出日")
    recorded_by = models.CharField("入力者", max_length=150)
    recorded_at = models.DateTimeField("入力日時", auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "resident"], name="mail_name_resident_idx")]
        verbose_name = "mail name code (郵便物送付コード)"

    def __str__(self) -> str:
        return self.get_code_display()


class ExternalNoticeSent(TenantOwned):
    """A notice of the registry to an outside body, recorded as sent (``external_notices``): a 戸籍の附票記載事項通知 to
    the municipality of the person's 本籍 (住民基本台帳法19条; 標準仕様書 7.2.4, j1200), a 市町村通知 to the
    出入国在留管理庁 (入管法61条の8の2; 標準仕様書 4.5.7, j970), a 本人確認情報の通知 to the prefecture over the CS
    (法30条の6; 7.1.1.1, j1090) or a 転入通知 to the previous address's municipality (法9条1項; j1090). One row
    per history entry notified, with what was sent (``content``: the items as sent, never the 個人番号), where to
    and how (``delivery``). Append-only: a history entry is notified once (``external_notice_sent_once``); a resend
    (再送信) is a row of its own marked ``resend``. ``batch`` groups the rows sent together."""

    append_only = True

    class Kind(models.TextChoices):
        KOSEKI_FUHYO = "koseki_fuhyo", "戸籍附票記載事項通知"
        IMMIGRATION = "immigration", "市町村通知（出入国在留管理庁）"
        CS_IDENTITY = "cs_identity", "本人確認情報の通知（都道府県知事・CS）"
        MOVE_IN = "move_in", "転入通知（法9条1項・前住所地へ）"

    class Delivery(models.TextChoices):
        EVENT = "event", "連携（自団体の戸籍附票システム・出入国在留管理庁連携端末）"
        CHANNEL = "channel", "基盤経由で他団体へ"
        PAPER = "paper", "通知書（紙）"
        CS = "cs", "住基ネット（CS）"

    kind = models.CharField("通知の種類", max_length=16, choices=Kind.choices)
    history = models.ForeignKey(ResidentHistory, models.PROTECT, db_constraint=False, db_index=False, related_name="+")
    resident = models.ForeignKey(Resident, models.PROTECT, db_constraint=False, db_index=False, related_name="+")
    destination_code = models.CharField("通知先団体コード", max_length=6, blank=True)
    destination_name = models.CharField("通知先", max_length=64)
    delivery = models.CharField("送信方法", max_length=8, choices=Delivery.choices)
    content = models.JSONField("通知内容")
    batch = models.UUIDField("送信単位")
    resend = models.BooleanField("再送信", default=False)
    sent_by = models.CharField("送信者", max_length=150)
    sent_at = models.DateTimeField("送信日時", auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "history"], condition=models.Q(resend=False), name="external_notice_sent_once"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "resident"], name="external_notice_resident_idx")]
        verbose_name = "notice to an outside body (附票記載事項通知・市町村通知の送信)"

    def __str__(self) -> str:
        return f"{self.kind} {self.history_id}{' 再送信' if self.resend else ''}"


class CsManualLinkage(TenantOwned):
    """一時的に手動連携に切り替えること (住民記録システム標準仕様書 7.1.1.1, j1090): whether the automatic sending of
    the notices that go over the 住基ネット (CS) — 本人確認情報 and 転入通知 (``external_notices.CS_KINDS``) — is held
    for this municipality. Append-only: every switch is a row, with who, when and why; the newest is in force, none
    means automatic. While held, the notices wait in the list and a supervisor sends them by hand; switching back
    sends nothing by itself (the next automatic run does)."""

    append_only = True

    manual = models.BooleanField("手動連携")
    reason = models.CharField("理由", max_length=200)
    switched_by = models.CharField("切替者", max_length=150)
    switched_at = models.DateTimeField("切替日時", auto_now_add=True)

    class Meta:
        verbose_name = "CS manual linkage switch (手動連携への切替)"

    def __str__(self) -> str:
        return f"{'手動' if self.manual else '自動'} {self.switched_at:%Y-%m-%d %H:%M}"


class SpecialPermanentApplication(TenantOwned):
    """An application concerning a 特別永住者証明書 made at the counter (住民記録システム標準仕様書 8.2.2 申請受理処理,
    j1260; ``special_permanent``): the municipality receives it and passes it to the 出入国在留管理庁, which makes the
    card; the card comes back (接受: 交付待ち), and the person collects it (交付済) or does not come (不交付返戻). An
    application accepted by mistake is cancelled (取消し). Dates and who recorded each step are kept; the row is never
    deleted. At most one open application (受理 or 交付待ち) per person."""

    class Kind(models.TextChoices):
        # 日本国との平和条約に基づき日本の国籍を離脱した者等の出入国管理に関する特例法 (入管特例法)
        ISSUE = "issue", "特別永住者証明書の交付（7条）"
        CHANGE = "change", "住居地以外の記載事項の変更（11条）"
        RENEWAL = "renewal", "有効期間の更新（12条）"
        REISSUE_LOST = "reissue_lost", "紛失等による再交付（13条）"
        REISSUE_DAMAGED = "reissue_damaged", "汚損等による再交付（14条）"

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "申請受理"
        RECEIVED = "received", "交付待ち（接受済）"
        DELIVERED = "delivered", "交付済"
        NOT_DELIVERED = "not_delivered", "不交付返戻"
        CANCELLED = "cancelled", "受理取消し"

    OPEN = (Status.ACCEPTED, Status.RECEIVED)

    resident = models.ForeignKey(Resident, models.PROTECT, db_constraint=False, db_index=False, related_name="+")
    kind = models.CharField("申請の種別", max_length=16, choices=Kind.choices)
    status = models.CharField("状態", max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    applied_on = models.DateField("申請受理日")
    early_reason = models.CharField("申請期間前の申請の理由", max_length=200, blank=True)
    place = models.ForeignKey(
        InputPlace, models.PROTECT, db_constraint=False, db_index=False, null=True, blank=True, related_name="+"
    )
    accepted_by = models.CharField("受理者", max_length=150)
    received_on = models.DateField("接受日", null=True, blank=True)
    card_number = models.CharField("特別永住者証明書の番号", max_length=12, blank=True)
    card_issued_on = models.DateField("交付年月日（証明書の記載）", null=True, blank=True)
    received_by = models.CharField("接受の登録者", max_length=150, blank=True)
    closed_on = models.DateField("交付日・不交付返戻日・取消日", null=True, blank=True)
    closed_by = models.CharField("交付・不交付返戻・取消しの登録者", max_length=150, blank=True)
    closing_reason = models.CharField("不交付返戻・取消しの理由", max_length=200, blank=True)
    recorded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "resident"], name="spr_application_resident_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "resident"],
                condition=models.Q(status__in=["accepted", "received"]),
                name="spr_application_one_open",
            ),
        ]
        verbose_name = "special permanent resident certificate application (特別永住者証明書の申請)"

    def __str__(self) -> str:
        return f"{self.resident_id} {self.kind} {self.status}"


class SpecialPermanentCertificate(TenantOwned):
    """A 特別永住者証明書 held by a 特別永住者 (入管特例法7条・8条; 標準仕様書 8.2, j1250–j1270): its number (12
    characters, a new one for each issue, 8条2項), 交付年月日 and 有効期間の満了の日 (computed by the law's rule,
    ``special_permanent.expiry_date``, and stored). Append-only: a new certificate supersedes the previous one (the
    newest by 交付年月日 is in force); ``application`` is the application whose delivery it records, empty for a card
    entered as held (e.g. one missing from the records). ``place`` is the office (入力場所) in charge of it, for the
    counts of 8.2.3."""

    append_only = True

    resident = models.ForeignKey(Resident, models.PROTECT, db_constraint=False, db_index=False, related_name="+")
    number = models.CharField("特別永住者証明書の番号", max_length=12)
    issued_on = models.DateField("交付年月日")
    expires_on = models.DateField("有効期間の満了の日")
    application = models.ForeignKey(
        SpecialPermanentApplication, models.PROTECT, db_constraint=False, db_index=False, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    place = models.ForeignKey(
        InputPlace, models.PROTECT, db_constraint=False, db_index=False, null=True, blank=True, related_name="+"
    )
    recorded_by = models.CharField("登録者", max_length=150)
    recorded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "resident"], name="spr_certificate_resident_idx"),
            models.Index(fields=["tenant", "expires_on"], name="spr_certificate_expires_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="spr_certificate_number_unique"),
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("issued_on")), name="spr_certificate_period_in_order"
            ),
        ]
        verbose_name = "special permanent resident certificate (特別永住者証明書)"

    def __str__(self) -> str:
        return f"{self.number} {self.issued_on}–{self.expires_on}"


class SpecialPermanentCertificateReturn(TenantOwned):
    """A 特別永住者証明書 returned (返納, 入管特例法16条; 標準仕様書 8.2.2, j1260): the day and the reason. Append-only;
    a certificate is returned once, and a returned certificate is no longer in force."""

    append_only = True

    certificate = models.ForeignKey(
        SpecialPermanentCertificate, models.PROTECT, db_constraint=False, db_index=False, related_name="+"
    )
    returned_on = models.DateField("返納日")
    reason = models.CharField("返納の事由", max_length=200)
    recorded_by = models.CharField("登録者", max_length=150)
    recorded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "certificate"], name="spr_return_once")]
        verbose_name = "special permanent resident certificate returned (特別永住者証明書の返納)"

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.returned_on}"
