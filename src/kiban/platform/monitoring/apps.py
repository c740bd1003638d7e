from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "kiban.platform.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"
