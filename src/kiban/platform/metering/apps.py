from django.apps import AppConfig


class MeteringConfig(AppConfig):
    name = "kiban.platform.metering"
    label = "metering"
    verbose_name = "Metering (利用量)"
