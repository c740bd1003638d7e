from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "kiban.platform.tenants"
    label = "tenants"
    verbose_name = "Tenants (地方公共団体)"

    def ready(self) -> None:
        from . import checks, grants  # noqa: F401  (deploy checks of the roles; post_migrate: their privileges)
