"""The portal's languages: Japanese (with the English beside it, for those who read both), or English alone when the
resident chose English (session ``portal_prefs["lang"]``). Japanese strings are the message ids; the English is in
``locale/en/LC_MESSAGES/django.po`` (compile with ``msgfmt``; the .mo is committed so the demo needs no gettext)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

LANGUAGES = ("ja", "en")

# Labels from elsewhere that residents read: the submission statuses (kiban.portal.models.Submission.Status).
gettext_noop("下書き")
gettext_noop("受付待ち")
gettext_noop("決裁待ち")
gettext_noop("完了")
gettext_noop("差戻し・却下")
# The example under date fields (kiban.portal.procedures).
gettext_noop("例: 令和8年4月1日、R8.4.1、2026-04-01")


def preferred(request: HttpRequest) -> str:
    lang = dict(request.session.get("portal_prefs", {})).get("lang", "ja")
    return lang if lang in LANGUAGES else "ja"


def localized(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render the view in the resident's chosen language."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with translation.override(preferred(request)):
            response = view(request, *args, **kwargs)
            response["Content-Language"] = preferred(request)
            return response

    return wrapper


def english() -> bool:
    return (translation.get_language() or "ja").startswith("en")


def in_english(msgid: str) -> str:
    with translation.override("en"):
        return gettext(msgid)


def _both(ja: str, en: str) -> str:
    """English alone in English mode; Japanese with the English beside it otherwise."""
    if english():
        return en
    return ja if not en or en == ja else f"{ja} ({en})"


both = lazy(_both, str)


def _message(msgid: str, ja: dict[str, Any], en: dict[str, Any]) -> str:
    """A translated sentence with its values in each language (a field's Japanese or English label)."""
    return _both(gettext(msgid).format(**ja) if not english() else "", in_english(msgid).format(**en))


message = lazy(_message, str)
