from django.db import migrations

from kiban.platform.tenants.isolation import IsolateTenantTable


class Migration(migrations.Migration):
    dependencies = [("crypto", "0001_initial")]

    operations = [IsolateTenantTable("TenantDataKey")]
