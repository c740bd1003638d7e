"""Readings (ふりがな) for plain-Japanese text written as 漢字(かんじ): ruby when asked for, plain text otherwise."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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
    values = {"large": False, "contrast": False, "ruby": False, "easy": False, "lang": "ja", **stored}
    values["en"] = values["lang"] == "en"
    return values


@register.filter
def bilingual(text: object) -> SafeString:
    """A Japanese UI string (a message id, or already translated by ``_()``): in English mode the English alone; in
    Japanese mode the Japanese with the English beside it, marked ``lang="en"`` for screen readers."""
    from kiban.portal.i18n import english, in_english

    source = str(text)
    if english():
        return escape(gettext(source))
    translated = in_english(source)
    if translated == source:
        return escape(source)
    return format_html('{} <span lang="en">({})</span>', source, translated)


@register.filter
def translated(text: object) -> str:
    """A Japanese label from elsewhere (a status, a shipped example) in the active language."""
    return gettext(str(text))
