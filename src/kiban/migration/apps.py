from django.apps import AppConfig


class MigrationConfig(AppConfig):
    """Data migration: synthetic populations, standard export/import, legacy files (kiban seed/export/import)."""

    name = "kiban.migration"
    label = "data_migration"
    verbose_name = "Data migration (データ移行)"
