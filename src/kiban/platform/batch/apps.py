from django.apps import AppConfig


class BatchConfig(AppConfig):
    name = "kiban.platform.batch"
    label = "batch"
    verbose_name = "Batch processing (バッチ処理)"

    def ready(self) -> None:
        from kiban.platform.events import types

        from .alerts import current_type

        types.register(current_type())  # jobs registered before this app was ready keep their businesses
