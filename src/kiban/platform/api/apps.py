from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kiban.platform.api"
    label = "kiban_api"
    verbose_name = "API"
