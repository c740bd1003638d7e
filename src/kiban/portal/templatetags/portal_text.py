"""Readings (ふりがな) for plain-Japanese text written as 漢字(かんじ): ruby when asked for, plain text otherwise."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
_READING = re.compile(r"([\u3400-\u9fff々〆ヶ]+)\(([\u3040-\u309f]+)\)")


@register.filter
def furigana(text: str, ruby: bool = False) -> SafeString:
    escaped = str(escape(text))
    if ruby:
        return mark_safe(_READING.sub(r"<ruby>\1<rp>(</rp><rt>\2</rt><rp>)</rp></ruby>", escaped))  # noqa: S308
    return mark_safe(_READING.sub(r"\1", escaped))  # noqa: S308


@register.simple_tag(takes_context=True)
def prefs(context: template.Context) -> dict[str, object]:
    request = context.get("request")
    stored = dict(request.session.get("portal_prefs", {})) if request is not None else {}
    return {"large": False, "contrast": False, "ruby": False, "easy": False, "lang": "ja", **stored}
