"""Deployment checks (``kiban check --deploy``): refuse the development secrets in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def development_secrets(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        errors.append(Error("KIBAN_SECRET_KEY is not set; the development key is in use", id="kiban.E001"))
    if settings.AUDIT_KEY == "kiban-development-audit-key":
        errors.append(Error("KIBAN_AUDIT_KEY is not set; the development audit key is in use", id="kiban.E002"))
    return errors
