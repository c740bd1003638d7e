from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "kiban.platform.crypto"
    label = "crypto"
    verbose_name = "Tenant data keys (暗号鍵)"
