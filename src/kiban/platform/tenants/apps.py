from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "kiban.platform.tenants"
    label = "tenants"
    verbose_name = "Tenants (地方公共団体)"

    def ready(self) -> None:
        from . import grants  # noqa: F401  (connects post_migrate: privileges of the application role)
