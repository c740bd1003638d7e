"""Forms of the counter (窓口): the search and one form per procedure wizard.

Each procedure form validates what a form can (required items, era dates), turns its cleaned data into the
arguments of its service in ``kiban.apps.residents.services`` (``procedure``), and places the service's
``FieldError``s next to the matching field (``attach``); the service stays the one place of the business rules.
Labels are Japanese with the English beside them; messages likewise (CONVENTIONS.md, "Errors").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from django import forms
from django.forms.utils import ErrorList
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kiban.standard import codes
from kiban.standard.era import EraDateError, format_date, parse_date
from kiban.standard.text import normalize_digits, normalize_kana_input

from . import certificates, services
from .models import HOUSEHOLDER, Certificate, Resident, SupportMeasure
from .selectors import ResidentRecord, is_current
from .validation import FieldError, PersonData, Problems, ProcedureError
from .visibility import ITEM_FIELDS


def bilingual(ja: str, en: str) -> SafeString:
    """Japanese text with the English beside it (escaped; safe to put in a template as is)."""
    return format_html('{} <span lang="en" class="en">({})</span>', ja, en)


def error_text(error: FieldError) -> SafeString:
    return bilingual(error.message, error.message_en)


REQUIRED = bilingual("入力してください。", "This item is required.")
INVALID_CHOICE = bilingual("選択肢から選んでください。", "Choose one of the options.")
INVALID_NUMBER = bilingual("数字で入力してください。", "Enter a number.")
FIELD_MESSAGES = {"required": REQUIRED, "invalid_choice": INVALID_CHOICE, "invalid": INVALID_NUMBER}
DATE_EXAMPLE = "R6.4.1 / 令和6年4月1日"
# A foreign resident's birth date and 在留期間の満了の日 are shown in 西暦 (j90), so their fields hint 西暦.
WESTERN_DATE_EXAMPLE = "2024-04-01"

# The label of every item: (Japanese, English). A form may override one (``labels``), e.g. 異動日 → 転入日.
LABELS: dict[str, tuple[str, str]] = {
    "kana": ("カナ氏名", "Name in kana"),
    "name": ("漢字氏名", "Name"),
    "birth_date": ("生年月日", "Date of birth"),
    "purpose": ("利用目的", "Purpose of use"),
    "effective_on": ("異動日", "Date of change"),
    "notified_on": ("届出日", "Date notified"),
    "origin": ("転入元", "Moving in from"),
    "previous_address": ("前住所", "Previous address"),
    "postal_code": ("郵便番号", "Postal code"),
    "address": ("住所", "Address"),
    "building": ("方書", "Building and room"),
    "notifier": ("届出人（異動者本人以外が届け出たとき：氏名）", "Notifier, if not the person moving: name"),
    "family_name": ("氏", "Family name"),
    "given_name": ("名", "Given name"),
    "family_name_kana": ("氏カナ", "Family name in kana"),
    "given_name_kana": ("名カナ", "Given name in kana"),
    "sex": ("性別", "Sex"),
    "relationship": ("続柄", "Relationship to the householder"),
    "kind": ("住民種別", "Japanese or foreign resident"),
    "resident_code": ("住民票コード", "Resident record code"),
    "domicile": ("本籍", "Permanent domicile"),
    "domicile_head": ("筆頭者", "Head of the family register"),
    "nationality": ("国籍・地域", "Nationality or region (ISO 3166-1 alpha-3)"),
    "residence_status": ("在留資格", "Residence status"),
    "period_of_stay_until": ("在留期間の満了の日", "End of the period of stay"),
    "residence_card_number": ("在留カード等の番号", "Residence card number"),
    "former_surname": ("旧氏（空欄で削除）", "Former surname (empty to delete it)"),
    "former_surname_kana": ("旧氏カナ", "Former surname in kana"),
    "alias": ("通称", "Registered alias"),
    "alias_kana": ("通称カナ", "Registered alias in kana"),
    "resident_ids": ("対象者", "Persons concerned"),
    "resident_id": ("対象者", "Person concerned"),
    "household_id": ("転居先の世帯番号（既存の世帯に入る場合）", "Household number to join at the new address, if any"),
    "destination_address": ("転出先住所", "Destination address"),
    "destination_code": ("転出先の地方公共団体コード", "Destination municipality code (6 digits), if known"),
    "abroad": ("国外への転出", "Moving abroad"),
    "unnotified": (
        "未届転入（前住所は未届の住所のうち直近のもの）",
        "Unnotified move-in (the latest unnotified address)",
    ),
    "last_registered_address": (
        "最終登録住所地（住民票には記載しません）",
        "Last registered address (not on the record)",
    ),
    "by_authority": ("職権で行う（届出なし。届出日の欄は処理日）", "By authority, nobody notified"),
    "on_application": ("申出を受けて行う（届出日の欄に申出日）", "On a person's application (its date as 届出日)"),
    "new_householder_id": ("新しい世帯主", "New householder"),
    "householder_undecided": (
        "世帯主を定めない（世帯主変更依頼通知書を送る。標準仕様書 4.0.5）",
        "Leave the householder undecided (a request to notify is sent)",
    ),
    "change": ("届出の種類", "Kind of notification"),
    "into_household_id": ("加わる世帯の世帯番号", "Household number joined"),
    "reason": ("理由", "Reason"),
}
RELATIONSHIP_EXAMPLES = (
    "世帯主", "妻", "夫", "子", "父", "母", "子の妻", "孫", "兄", "姉", "弟", "妹", "同居人", "縁故者",
)  # fmt: skip
SEX_CHOICES = [("", "―"), (codes.Sex.MALE.value, "1 男 (male)"), (codes.Sex.FEMALE.value, "2 女 (female)")]


class EraDateInput(forms.TextInput):
    """A date typed as the counter does: 和暦 (R6.4.1, 令和6年4月1日), full-width digits or ISO (all accepted).
    A date already recorded is put in the field as 和暦 (R6.4.1), or as 西暦 (2024-04-01) when ``western`` is set
    (a foreign resident's birth date, 在留期間の満了の日: j90, see ``display_date``)."""

    western = False

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"placeholder": DATE_EXAMPLE, "inputmode": "text", "autocomplete": "off", **(attrs or {})})

    def use_western(self) -> None:
        self.western = True
        self.attrs["placeholder"] = WESTERN_DATE_EXAMPLE

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, date):
            return value.isoformat() if self.western else display_date(value, style="short")
        return super().format_value(value)


class EraDateField(forms.Field):
    widget = EraDateInput
    default_error_messages = {"required": REQUIRED}

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except EraDateError as exc:
            raise forms.ValidationError(bilingual(exc.ja, exc.en), code="invalid") from None


def posted_date(text: str, field_name: str, problems: Problems, *, default: date | None = None) -> date | None:
    """A date typed as the counter does (和暦, full-width digits or ISO: ``parse_date``, as ``EraDateField``) in a
    page's own POST: ``default`` when left empty (none: empty is unreadable too); an unreadable one adds a problem on
    ``field_name`` and gives ``default``."""
    text = text.strip()
    if not text and default is not None:
        return default
    try:
        return parse_date(text)
    except EraDateError as exc:
        problems.add(field_name, "invalid", exc.ja, exc.en)
        return default


def _text(max_length: int = 64, required: bool = True, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        max_length=max_length, required=required, error_messages=FIELD_MESSAGES,
        widget=forms.TextInput(attrs={"autocomplete": "off", **attrs}),
    )  # fmt: skip


def _kana(required: bool = True) -> forms.CharField:
    return _text(128, required, inputmode="kana", lang="ja")


def _relationship(required: bool = True) -> forms.CharField:
    return _text(32, required, list="relationship-examples")


def _date(required: bool = True) -> EraDateField:
    return EraDateField(required=required)


def _choice(choices: Sequence[tuple[Any, str]], required: bool = True, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(choices=choices, required=required, error_messages=FIELD_MESSAGES, **kwargs)


def _normalize_person(data: dict[str, Any]) -> dict[str, Any]:
    """Kana typed in hiragana or half-width kept in full-width katakana; the nationality code in capitals."""
    for name in ("family_name_kana", "given_name_kana", "alias_kana"):
        if data.get(name):
            data[name] = normalize_kana_input(data[name]).strip()
    if data.get("nationality"):
        data["nationality"] = data["nationality"].strip().upper()
    return data


def _members(members: Sequence[ResidentRecord]) -> list[tuple[str, str]]:
    return [(str(m.id), f"{m.family_name} {m.given_name}（{m.relationship}）") for m in members]


# ---------------------------------------------------------------------------------------------------------------
# Dates on the counter screens: 住民記録システム標準仕様書 1.1.9 年月日の表示 (j90)

# Items shown in 西暦 whoever the person is (法30条の45の表: only foreign residents have them) ...
WESTERN_ITEMS = frozenset({"period_of_stay_until"})  # 在留期間の満了の日
# ... and items shown in 西暦 when the person is a foreign resident (1.1.2 外国人住民データ).
WESTERN_ITEMS_OF_FOREIGN_RESIDENTS = frozenset({"birth_date"})  # 生年月日


def display_date(value: date | None, *, western: bool = False, style: str = "long") -> str:
    """A date as the counter screens show it (住民記録システム標準仕様書 1.1.9 年月日の表示, j90).

    Every date is shown in 和暦 only (令和6年4月1日; ``style="short"``: R6.4.1) — the 西暦, also beside the 和暦
    (併記), must not be shown — except a foreign resident's date of birth and 在留期間の満了の日, shown in 西暦 only
    (``western=True``: 2024年4月1日, as on the certificates, ``printing.pdf``). Which is which is decided by the item:
    ``is_western`` / ``person_date``. A ``datetime`` is shown in local time, the time after the date. Dates before
    1873-01-01 have no 和暦 (``standard.era``) and are shown in 西暦, the one form they can be read in.
    """
    if value is None:
        return ""
    time = ""
    if isinstance(value, datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        value, time = moment.date(), f" {moment:%H:%M}"
    if not western:
        try:
            return format_date(value, style=style) + time
        except EraDateError:
            pass
    return f"{value.year}年{value.month}月{value.day}日{time}"


def is_western(item: str, *, foreign: bool) -> bool:
    """Whether the date ``item`` (a field name: ``birth_date``, ``period_of_stay_until`` …) is shown in 西暦 (j90)."""
    return item in WESTERN_ITEMS or (foreign and item in WESTERN_ITEMS_OF_FOREIGN_RESIDENTS)


def is_foreign(person: Any) -> bool:
    """Whether ``person`` (a Resident, a ResidentRecord, or a dict such as a notice's person) is a foreign resident."""
    kind = person.get("kind") if isinstance(person, Mapping) else getattr(person, "kind", "")
    return str(kind or "") == Resident.Kind.FOREIGN


def person_date(person: Any, item: str) -> str:
    """The date ``item`` of ``person`` as the counter shows it: 和暦, or 西暦 where j90 says so (``display_date``)."""
    value = person.get(item) if isinstance(person, Mapping) else getattr(person, item, None)
    if isinstance(value, str):
        value = date.fromisoformat(value) if value else None
    return display_date(value, western=is_western(item, foreign=is_foreign(person)))


def display(value: Any, bound: forms.BoundField) -> str:
    """How a cleaned value reads on the confirmation page (dates by ``display_date``: 和暦, or 西暦 per j90)."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "はい (yes)" if value else ""
    if isinstance(value, date):
        form: Any = bound.form
        return display_date(value, western=is_western(bound.name, foreign=form.foreign()))
    field_ = bound.field
    if isinstance(field_, forms.ChoiceField):
        choices: Any = field_.choices
        labels = {str(k): str(v) for k, v in choices}
        if isinstance(value, list):
            return "、".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    return str(value)


@dataclass
class Row:
    """One line of the confirmation and done pages."""

    ja: str
    en: str
    value: str
    section: str = ""


class LabelledForm(forms.Form):
    labels: Mapping[str, tuple[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            ja, en = self.label_of(name)
            f.label = bilingual(ja, en)
        self.hint_western_dates()

    def foreign(self) -> bool:
        """Whether the person this form is about is a foreign resident (j90: their birth date is shown in 西暦)."""
        return False

    def hint_western_dates(self) -> None:
        """The date fields shown in 西暦 (j90) hint 西暦 and hold a recorded date as 2024-04-01; the others 和暦."""
        foreign = self.foreign()
        for name, f in self.fields.items():
            if isinstance(f.widget, EraDateInput) and is_western(name, foreign=foreign):
                f.widget.use_western()

    def label_of(self, name: str) -> tuple[str, str]:
        if name in self.labels:
            return self.labels[name]
        if name.startswith("rel_"):
            return LABELS["relationship"]
        return LABELS.get(name, (name, name))

    def rows(self, section: str = "", names: Sequence[str] | None = None) -> list[Row]:
        rows = []
        for name in names if names is not None else self.fields:
            value = display(self.cleaned_data.get(name), self[name])
            if value:
                ja, en = self.label_of(name)
                if name.startswith("rel_"):
                    ja, en = f"{ja}: {self.member_name(int(name[4:]))}", f"{en}: {self.member_name(int(name[4:]))}"
                rows.append(Row(ja, en, value, section))
        return rows

    def member_name(self, resident_id: int) -> str:
        return str(resident_id)

    def attach(self, error: ProcedureError) -> None:
        """A service's FieldErrors next to the field of the same name; the others at the top of the form."""
        for e in error.errors:
            name = e.field if e.field in self.fields else None
            self.add_error(name, forms.ValidationError(error_text(e), code=e.code))


class SearchForm(LabelledForm):
    """住民検索: one of the defined combinations (selectors.SearchCriteria), with the purpose (利用目的) required."""

    kana = _kana(required=False)
    name = _text(required=False)
    address = _text(128, required=False)
    birth_date = _date(required=False)
    purpose = _text(200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kana"].widget.attrs.update(autofocus=True, accesskey="k")
        self.fields["purpose"].widget.attrs.update(list="purpose-examples")


class PurposeForm(LabelledForm):
    purpose = _text(200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].widget.attrs.update(autofocus=True, list="purpose-examples")


# ---------------------------------------------------------------------------------------------------------------
# Procedure forms


@dataclass
class WizardContext:
    """What a wizard works on: a household (and its registered members) or one resident, or nothing (転入)."""

    household_id: int | None = None
    members: list[ResidentRecord] = field(default_factory=list)
    resident: ResidentRecord | None = None
    notice: Any = None  # an advance notice (転入予定: the origin's move-out data, an Event)
    procedure: Any = None  # a recorded procedure to undo (異動の取消し), with ``members`` its persons
    undoable: list[int] = field(default_factory=list)  # those of them with no later change (異動の取消し)

    def member(self, resident_id: int) -> ResidentRecord | None:
        found = next((m for m in self.members if m.id == resident_id), None)
        if found is None and self.resident is not None and self.resident.id == resident_id:
            return self.resident
        return found

    def person_ids(self) -> list[int]:
        """The persons the wizard is opened on (a clerk is warned of their provisional entries, 仮登録)."""
        ids = [m.id for m in self.members]
        if self.resident is not None and self.resident.id not in ids:
            ids.append(self.resident.id)
        return ids


class ProcedureForm(LabelledForm):
    """Step 1 of a wizard. Subclasses declare their fields and ``procedure``; ``aliases`` maps a service's field
    path to a form field where the names differ (``address.address`` → ``address``)."""

    effective_on = _date()
    notified_on = _date()
    aliases: Mapping[str, str] = {"address.address": "address", "address.postal_code": "postal_code",
                                  "address.building": "building"}  # fmt: skip
    # Service paths whose errors are shown above a group of fields rather than next to one.
    sections: tuple[str, ...] = ("relationships",)

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        self.context = context
        super().__init__(data)
        self.fields["notified_on"].initial = timezone.localdate()
        self.fields["effective_on"].widget.attrs["autofocus"] = True
        self.section_errors: dict[str, ErrorList] = {}

    # -- relationship fields of the members (転居・転出・死亡・世帯主変更・世帯分離等) -------------------------
    def add_relationship_fields(self, required: bool = False, initial_current: bool = False) -> None:
        for m in self.context.members:
            self.fields[f"rel_{m.id}"] = _relationship(required)
            self.fields[f"rel_{m.id}"].label = bilingual(f"続柄: {m.family_name} {m.given_name}", "Relationship")
            if initial_current:
                self.fields[f"rel_{m.id}"].initial = m.relationship

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("rel_")]

    def relationship_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("rel_")]

    def relationships(self) -> dict[int, str]:
        return {int(k[4:]): v.strip() for k, v in self.cleaned_data.items() if k.startswith("rel_") and v and v.strip()}

    def member_name(self, resident_id: int) -> str:
        m = self.context.member(resident_id)
        return f"{m.family_name} {m.given_name}" if m else str(resident_id)

    def ids(self, name: str) -> list[int]:
        return [int(v) for v in self.cleaned_data.get(name) or []]

    def optional_id(self, name: str) -> int | None:
        value = self.cleaned_data.get(name)
        return int(value) if value else None

    def address_data(self) -> services.AddressData:
        d = self.cleaned_data
        return services.AddressData(address=d["address"], postal_code=normalize_digits(d.get("postal_code") or ""),
                                    building=d.get("building") or "")  # fmt: skip

    def notification(self, request_id: str) -> services.Notification:
        d = self.cleaned_data
        return services.Notification(request_id, d["effective_on"], d["notified_on"],
                                     on_application=bool(d.get("on_application")),
                                     by_authority=bool(d.get("by_authority")),
                                     notifier=d.get("notifier") or "")  # fmt: skip

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        raise NotImplementedError

    # Fields that show the record's value (a correction): left out entirely for a user who may not see the item.
    shows_record_values = False

    concealed: frozenset[str] = frozenset()

    def conceal(self, hidden: Iterable[str]) -> None:
        """操作権限設定 (標準仕様書 10.4): the items hidden from the user are not prefilled (nor offered at all where
        the field shows the record's value; nor shown from an advance notice); the persons of a move-in are entered,
        never prefilled."""
        self.concealed = frozenset(hidden)
        for item in hidden:
            for name in ITEM_FIELDS.get(item, ()):
                if name not in self.fields:
                    continue
                if self.shows_record_values:
                    del self.fields[name]
                else:
                    self.fields[name].initial = None
                    self.initial.pop(name, None)

    # The wizard's resident's household is read too (``views._context``), e.g. for the 本籍 of its members.
    reads_household = False

    def domicile_candidates(self) -> list[str]:
        """本籍入力補助 (標準仕様書 4.0.6, j510): besides typing it, the 本籍 may be chosen among the registered 現住所,
        転入前住所, 世帯主の本籍 and 世帯員の本籍 (in that order, each once). Nothing for a user from whom the 戸籍の
        表示 is hidden (10.4), nor where the form has no 本籍. Only the current records are offered: a 本籍 from the
        person's earlier history (whose municipality may have merged away since) is not."""
        if "domicile" in self.concealed or not any(name.endswith("domicile") for name in self.fields):
            return []
        c = self.context
        people = [*([c.resident] if c.resident is not None else []), *c.members]
        head = next((m for m in c.members if m.relationship == HOUSEHOLDER), None)
        found = [
            *(p.address for p in people[:1]),
            *(getattr(p, "previous_address", "") for p in people[:1]),
            *([head.domicile] if head is not None else []),
            *(getattr(m, "domicile", "") for m in c.members),
        ]
        return [v for v in dict.fromkeys(found) if v]

    def notifier_examples(self) -> list[str]:
        """The household's members, offered as the 届出人 of a notification (any name may be typed)."""
        if "notifier" not in self.fields:
            return []
        return [f"{m.family_name}　{m.given_name}" for m in self.context.members]

    def summary(self) -> list[Row]:
        return self.rows()

    # -- what a provisional entry (仮登録, provisional.enter) keeps besides the form data --------------------------
    def concerned_ids(self) -> list[int]:
        """The persons this entry is about: those chosen, else the person or household the wizard works on."""
        d = getattr(self, "cleaned_data", {})
        if d.get("resident_ids"):
            return self.ids("resident_ids")
        if d.get("resident_id"):
            return [int(d["resident_id"])]
        return self.context.person_ids()

    def person_names(self) -> list[str]:
        return [self.member_name(i) for i in self.concerned_ids()]

    def headline(self) -> str:
        """One line for the list of provisional entries (仮登録一覧): the persons, the date of change, the address."""
        n = self.notification("-")
        parts = ["、".join(self.person_names()), f"異動日 {display_date(n.effective_on)}"]
        if self.cleaned_data.get("address"):
            parts.append(f"→ {self.cleaned_data['address']}")
        return " ".join(p for p in parts if p)

    # -- errors of the service, next to their fields --------------------------------------------------------------
    def place(self, path: str) -> tuple[forms.Form, str] | None:
        name = self.aliases.get(path, path)
        if name in self.fields:
            return self, name
        head, _, rest = path.partition(".")
        if head == "relationships" and rest.isdigit() and f"rel_{rest}" in self.fields:
            return self, f"rel_{rest}"
        return None

    def attach(self, error: ProcedureError) -> None:
        for e in error.errors:
            placed = self.place(e.field)
            if placed is not None:
                form, name = placed
                form.add_error(name, forms.ValidationError(error_text(e), code=e.code))
            elif e.field.partition(".")[0] in self.sections:
                self.section_errors.setdefault(e.field.partition(".")[0], ErrorList()).append(error_text(e))
            else:
                self.add_error(None, forms.ValidationError(error_text(e), code=e.code))


class PersonForm(LabelledForm):
    """A person moving in (法7条 items; 30条の45 for foreign residents)."""

    family_name = _text()
    given_name = _text()
    family_name_kana = _kana()
    given_name_kana = _kana()
    birth_date = _date()
    sex = _choice(SEX_CHOICES)
    relationship = _relationship()
    kind = _choice([("japanese", "日本人 (Japanese)"), ("foreign", "外国人 (foreign resident)")], initial="japanese")
    resident_code = _text(11, required=False, inputmode="numeric")
    domicile = _text(255, required=False, list="domicile-candidates")  # 本籍入力補助 (4.0.6)
    domicile_head = _text(128, required=False)
    nationality = _text(3, required=False)
    residence_status = _text(64, required=False)
    period_of_stay_until = _date(required=False)
    residence_card_number = _text(12, required=False)
    alias = _text(128, required=False)
    alias_kana = _kana(required=False)

    FOREIGN = (
        "nationality", "residence_status", "period_of_stay_until", "residence_card_number", "alias", "alias_kana",
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = _normalize_person(self.cleaned_data)
        if data.get("resident_code"):
            data["resident_code"] = normalize_digits(data["resident_code"])
        return data

    def person(self) -> PersonData:
        return PersonData(**self.cleaned_data)

    def foreign(self) -> bool:
        return bool(self["kind"].value() == Resident.Kind.FOREIGN)


PersonFormSet = forms.formset_factory(PersonForm, extra=0, min_num=1, max_num=20, validate_min=True, validate_max=True)


class MoveInForm(ProcedureForm):
    """転入届 (法22条, 30条の46): one to n persons into a new household at the address (or an existing one)."""

    # 届出の準用 (標準仕様書 4.2.0.2): done by authority, nobody having notified (届出日 = the processing date).
    by_authority = forms.BooleanField(required=False)
    notifier = _text(64, required=False, list="notifier-examples")  # 届出人 (標準仕様書 4.1.0.3)

    labels = {"effective_on": ("転入日（異動日）", "Date moved in")}
    origin = _choice([("domestic", "国内の他市区町村から (another municipality)"), ("abroad", "国外から (abroad)"),
                      (services.STATUS_ACQUIRED, "法30条の47（中長期在留者等となった方） (status acquired here)")],
                     initial="domestic")  # fmt: skip
    previous_address = _text(255, required=False)
    # 未届転入 (標準仕様書 4.1.1.4): the previous address is the latest unnotified one; 最終登録住所地 is data only.
    unnotified = forms.BooleanField(required=False)
    last_registered_address = _text(255, required=False)
    postal_code = _text(8, required=False, inputmode="numeric", autocomplete="postal-code")
    address = _text(255)
    building = _text(128, required=False, list="building-candidates")  # 方書入力補助 (4.0.7)
    sections = ("relationships", "persons")
    persons_heading = ("転入する方", "Persons moving in")

    def __init__(self, data: Any = None, *, context: WizardContext, extra_person: bool = False) -> None:
        if extra_person and data is not None:
            # "Add a person" (no JavaScript needed): what was typed so far as initial values, one empty person more.
            super().__init__(None, context=context)
            self.initial = {name: data.get(name, "") for name in self.fields}
            try:
                count = max(1, min(int(data.get("persons-TOTAL_FORMS") or 1), 19))
            except ValueError:
                count = 1
            names = list(PersonForm.base_fields)
            initial = [{name: data.get(f"persons-{i}-{name}", "") for name in names} for i in range(count)]
            self.persons = forms.formset_factory(PersonForm, extra=1, max_num=20)(initial=initial, prefix="persons")
        else:
            super().__init__(data, context=context)
            self.persons = PersonFormSet(data, prefix="persons")

    def is_valid(self) -> bool:
        main = super().is_valid()
        return self.persons.is_valid() and main

    def place(self, path: str) -> tuple[forms.Form, str] | None:
        parts = path.split(".")
        if parts[0] == "persons" and len(parts) == 3 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(self.persons.forms) and parts[2] in self.persons.forms[index].fields:
                return self.persons.forms[index], parts[2]
        return super().place(path)

    def summary(self) -> list[Row]:
        rows = self.rows()
        for i, person in enumerate(f for f in self.persons.forms if f.cleaned_data):
            rows += person.rows(section=f"{i + 1}人目 (person {i + 1})")
        return rows

    def person_names(self) -> list[str]:
        return [f"{f.cleaned_data['family_name']} {f.cleaned_data['given_name']}" for f in self.persons.forms
                if f.cleaned_data]  # fmt: skip

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        d = self.cleaned_data
        persons = [f.person() for f in self.persons.forms if f.cleaned_data]
        return services.move_in(n, address=self.address_data(), persons=persons, origin=d["origin"],
                                previous_address=d.get("previous_address") or "", unnotified=bool(d.get("unnotified")),
                                last_registered_address=d.get("last_registered_address") or "")  # fmt: skip


class MoveWithinForm(ProcedureForm):
    """転居届 (法23条): the household or some of its members move within the municipality."""

    # 届出の準用 (標準仕様書 4.2.0.2): done by authority, nobody having notified (届出日 = the processing date).
    by_authority = forms.BooleanField(required=False)
    notifier = _text(64, required=False, list="notifier-examples")  # 届出人 (標準仕様書 4.1.0.3)

    labels = {"effective_on": ("転居日（異動日）", "Date moved")}
    resident_ids = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, error_messages=FIELD_MESSAGES)
    postal_code = _text(8, required=False, inputmode="numeric")
    address = _text(255)
    building = _text(128, required=False, list="building-candidates")  # 方書入力補助 (4.0.7)
    household_id = forms.IntegerField(required=False, min_value=1, error_messages=FIELD_MESSAGES)

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        field_ = self.fields["resident_ids"]
        assert isinstance(field_, forms.MultipleChoiceField)
        field_.choices = _members(context.members)
        field_.initial = [str(m.id) for m in context.members]
        self.add_relationship_fields()

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        ids = self.ids("resident_ids")
        movers = {k: v for k, v in self.relationships().items() if k in ids}
        return services.move_within(n, resident_ids=ids, address=self.address_data(),
                                    household_id=self.optional_id("household_id"), relationships=movers)  # fmt: skip


class MoveOutForm(ProcedureForm):
    """転出届 (法24条): removed as of the planned date; the rest of the household keeps one householder."""

    # 届出の準用 (標準仕様書 4.2.0.2): done by authority, nobody having notified (届出日 = the processing date).
    by_authority = forms.BooleanField(required=False)
    notifier = _text(64, required=False, list="notifier-examples")  # 届出人 (標準仕様書 4.1.0.3)

    labels = {"effective_on": ("転出予定日（異動日）", "Planned date of moving out")}
    resident_ids = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, error_messages=FIELD_MESSAGES)
    destination_address = _text(255)
    destination_code = _text(6, required=False, inputmode="numeric")
    abroad = forms.BooleanField(required=False)
    new_householder_id = _choice([], required=False)
    householder_undecided = forms.BooleanField(required=False)  # 世帯主不在 (標準仕様書 4.0.5, j500)

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        ids = self.fields["resident_ids"]
        assert isinstance(ids, forms.MultipleChoiceField)
        ids.choices = _members(context.members)
        head = self.fields["new_householder_id"]
        assert isinstance(head, forms.ChoiceField)
        head.choices = [("", "―（不要 / not needed）"), *_members(context.members)]
        self.add_relationship_fields()

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        d = self.cleaned_data
        ids = self.ids("resident_ids")
        staying = {k: v for k, v in self.relationships().items() if k not in ids}
        head = self.optional_id("new_householder_id")
        return services.move_out(n, resident_ids=ids, destination_address=d["destination_address"],
                                 destination_code=normalize_digits(d.get("destination_code") or ""), abroad=d["abroad"],
                                 new_householder_id=head, relationships=staying,
                                 householder_undecided=bool(d.get("householder_undecided")))  # fmt: skip


class BirthForm(ProcedureForm):
    """出生 (戸籍法49条の届出による記載, 法8条): the child joins the household; 異動日 = 生年月日."""

    labels = {"birth_date": ("生年月日（異動日）", "Date of birth (date of change)")}
    aliases = {"effective_on": "birth_date", **{f"person.{n}": n for n in PersonForm.base_fields}}
    family_name = _text()
    given_name = _text()
    family_name_kana = _kana()
    given_name_kana = _kana()
    birth_date = _date()
    sex = _choice(SEX_CHOICES)
    relationship = _relationship()
    domicile = _text(255, required=False, list="domicile-candidates")  # 本籍入力補助 (4.0.6)
    domicile_head = _text(128, required=False)

    field_order = ["birth_date", "notified_on"]

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        del self.fields["effective_on"]
        self.fields["birth_date"].widget.attrs["autofocus"] = True
        self.fields["relationship"].initial = "子"
        head = next((m for m in context.members if m.relationship == HOUSEHOLDER), None)
        if head is not None:
            self.fields["family_name"].initial = head.family_name
            self.fields["family_name_kana"].initial = head.family_name_kana
            self.fields["domicile"].initial = head.domicile
            self.fields["domicile_head"].initial = head.domicile_head

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ("family_name_kana", "given_name_kana"):
            if data.get(name):
                data[name] = normalize_kana_input(data[name]).strip()
        return data

    def notification(self, request_id: str) -> services.Notification:
        d = self.cleaned_data
        return services.Notification(request_id, d["birth_date"], d["notified_on"])

    def person_names(self) -> list[str]:
        return [f"{self.cleaned_data['family_name']} {self.cleaned_data['given_name']}"]

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        d = self.cleaned_data
        person = PersonData(family_name=d["family_name"], given_name=d["given_name"],
                            family_name_kana=d["family_name_kana"], given_name_kana=d["given_name_kana"],
                            birth_date=d["birth_date"], sex=d["sex"], relationship=d["relationship"],
                            domicile=d.get("domicile") or "", domicile_head=d.get("domicile_head") or "")  # fmt: skip
        assert self.context.household_id is not None
        return services.birth(n, household_id=self.context.household_id, person=person)


class DeathForm(ProcedureForm):
    """死亡 (戸籍法86条の届出・通知による消除): 消除日 = 死亡日."""

    labels = {"effective_on": ("死亡日（異動日）", "Date of death")}
    resident_id = _choice([])
    new_householder_id = _choice([], required=False)
    householder_undecided = forms.BooleanField(required=False)  # 世帯主不在 (標準仕様書 4.0.5, j500)

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        for name, blank in (("resident_id", "―"), ("new_householder_id", "―（不要 / not needed）")):
            f = self.fields[name]
            assert isinstance(f, forms.ChoiceField)
            f.choices = [("", blank), *_members(context.members)]
        self.add_relationship_fields()

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        rid = int(self.cleaned_data["resident_id"])
        return services.death(n, resident_id=rid, new_householder_id=self.optional_id("new_householder_id"),
                              relationships={k: v for k, v in self.relationships().items() if k != rid},
                              householder_undecided=bool(self.cleaned_data.get("householder_undecided")))  # fmt: skip


class HouseholderForm(ProcedureForm):
    """世帯主変更 (法25条): the new householder and each member's relationship to them."""

    # 届出の準用 (標準仕様書 4.2.0.2): done by authority, nobody having notified (届出日 = the processing date).
    by_authority = forms.BooleanField(required=False)
    notifier = _text(64, required=False, list="notifier-examples")  # 届出人 (標準仕様書 4.1.0.3)

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        self.add_relationship_fields(required=True, initial_current=True)

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        assert self.context.household_id is not None
        return services.change_householder(n, household_id=self.context.household_id,
                                           relationships=self.relationships())  # fmt: skip


class HouseholdChangeForm(ProcedureForm):
    """世帯分離・世帯合併・世帯変更 (法25条), one page: who moves, into which household, and the relationships."""

    # 届出の準用 (標準仕様書 4.2.0.2): done by authority, nobody having notified (届出日 = the processing date).
    by_authority = forms.BooleanField(required=False)
    notifier = _text(64, required=False, list="notifier-examples")  # 届出人 (標準仕様書 4.1.0.3)

    SPLIT, MERGE, COMPOSITION = "split", "merge", "composition"
    change = _choice([(SPLIT, "世帯分離 (split: a new household at the same address)"),
                      (MERGE, "世帯合併 (merge: the whole household joins another)"),
                      (COMPOSITION, "世帯変更 (composition: some members join another household)")])  # fmt: skip
    resident_ids = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, required=False,
                                             error_messages=FIELD_MESSAGES)  # fmt: skip
    into_household_id = forms.IntegerField(required=False, min_value=1, error_messages=FIELD_MESSAGES)
    field_order = ["change", "effective_on", "notified_on"]

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        del self.fields["effective_on"].widget.attrs["autofocus"]
        self.fields["change"].widget.attrs["autofocus"] = True
        ids = self.fields["resident_ids"]
        assert isinstance(ids, forms.MultipleChoiceField)
        ids.choices = _members(context.members)
        self.add_relationship_fields()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        change = data.get("change")
        if change in (self.SPLIT, self.COMPOSITION) and not data.get("resident_ids"):
            self.add_error("resident_ids", REQUIRED)
        if change in (self.MERGE, self.COMPOSITION) and not data.get("into_household_id"):
            self.add_error("into_household_id", REQUIRED)
        return data

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        d = self.cleaned_data
        assert self.context.household_id is not None
        if d["change"] == self.MERGE:
            return services.merge_households(n, from_household_id=self.context.household_id,
                                             into_household_id=d["into_household_id"],
                                             relationships=self.relationships())  # fmt: skip
        ids = self.ids("resident_ids")
        relationships = {k: v for k, v in self.relationships().items() if k in ids}
        if d["change"] == self.SPLIT:
            return services.split_household(n, resident_ids=ids, relationships=relationships)
        return services.change_composition(n, resident_ids=ids, into_household_id=d["into_household_id"],
                                           relationships=relationships)  # fmt: skip


class RemovalForm(ProcedureForm):
    """職権消除 (法8条, 施行令12条3項), supervisors only."""

    labels = {"effective_on": ("消除日（異動日）", "Date of removal")}
    resident_ids = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, error_messages=FIELD_MESSAGES)
    reason = _text(200)
    # 申出を受けた職権記載等 (標準仕様書 4.2.0.5): on a person's application (届出日 = the 申出日, today at first).
    on_application = forms.BooleanField(required=False)
    new_householder_id = _choice([], required=False)
    householder_undecided = forms.BooleanField(required=False)  # 世帯主不在 (標準仕様書 4.0.5, j500)

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        ids = self.fields["resident_ids"]
        assert isinstance(ids, forms.MultipleChoiceField)
        ids.choices = _members(context.members)
        head = self.fields["new_householder_id"]
        assert isinstance(head, forms.ChoiceField)
        head.choices = [("", "―（不要 / not needed）"), *_members(context.members)]
        self.add_relationship_fields()

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        ids, undecided = self.ids("resident_ids"), bool(self.cleaned_data.get("householder_undecided"))
        staying = {k: v for k, v in self.relationships().items() if k not in ids}
        return services.remove_by_authority(n, resident_ids=ids, reason=self.cleaned_data["reason"],
                                            new_householder_id=self.optional_id("new_householder_id"),
                                            relationships=staying, householder_undecided=undecided)  # fmt: skip


CORRECTION_KINDS = [
    (codes.ChangeReason.CORRECTION_EX_OFFICIO.value, "職権修正 (correction by authority)"),
    (codes.ChangeReason.CLERICAL_ERROR_CORRECTION.value, "誤記修正 (a clerical error of the register)"),
    (codes.ChangeReason.MINOR_CORRECTION.value, "軽微な修正 (minor correction, 規則11条3項2号)"),
]


class CorrectionForm(ProcedureForm):
    """職権修正 (法8条, 施行令12条3項), supervisors only: the items as recorded, to be corrected in place. The 修正事由
    recorded is 職権修正, 誤記修正 or 軽微な修正 (標準仕様書 4.2.3.2, j850; ``services.correct(kind=)``)."""

    ITEMS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "birth_date", "sex", "relationship",
             "domicile", "domicile_head", "alias", "alias_kana")  # fmt: skip
    labels = {
        "correction_kind": ("修正事由", "Kind of correction"),
        "also": ("同じ本籍・筆頭者の世帯員にも同じ修正をする", "The same for members with the same domicile"),
    }
    aliases = {"kind": "correction_kind", **{f"changes.{n}": n for n in ITEMS}}
    sections = ("changes",)
    correction_kind = _choice(CORRECTION_KINDS, required=False, initial=CORRECTION_KINDS[0][0])
    reason = _text(200)
    # 申出を受けた職権記載等 (標準仕様書 4.2.0.5): on a person's application (届出日 = the 申出日, today at first).
    on_application = forms.BooleanField(required=False)
    family_name = _text()
    given_name = _text()
    family_name_kana = _kana()
    given_name_kana = _kana()
    birth_date = _date()
    sex = _choice(SEX_CHOICES)
    relationship = _relationship()
    domicile = _text(255, required=False, list="domicile-candidates")  # 本籍入力補助 (4.0.6)
    domicile_head = _text(128, required=False)
    alias = _text(128, required=False)
    alias_kana = _kana(required=False)

    # 本籍入力補助 (標準仕様書 4.0.6, j510): the members with the same 本籍・筆頭者 get the same correction of them.
    also = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, error_messages=FIELD_MESSAGES)
    reads_household = True

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        if context.resident is not None:
            for name in self.ITEMS:
                self.fields[name].initial = getattr(context.resident, name, "") or ""
        me = context.resident
        same = [m for m in context.members if me is not None and m.id != me.id and m.domicile
                and (m.domicile, m.domicile_head) == (me.domicile, me.domicile_head)]  # fmt: skip
        if same:
            cast(forms.MultipleChoiceField, self.fields["also"]).choices = _members(same)
        else:
            del self.fields["also"]

    def conceal(self, hidden: Iterable[str]) -> None:
        super().conceal(hidden)
        if "domicile" in self.concealed:  # the members' 本籍 would show through the choice
            self.fields.pop("also", None)

    def clean(self) -> dict[str, Any]:
        super().clean()
        return _normalize_person(self.cleaned_data)

    shows_record_values = True

    def changes(self) -> dict[str, Any]:
        assert self.context.resident is not None
        out: dict[str, Any] = {}
        for name in self.ITEMS:
            if name not in self.fields or (self.is_bound and name not in self.data):
                continue  # not offered to this user (操作権限設定) or not sent: unchanged, never emptied
            value = self.cleaned_data.get(name)
            value = "" if value is None else value
            if value != (getattr(self.context.resident, name, "") or ""):
                out[name] = value.isoformat() if isinstance(value, date) else value
        return out

    def also_ids(self) -> list[int]:
        return [int(v) for v in self.cleaned_data.get("also") or []] if "also" in self.fields else []

    def summary(self) -> list[Row]:
        also = ["also"] if self.also_ids() else []
        return self.rows(names=["effective_on", "notified_on", "correction_kind", "reason", *self.changes(), *also])

    def foreign(self) -> bool:
        return self.context.resident is not None and is_foreign(self.context.resident)

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        assert self.context.resident is not None
        return services.correct(n, resident_id=self.context.resident.id, changes=self.changes(),
                                reason=self.cleaned_data["reason"], also=self.also_ids(),
                                kind=self.cleaned_data.get("correction_kind") or CORRECTION_KINDS[0][0])  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# 職権記載, 転入 from an advance notice, 在留資格等の変更


class RegistrationForm(MoveInForm):
    """職権記載 (法8条, 施行令12条), supervisors only: persons found to live here without a notification."""

    labels = {"effective_on": ("記載日（異動日）", "Date of the entry")}
    origin = None  # type: ignore[assignment]  # not a move: no origin, no previous address
    previous_address = None  # type: ignore[assignment]
    reason = _text(200)
    household_id = forms.IntegerField(required=False, min_value=1, error_messages=FIELD_MESSAGES)
    # 申出を受けた職権記載等 (標準仕様書 4.2.0.5): on a person's application (届出日 = the 申出日, today at first).
    on_application = forms.BooleanField(required=False)
    by_authority = None  # type: ignore[assignment]  # 職権記載 is itself an authority action
    notifier = None  # type: ignore[assignment]  # nobody notifies an authority action
    persons_heading = ("記載する方", "Persons recorded")
    field_order = ["effective_on", "notified_on", "on_application", "reason"]

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        d = self.cleaned_data
        persons = [f.person() for f in self.persons.forms if f.cleaned_data]
        return services.register_by_authority(n, address=self.address_data(), persons=persons,
                                              household_id=self.optional_id("household_id"),
                                              reason=d["reason"])  # fmt: skip


NOTICE_PERSON_ITEMS = (
    "family_name", "given_name", "family_name_kana", "given_name_kana", "birth_date", "sex", "relationship",
    "domicile", "domicile_head", "nationality", "residence_status", "period_of_stay_until", "residence_card_number",
    "alias", "alias_kana", "resident_code", "previous_address",
)  # fmt: skip


class MoveInFromNoticeForm(ProcedureForm):
    """転入届 from the move-out data the origin sent (法24条の2, 転出・転入手続ワンストップ): the persons come from
    the notice and are shown, not typed; the clerk enters the new address and the dates only."""

    labels = {"effective_on": ("転入日（異動日）", "Date moved in")}
    postal_code = _text(8, required=False, inputmode="numeric", autocomplete="postal-code")
    address = _text(255)
    building = _text(128, required=False, list="building-candidates")  # 方書入力補助 (4.0.7)
    household_id = forms.IntegerField(required=False, min_value=1, error_messages=FIELD_MESSAGES)
    notifier = _text(64, required=False, list="notifier-examples")  # 届出人 (標準仕様書 4.1.0.3)
    sections = ("relationships", "persons")

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        if context.notice is not None:
            self.fields["address"].initial = context.notice.data.get("destination_address", "")

    def notice_persons(self) -> list[list[Row]]:
        """Each person of the notice as rows (read-only): what will be recorded, as the origin sent it."""
        out = []
        concealed = {name for item in self.concealed for name in ITEM_FIELDS.get(item, ())}  # 操作権限設定
        for p in self.context.notice.data.get("persons", []) if self.context.notice is not None else []:
            rows = []
            for name in NOTICE_PERSON_ITEMS:
                value = p.get(name)
                if not value or name in concealed:
                    continue
                if name in ("birth_date", "period_of_stay_until"):
                    value = person_date(p, name)
                elif name == "sex":
                    value = dict(SEX_CHOICES).get(str(value), str(value))
                ja, en = self.label_of(name)
                rows.append(Row(ja, en, str(value)))
            out.append(rows)
        return out

    def summary(self) -> list[Row]:
        rows = self.rows()
        for i, person in enumerate(self.notice_persons()):
            rows += [Row(r.ja, r.en, r.value, f"{i + 1}人目 (person {i + 1})") for r in person]
        return rows

    def person_names(self) -> list[str]:
        persons = self.context.notice.data.get("persons", []) if self.context.notice is not None else []
        return [f"{p.get('family_name', '')} {p.get('given_name', '')}" for p in persons]

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        assert self.context.notice is not None
        return services.move_in_from_notice(n, notice_id=str(self.context.notice.event_id),
                                            address=self.address_data(),
                                            household_id=self.optional_id("household_id"))  # fmt: skip


RESIDENCE_STATUSES = tuple(s.value for s in codes.ResidenceStatus) + tuple(
    c.value for c in codes.ForeignResidentCategory if c.value != "中長期在留者"
)


class ResidenceStatusForm(ProcedureForm):
    """在留資格等の変更 (法30条の50): the Immigration Services Agency's notice of a new status, period or card."""

    labels = {"effective_on": ("変更日（異動日）", "Date of the change")}
    # The service checks foreign items with an empty prefix: ".residence_status" is the form's residence_status.
    aliases = {f".{n}": n for n in ("residence_status", "period_of_stay_until", "residence_card_number")}
    residence_status = _text(64, list="residence-statuses")
    period_of_stay_until = _date(required=False)
    residence_card_number = _text(12, required=False)

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        if context.resident is not None:
            for name in ("residence_status", "period_of_stay_until", "residence_card_number"):
                self.fields[name].initial = getattr(context.resident, name, "") or ""

    def foreign(self) -> bool:
        return True  # 在留資格等の変更 is for foreign residents only

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("residence_card_number"):
            data["residence_card_number"] = normalize_digits(data["residence_card_number"]).strip().upper()
        return data

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        d = self.cleaned_data
        assert self.context.resident is not None
        return services.change_residence_status(
            n, resident_id=self.context.resident.id, residence_status=d["residence_status"].strip(),
            period_of_stay_until=d.get("period_of_stay_until"),
            residence_card_number=d.get("residence_card_number") or "",
        )  # fmt: skip


class FormerSurnameForm(ProcedureForm):
    """旧氏の記載・変更・削除 (住民基本台帳法施行令30条の13〜30条の15; 標準仕様書 1.1.7 j70), on the person's request:
    the surname before a change of name by marriage etc.; empty deletes it."""

    labels = {"effective_on": ("請求日（異動日）", "Date of the request")}
    former_surname = _text(64, required=False)
    former_surname_kana = _text(128, required=False)

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        if context.resident is not None:
            for name in ("former_surname", "former_surname_kana"):
                self.fields[name].initial = getattr(context.resident, name, "") or ""

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        d = self.cleaned_data
        assert self.context.resident is not None
        return services.record_former_surname(
            n, resident_id=self.context.resident.id, former_surname=(d.get("former_surname") or "").strip(),
            former_surname_kana=d.get("former_surname_kana") or "",
        )  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# 異動の取消し, 帰化・国籍取得・国籍喪失, 住所の軽微な修正 (supervisors only)


class CancelForm(ProcedureForm):
    """異動の取消し (標準仕様書 4.6.0.1, j980): a recorded procedure undone by a new one on top of the history
    (``services.cancel``), for all of its persons or some of them; the 続柄 only for persons who come back as a new
    household (one of them its householder)."""

    labels = {
        "effective_on": ("取消しの日付（異動日）", "Date of the cancellation"),
        "resident_ids": ("取り消す対象者", "Persons whose change is undone"),
        "reason": ("取消しの理由", "Reason for the cancellation"),
    }
    reason = _text(200)
    resident_ids = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, error_messages=FIELD_MESSAGES)

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        self.fields["effective_on"].initial = timezone.localdate()
        ids = self.fields["resident_ids"]
        assert isinstance(ids, forms.MultipleChoiceField)
        ids.choices = _members(context.members)
        ids.initial = [str(m.id) for m in context.members if m.id in context.undoable]
        self.add_relationship_fields()

    def undone(self) -> str:
        """The procedure undone, as the confirmation and the list of provisional entries name it."""
        p = self.context.procedure
        return f"{p.kind}（処理番号 {p.id}、異動日 {display_date(p.effective_on)}）" if p is not None else ""

    def summary(self) -> list[Row]:
        return [Row("取り消す異動", "Procedure undone", self.undone()), *self.rows()]

    def headline(self) -> str:
        return f"{self.undone()} {super().headline()}"

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        assert self.context.procedure is not None
        ids = self.ids("resident_ids")
        return services.cancel(n, procedure_id=self.context.procedure.id, reason=self.cleaned_data["reason"],
                               resident_ids=ids,
                               relationships={k: v for k, v in self.relationships().items() if k in ids})  # fmt: skip


NATIONALITY_CAUSES = {
    "naturalization": "帰化 (naturalization, 標準仕様書 4.5.3)",
    "acquisition": "国籍取得 (acquisition of Japanese nationality, 4.5.4)",
    "loss": "国籍喪失 (loss of Japanese nationality, 4.5.5)",
}
NATIONALITY_ITEMS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "domicile", "domicile_head",
                     "nationality", "residence_status", "alias", "alias_kana")  # fmt: skip


class NationalityForm(ProcedureForm):
    """帰化・国籍取得・国籍喪失 (標準仕様書 4.5.3–4.5.5, j930–j950; ``services.change_nationality``): the person's
    住民票 of one kind is removed and one of the other kind recorded. Birth date, sex, 続柄, address and codes are
    taken over by the service; the form brings the new name and, for a Japanese record, 本籍・筆頭者, for a foreign
    record the nationality and the category (国籍喪失による経過滞在者)."""

    labels = {
        "cause": ("事由", "Cause"),
        "effective_on": ("異動日（帰化・国籍取得・国籍喪失の日）", "Date of the change"),
        "residence_status": ("在留資格等", "Residence status or category"),
    }
    aliases = {"person.kind": "cause", **{f"person.{n}": n for n in NATIONALITY_ITEMS}}
    cause = _choice([])
    family_name = _text()
    given_name = _text()
    family_name_kana = _kana()
    given_name_kana = _kana()
    domicile = _text(255, required=False, list="domicile-candidates")  # 本籍入力補助 (4.0.6)
    domicile_head = _text(128, required=False)
    nationality = _text(3, required=False)
    residence_status = _text(64, required=False, list="residence-statuses")
    alias = _text(128, required=False)
    alias_kana = _kana(required=False)
    field_order = ["cause", "effective_on", "notified_on"]

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        del self.fields["effective_on"].widget.attrs["autofocus"]
        self.fields["cause"].widget.attrs["autofocus"] = True
        person = context.resident
        foreign = person is not None and is_foreign(person)
        causes = ("naturalization", "acquisition") if foreign else ("loss",)
        cause = self.fields["cause"]
        assert isinstance(cause, forms.ChoiceField)
        cause.choices = [(c, NATIONALITY_CAUSES[c]) for c in causes]
        if person is not None:
            for name in ("family_name", "given_name", "family_name_kana", "given_name_kana"):
                self.fields[name].initial = getattr(person, name, "") or ""
        if not foreign:  # 国籍喪失: the foreign items of the new record
            for name in ("domicile", "domicile_head", "alias", "alias_kana"):
                del self.fields[name]
            self.fields["residence_status"].initial = codes.ForeignResidentCategory.TRANSITIONAL_STAY.value
        else:  # 帰化・国籍取得: a Japanese record
            for name in ("nationality", "residence_status", "alias", "alias_kana"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        super().clean()
        return _normalize_person(self.cleaned_data)

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        person = self.context.resident
        assert person is not None
        d = self.cleaned_data
        new = PersonData(
            family_name=d["family_name"], given_name=d["given_name"], family_name_kana=d["family_name_kana"],
            given_name_kana=d["given_name_kana"], birth_date=person.birth_date, sex=person.sex,
            relationship=person.relationship, domicile=d.get("domicile") or "",
            domicile_head=d.get("domicile_head") or "", nationality=d.get("nationality") or "",
            residence_status=(d.get("residence_status") or "").strip(), alias=d.get("alias") or "",
            alias_kana=d.get("alias_kana") or "",
        )  # fmt: skip
        return services.change_nationality(n, resident_id=person.id, cause=d["cause"], person=new)


ADDRESS_CORRECTION_REASONS = ("住居表示の実施", "住居表示の変更", "町字の変更", "地番の変更", "建物の名称の変更")


class AddressCorrectionForm(ProcedureForm):
    """住所の軽微な修正 (規則11条3項2号, 標準仕様書 4.2.3.2 j850; ``services.correct_address``): the household's
    address written anew where nobody moved (住居表示の実施 …); 住定日 and 前住所 stay."""

    labels = {"effective_on": ("修正日（異動日）", "Date of the correction"),
              "reason": ("修正の理由", "Reason (e.g. 住居表示の実施)")}  # fmt: skip
    reason = _text(200, list="address-correction-reasons")
    postal_code = _text(8, required=False, inputmode="numeric", autocomplete="postal-code")
    address = _text(255)
    building = _text(128, required=False, list="building-candidates")  # 方書入力補助 (4.0.7)
    field_order = ["effective_on", "notified_on", "reason"]

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        super().__init__(data, context=context)
        if context.members:
            self.fields["address"].initial = context.members[0].address
            self.fields["building"].initial = context.members[0].building

    def procedure(self, n: services.Notification) -> services.ProcedureResult:
        assert self.context.household_id is not None
        return services.correct_address(n, household_id=self.context.household_id, address=self.address_data(),
                                        reason=self.cleaned_data["reason"].strip())  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# 証明書交付 (certificates at the counter)

LAYOUT_CHOICES = [("household", "世帯連記式 (household form, four persons a sheet)"),
                  ("individual", "個人票 (individual form, one person)")]  # fmt: skip
ITEM_LABELS_EN = {
    "householder": "householder and relationship",
    "domicile": "permanent domicile and its head",
    "resident_code": "resident record code",
    "individual_number": "individual number",
    "history": "previous address and history",
    "furigana": "furigana in katakana after the names",
}
REQUESTER_EN = {"self": "the person", "household": "a member of the household",
                "public_office": "a public office", "third_party": "a third party",
                "proxy": "a proxy with a letter of attorney"}  # fmt: skip


class CertificateForm(LabelledForm):
    """What to issue (法12条, 12条の2, 12条の3, 15条の4): the kind, persons, layout, optional items and who asks.
    Who may have which item is decided by ``certificates.issue``; its refusals come back next to the fields."""

    labels = {
        "kind": ("証明書の種類", "Certificate"),
        "resident_ids": ("記載する方", "Persons on the certificate"),
        "layout": ("様式", "Layout"),
        "items": ("記載する任意項目", "Optional items"),
        "requester": ("請求者の区分", "Requester"),
        "requester_resident_id": ("請求者（本人・同一世帯の場合）", "Requester, if the person or a household member"),
        "requester_name": ("請求者氏名", "Requester's name"),
        "purpose": ("請求事由", "Purpose of the request"),
    }
    legend = ("交付の内容", "Certificate")
    kind = _choice([(k, f"{label}") for k, label in Certificate.Kind.choices])
    resident_ids = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, error_messages=FIELD_MESSAGES)
    layout = _choice(LAYOUT_CHOICES, initial="household")
    items = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, error_messages=FIELD_MESSAGES,
        choices=[(k, f"{v} ({ITEM_LABELS_EN[k]})") for k, v in certificates.ITEMS.items()],
    )  # fmt: skip
    requester = _choice([("", "―"), *((k, f"{v} ({REQUESTER_EN[k]})") for k, v in Certificate.Requester.choices)])
    requester_resident_id = _choice([], required=False)
    requester_name = _text(150)
    purpose = _text(200)

    def __init__(self, data: Any = None, *, context: WizardContext) -> None:
        self.context = context
        super().__init__(data)
        self.section_errors: dict[str, ErrorList] = {}
        person = context.resident
        removed = person is not None and not is_current(person)  # a 転出予定 is still a 住民票 (j50)
        self.fields["kind"].initial = Certificate.Kind.REMOVED_COPY if removed else Certificate.Kind.RESIDENT_COPY
        self.fields["kind"].widget.attrs["autofocus"] = True
        ids = self.fields["resident_ids"]
        assert isinstance(ids, forms.MultipleChoiceField)
        ids.choices = _members(context.members)
        ids.initial = [str(person.id)] if person is not None else []
        requester = self.fields["requester_resident_id"]
        assert isinstance(requester, forms.ChoiceField)
        requester.choices = [("", "―（本人・同一世帯以外 / other requesters）"), *_members(context.members)]
        self.fields["purpose"].widget.attrs["list"] = "certificate-purposes"

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields]

    def relationship_fields(self) -> list[forms.BoundField]:
        return []

    def member_name(self, resident_id: int) -> str:
        m = self.context.member(resident_id)
        return f"{m.family_name} {m.given_name}" if m else str(resident_id)

    def summary(self) -> list[Row]:
        return self.rows()

    def request(self) -> certificates.Request:
        d = self.cleaned_data
        by_resident = d["requester"] in (Certificate.Requester.SELF, Certificate.Requester.HOUSEHOLD)
        requester_id = d.get("requester_resident_id")
        return certificates.Request(
            kind=d["kind"], resident_ids=sorted(int(v) for v in d["resident_ids"]), requester=d["requester"],
            requester_name=d["requester_name"].strip(), purpose=d["purpose"].strip(), items=tuple(d["items"]),
            layout=d["layout"], requester_resident_id=int(requester_id) if by_resident and requester_id else None,
        )  # fmt: skip


CERTIFICATE_PURPOSES = ("運転免許証の申請", "年金の手続", "相続手続", "不動産登記", "就職", "旅券の申請", "訴訟手続")


# ---------------------------------------------------------------------------------------------------------------
# 支援措置 (support measures), supervisors only


class SupportApplyForm(LabelledForm):
    """支援措置の申出: protects at once as 仮支援措置 (support.apply)."""

    labels = {"requested_by": ("申出者", "Requested by"), "on": ("申出日", "Date of the request")}
    requested_by = _text(150)
    on = _date()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class SupportActionForm(LabelledForm):
    """確認・延長・解除 of one measure; the reason is required for a release (support.release checks it)."""

    labels = {"on": ("日付", "Date"), "reason": ("解除の理由", "Reason")}
    on = _date()
    reason = _text(200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


def measure_dates(measure: SupportMeasure) -> dict[str, str]:
    return {k: display_date(getattr(measure, k)) for k in ("starts_on", "ends_on", "released_on")}
