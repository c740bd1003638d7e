"""Row-level security and tenant-composite keys for the benefits tables (kiban.platform.tenants.isolation)."""

from django.db import migrations

from kiban.platform.tenants.isolation import IsolateTenantTable


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]

    operations = [
        IsolateTenantTable("Benefit"),
        IsolateTenantTable("PaymentRun", tenant_fks=[("benefit_id", "benefits_benefit")]),
        IsolateTenantTable(
            "Application",
            tenant_fks=[("benefit_id", "benefits_benefit"), ("run_id", "benefits_paymentrun")],
        ),
        IsolateTenantTable("Receipt", tenant_fks=[("application_id", "benefits_application")]),
    ]
