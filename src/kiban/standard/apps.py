from django.apps import AppConfig


class StandardConfig(AppConfig):
    """Hosts ``kiban standard``; the package has no Django models (the standard is Pydantic only)."""

    name = "kiban.standard"
    label = "standard"
    verbose_name = "The standard as code (標準仕様)"
