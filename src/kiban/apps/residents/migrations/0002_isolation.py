"""Row-level security for the registry's tables, and triggers that keep history and procedures append-only."""

from django.db import migrations

from kiban.platform.tenants.isolation import IsolateTenantTable

APPEND_ONLY_TABLES = ("residents_residenthistory", "residents_procedure")

PG_FORWARD = [
    """
    CREATE FUNCTION kiban_residents_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'resident history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    *(
        statement
        for table in APPEND_ONLY_TABLES
        for statement in (
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION kiban_residents_append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION kiban_residents_append_only()",
        )
    ),
]
PG_BACKWARD = [
    *(f"DROP TRIGGER {table}_{suffix} ON {table}" for table in APPEND_ONLY_TABLES for suffix in ("append_only", "no_truncate")),
    "DROP FUNCTION kiban_residents_append_only()",
]
SQLITE_FORWARD = [
    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, 'resident history is append-only: {op} refused'); END"
    for table in APPEND_ONLY_TABLES
    for op in ("UPDATE", "DELETE")
]
SQLITE_BACKWARD = [f"DROP TRIGGER {table}_no_{op}" for table in APPEND_ONLY_TABLES for op in ("update", "delete")]


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
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
