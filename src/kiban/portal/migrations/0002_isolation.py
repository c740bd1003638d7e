from django.db import migrations

from kiban.platform.tenants.isolation import IsolateTenantTable


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [
        IsolateTenantTable("Submission"),
        IsolateTenantTable("SubmissionStep", tenant_fks=[("submission_id", "portal_submission")]),
    ]
