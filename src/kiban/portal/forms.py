"""Forms built from the procedure declarations; they accept full-width digits and era dates as people type them."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_noop

from kiban.platform.tenants.codes import InvalidLocalGovernmentCode, validate_code

from .i18n import message
from .procedures import ProcedureSpec

DATE_INVALID = gettext_noop("日付の形式が正しくありません（例: 令和8年4月1日、R8.4.1、2026-04-01）。{problem}")
CODE_INVALID = gettext_noop("市区町村コードは6桁（検査数字付き）です。{problem}")
REQUIRED = gettext_noop("{label}を入力してください。")
MEMBERS_REQUIRED = gettext_noop("引っ越す方を1人以上選んでください。")


class PortalForm(forms.Form):
    """A form whose invalid fields point at their message (``aria-describedby`` → ``<id>-error``, rendered next to
    the field by the templates) and whose first invalid field takes the focus when the page comes back."""

    def full_clean(self) -> None:
        super().full_clean()
        first = True
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            error_id = f"{self[name].auto_id}-error"
            attrs["aria-describedby"] = " ".join([error_id, *attrs.get("aria-describedby", "").split()])
            if first:
                attrs["autofocus"] = True
                first = False


class NormalizedCharField(forms.CharField):
    """Text as typed, full-width digits and letters made half-width (NFKC), surrounding spaces removed."""

    def clean(self, value: Any) -> Any:
        return unicodedata.normalize("NFKC", super().clean(value) or "").strip()


class EraDateField(forms.CharField):
    def clean(self, value: Any) -> Any:
        from kiban.standard.era import EraDateError, parse_date

        text = super().clean(value)
        if not text:
            return ""
        try:
            return parse_date(text).isoformat()
        except EraDateError as exc:
            raise forms.ValidationError(message(DATE_INVALID, {"problem": ""}, {"problem": f" ({exc})"})) from exc


class MunicipalityCodeField(forms.CharField):
    def clean(self, value: Any) -> Any:
        text = re.sub(r"\s", "", unicodedata.normalize("NFKC", super().clean(value) or ""))
        if text:
            try:
                validate_code(text)
            except InvalidLocalGovernmentCode as exc:
                raise forms.ValidationError(message(CODE_INVALID, {"problem": ""}, {"problem": f" ({exc})"})) from exc
        return text


def form_for(spec: ProcedureSpec, members: list[tuple[int, str]], data: Any = None, initial: Any = None) -> forms.Form:
    fields: dict[str, forms.Field] = {}
    for f in spec.fields:
        common: dict[str, Any] = {"label": f.label, "required": f.required, "help_text": f.help}
        required_message = {"required": message(REQUIRED, {"label": f.label}, {"label": f.label_en})}
        if f.kind == "date":
            fields[f.name] = EraDateField(max_length=32, error_messages=required_message, **common)
        elif f.kind == "members":
            fields[f.name] = forms.TypedMultipleChoiceField(
                choices=[(str(i), n) for i, n in members],
                coerce=str,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": message(MEMBERS_REQUIRED, {}, {})},
                **common,
            )
        elif f.kind == "municipality":
            fields[f.name] = MunicipalityCodeField(max_length=12, error_messages=required_message, **common)
        else:
            fields[f.name] = NormalizedCharField(max_length=255, error_messages=required_message, **common)
        fields[f.name].widget.attrs["aria-describedby"] = f"{f.name}-easy"
    form_class = type(f"{spec.slug.title().replace('-', '')}Form", (PortalForm,), fields)
    return form_class(data=data, initial=initial)
