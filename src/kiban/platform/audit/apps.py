from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kiban.platform.audit"
    label = "audit"
    verbose_name = "Audit trail (監査証跡)"
