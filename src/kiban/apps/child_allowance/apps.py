from django.apps import AppConfig


class ChildAllowanceConfig(AppConfig):
    name = "kiban.apps.child_allowance"
    label = "child_allowance"
    verbose_name = "Child allowance (児童手当)"

    def ready(self) -> None:
        from kiban.platform.accounts import roles
        from kiban.platform.events import handlers

        from .events import HANDLER_NAME, on_resident_changed
        from .permissions import CLERK, SUPERVISOR

        roles.register(CLERK, SUPERVISOR)
        handlers.register(HANDLER_NAME, on_resident_changed)

        from kiban.standard.businesses import Business
        from kiban.standard.contracts import provide_inquiry

        from .inquiry import ChildAllowanceInquiry

        provide_inquiry(Business.CHILD_ALLOWANCE.value, ChildAllowanceInquiry())  # 他業務照会 (標準仕様書 7.2.2)
