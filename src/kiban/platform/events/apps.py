from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "kiban.platform.events"
    label = "events"
    verbose_name = "Events (庁内データ連携)"
