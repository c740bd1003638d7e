from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "kiban.portal"
    label = "portal"
    verbose_name = "Resident portal (住民ポータル)"
