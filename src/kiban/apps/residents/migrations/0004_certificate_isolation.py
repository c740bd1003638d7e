"""Row-level security for issued certificates and seals; both append-only like the history."""

from django.db import migrations

from kiban.platform.tenants.isolation import IsolateTenantTable

TABLES = ("residents_certificate", "residents_seal")
PG_FORWARD = [
    statement
    for table in TABLES
    for statement in (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION kiban_residents_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION kiban_residents_append_only()",
    )
]
PG_BACKWARD = [
    f"DROP TRIGGER {table}_{suffix} ON {table}" for table in TABLES for suffix in ("append_only", "no_truncate")
]
SQLITE_FORWARD = [
    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, 'append-only: {op} refused'); END"
    for table in TABLES
    for op in ("UPDATE", "DELETE")
]
SQLITE_BACKWARD = [f"DROP TRIGGER {table}_no_{op}" for table in TABLES for op in ("update", "delete")]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("residents", "0003_certificates")]

    operations = [
        IsolateTenantTable("Certificate"),
        IsolateTenantTable("Seal"),
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
