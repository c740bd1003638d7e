from django.db import migrations

from kiban.platform.tenants.isolation import IsolateTenantTable


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [
        IsolateTenantTable("Event"),
        IsolateTenantTable("Subscription"),
        IsolateTenantTable(
            "Delivery",
            tenant_fks=[("subscription_id", "events_subscription"), ("event_id", "events_event")],
        ),
    ]
