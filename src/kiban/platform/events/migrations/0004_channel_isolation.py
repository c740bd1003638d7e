from django.db import migrations

from kiban.platform.tenants.isolation import IsolateTenantTable


class Migration(migrations.Migration):
    dependencies = [("events", "0003_channel_messages")]

    operations = [IsolateTenantTable("ChannelMessage")]
