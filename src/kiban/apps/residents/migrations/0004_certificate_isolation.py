"""Row-level security for issued certificates and seals; both append-only like the history."""

from django.db import migrations

from kiban.platform.tenants.isolation import AppendOnlyTable, IsolateTenantTable


class Migration(migrations.Migration):
    dependencies = [("residents", "0003_certificates")]

    operations = [
        IsolateTenantTable("Certificate"),
        IsolateTenantTable("Seal"),
        AppendOnlyTable("Certificate", function="kiban_residents_append_only"),
        AppendOnlyTable("Seal", function="kiban_residents_append_only"),
    ]
