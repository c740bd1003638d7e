from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "kiban.apps.benefits"
    label = "benefits"
    verbose_name = "Emergency benefits (給付金)"

    def ready(self) -> None:
        from kiban.platform.accounts import roles

        from .permissions import CLERK, SUPERVISOR

        roles.register(CLERK, SUPERVISOR)

        from kiban.standard.contracts import provide_benefits

        from .contract import KibanBenefits

        provide_benefits(KibanBenefits())
