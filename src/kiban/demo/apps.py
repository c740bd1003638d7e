from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kiban.demo"
    label = "demo"
