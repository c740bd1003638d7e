from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kiban.platform.web"
    label = "web"
    verbose_name = "Staff web"

    def ready(self) -> None:
        from . import checks  # noqa: F401
