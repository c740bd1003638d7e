"""Row-level security and tenant-composite keys for the child allowance tables (kiban.platform.tenants.isolation)."""

from django.db import migrations

from kiban.platform.tenants.isolation import IsolateTenantTable


class Migration(migrations.Migration):
    dependencies = [("child_allowance", "0001_initial")]

    operations = [
        IsolateTenantTable("Prompt"),
        IsolateTenantTable("Recognition", tenant_fks=[("prompt_id", "child_allowance_prompt")]),
        IsolateTenantTable("Revision", tenant_fks=[("recognition_id", "child_allowance_recognition")]),
        IsolateTenantTable("PayerAccount"),
        IsolateTenantTable("PaymentRun"),
        IsolateTenantTable(
            "Payment",
            tenant_fks=[("recognition_id", "child_allowance_recognition"), ("run_id", "child_allowance_paymentrun")],
        ),
    ]
