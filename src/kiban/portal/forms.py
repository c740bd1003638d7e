"""Forms built from the procedure declarations; they accept full-width digits and era dates as people type them."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms

from kiban.platform.tenants.codes import InvalidLocalGovernmentCode, validate_code

from .procedures import ProcedureSpec


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
            raise forms.ValidationError(
                f"日付の形式が正しくありません（例: 令和8年4月1日、R8.4.1、2026-04-01）。 The date is not valid: {exc}"
            ) from exc


class MunicipalityCodeField(forms.CharField):
    def clean(self, value: Any) -> Any:
        text = re.sub(r"\s", "", unicodedata.normalize("NFKC", super().clean(value) or ""))
        if text:
            try:
                validate_code(text)
            except InvalidLocalGovernmentCode as exc:
                raise forms.ValidationError(f"市区町村コードは6桁（検査数字付き）です。 {exc}") from exc
        return text


def form_for(spec: ProcedureSpec, members: list[tuple[int, str]], data: Any = None, initial: Any = None) -> forms.Form:
    fields: dict[str, forms.Field] = {}
    for f in spec.fields:
        common: dict[str, Any] = {"label": f.label, "required": f.required, "help_text": f.help}
        required_message = {"required": f"{f.label}を入力してください。 ({f.label_en} is required.)"}
        if f.kind == "date":
            fields[f.name] = EraDateField(max_length=32, error_messages=required_message, **common)
        elif f.kind == "members":
            fields[f.name] = forms.TypedMultipleChoiceField(
                choices=[(str(i), n) for i, n in members],
                coerce=str,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": "引っ越す方を1人以上選んでください。 Choose at least one person."},
                **common,
            )
        elif f.kind == "municipality":
            fields[f.name] = MunicipalityCodeField(max_length=12, error_messages=required_message, **common)
        else:
            fields[f.name] = NormalizedCharField(max_length=255, error_messages=required_message, **common)
        fields[f.name].widget.attrs["aria-describedby"] = f"{f.name}-easy"
    form_class = type(f"{spec.slug.title().replace('-', '')}Form", (forms.Form,), fields)
    return form_class(data=data, initial=initial)
