from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "kiban.apps.residents"
    label = "residents"
    verbose_name = "Resident registry (住民記録)"

    def ready(self) -> None:
        from kiban.platform.accounts import roles

        from .events import register_event_types
        from .permissions import CLERK, SUPERVISOR

        roles.register(CLERK, SUPERVISOR)
        register_event_types()

        from .batch_jobs import register_jobs

        register_jobs()

        from kiban.standard.contracts import provide_registry

        from .contract import KibanRegistry

        provide_registry(KibanRegistry())

        from kiban.platform.events import handlers

        from . import services

        handlers.register(services.CONFIRM_HANDLER, services.confirm_move_out)
