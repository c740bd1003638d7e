"""Row-level security for the registry's tables, and triggers that keep history and procedures append-only."""

from django.db import migrations

from kiban.platform.tenants.isolation import AppendOnlyTable, IsolateTenantTable

# The trigger function every append-only table of the registry calls (``AppendOnlyTable``).
PG_FORWARD = [
    """
    CREATE FUNCTION kiban_residents_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'resident history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
]
PG_BACKWARD = ["DROP FUNCTION kiban_residents_append_only()"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("residents", "0001_initial")]

    operations = [
        IsolateTenantTable("Household"),
        IsolateTenantTable("Resident", tenant_fks=[("household_id", "residents_household")]),
        IsolateTenantTable("Procedure"),
        IsolateTenantTable(
            "ResidentHistory",
            tenant_fks=[("resident_id", "residents_resident"), ("procedure_id", "residents_procedure")],
        ),
        IsolateTenantTable("SupportMeasure", tenant_fks=[("resident_id", "residents_resident")]),
        migrations.RunPython(_run({"postgresql": PG_FORWARD}), _run({"postgresql": PG_BACKWARD})),
        AppendOnlyTable("ResidentHistory", function="kiban_residents_append_only"),
        AppendOnlyTable("Procedure", function="kiban_residents_append_only"),
    ]
