"""Tenant isolation in PostgreSQL: composite keys and row-level security for every tenant-owned table.

Each tenant-owned table gets, in its migration, the operation ``IsolateTenantTable``:

- primary key ``(tenant_id, id)`` (Django keeps ``id`` as its notion of pk; ids come from one sequence so they
  are unique anyway, but no key of a tenant table can be used without its tenant);
- foreign keys between tenant tables as ``(tenant_id, x_id) REFERENCES other (tenant_id, id)``, so a row can
  never point at another tenant's row (the Django field is declared with ``db_constraint=False``);
- ``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` with one policy comparing ``tenant_id`` to the
  transaction-local setting ``kiban.tenant_id``. With no setting, ``current_setting(..., true)`` is NULL or
  empty and no row matches: a query without tenant context reads nothing and can write nothing.

On SQLite the operation does nothing (the application-layer scoping still applies); tests that depend on it are
marked ``postgres``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations

from .context import TENANT_SETTING

POLICY_NAME = "tenant_isolation"
POLICY_PREDICATE = f"tenant_id = current_setting('{TENANT_SETTING}', true)"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class IsolateTenantTable(migrations.operations.base.Operation):
    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, tenant_fks: Sequence[tuple[str, str]] = ()) -> None:
        self.model_name = model_name
        self.tenant_fks = tuple(tuple(fk) for fk in tenant_fks)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs: dict[str, Any] = {"model_name": self.model_name}
        if self.tenant_fks:
            kwargs["tenant_fks"] = [list(fk) for fk in self.tenant_fks]
        return (self.__class__.__name__, [], kwargs)

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def describe(self) -> str:
        return f"Isolate tenant table for {self.model_name} (composite keys, row-level security)"

    @property
    def migration_name_fragment(self) -> str:
        return f"isolate_{self.model_name.lower()}"

    def _table(self, app_label: str, state: Any) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = self._table(app_label, to_state)
        t = _q(table)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table])
            (pkey,) = cursor.fetchone()
        schema_editor.execute(f"ALTER TABLE {t} DROP CONSTRAINT {_q(pkey)}")
        schema_editor.execute(f"ALTER TABLE {t} ADD CONSTRAINT {_q(table + '_pkey')} PRIMARY KEY (tenant_id, id)")
        for column, target in self.tenant_fks:
            schema_editor.execute(
                f"ALTER TABLE {t} ADD CONSTRAINT {_q(f'{table}_{column}_tenant_fk')} "
                f"FOREIGN KEY (tenant_id, {_q(column)}) REFERENCES {_q(target)} (tenant_id, id) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
        schema_editor.execute(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY")
        schema_editor.execute(
            f"CREATE POLICY {POLICY_NAME} ON {t} USING ({POLICY_PREDICATE}) WITH CHECK ({POLICY_PREDICATE})"
        )

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = self._table(app_label, from_state)
        t = _q(table)
        schema_editor.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {t}")
        schema_editor.execute(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")
        for column, _target in self.tenant_fks:
            schema_editor.execute(f"ALTER TABLE {t} DROP CONSTRAINT {_q(f'{table}_{column}_tenant_fk')}")
        schema_editor.execute(f"ALTER TABLE {t} DROP CONSTRAINT {_q(table + '_pkey')}")
        schema_editor.execute(f"ALTER TABLE {t} ADD CONSTRAINT {_q(table + '_pkey')} PRIMARY KEY (id)")


class AppendOnlyTable(migrations.operations.base.Operation):
    """Triggers that refuse UPDATE, DELETE and TRUNCATE on a table whose rows are never changed (history,
    procedures, certificates …): on PostgreSQL a row and a statement trigger calling ``function`` (a trigger
    function created by an earlier migration, raising ``insufficient_privilege``); on SQLite two triggers that abort.
    The trigger names are ``<table>_append_only`` / ``<table>_no_truncate`` (PostgreSQL) and ``<table>_no_update`` /
    ``<table>_no_delete`` (SQLite)."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, function: str) -> None:
        self.model_name = model_name
        self.function = function

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__name__, [], {"model_name": self.model_name, "function": self.function})

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def describe(self) -> str:
        return f"Append-only triggers for {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"append_only_{self.model_name.lower()}"

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        table = state_table(app_label, self.model_name, to_state)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {_q(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {self.function}()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {_q(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {self.function}()"
            )
        elif schema_editor.connection.vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {_q(table)} "
                    f"BEGIN SELECT RAISE(ABORT, 'append-only: {op} refused'); END"
                )

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        table = state_table(app_label, self.model_name, from_state)
        if schema_editor.connection.vendor == "postgresql":
            for suffix in ("append_only", "no_truncate"):
                schema_editor.execute(f"DROP TRIGGER {table}_{suffix} ON {_q(table)}")
        elif schema_editor.connection.vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER {table}_no_{op}")


def state_table(app_label: str, model_name: str, state: Any) -> str:
    table: str = state.apps.get_model(app_label, model_name)._meta.db_table
    return table


class SealedOnceSet(migrations.operations.base.Operation):
    """Triggers that refuse UPDATE and DELETE of a row once ``column`` is set (and DELETE, TRUNCATE always): a record
    that is written while something is under way and never changed after it ended (e.g. a batch run). PostgreSQL: a
    trigger function ``<table>_sealed()`` raising ``insufficient_privilege`` (no grant is revoked: the application may
    change a row still under way); SQLite: triggers that abort."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, column: str) -> None:
        self.model_name = model_name
        self.column = column

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__name__, [], {"model_name": self.model_name, "column": self.column})

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def describe(self) -> str:
        return f"Seal rows of {self.model_name} once {self.column} is set"

    @property
    def migration_name_fragment(self) -> str:
        return f"sealed_{self.model_name.lower()}"

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        table = state_table(app_label, self.model_name, to_state)
        column, refused = _q(self.column), f"{table}: a row is never changed once {self.column} is set"
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE FUNCTION {table}_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF TG_OP = 'UPDATE' AND OLD.{column} IS NULL THEN RETURN NEW; END IF; "
                f"RAISE EXCEPTION '{refused}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege'; END $$",
                params=None,  # the % is PL/pgSQL's, not a placeholder
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_sealed BEFORE UPDATE OR DELETE ON {_q(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_sealed()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {_q(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_sealed()"
            )
        elif schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_sealed BEFORE UPDATE ON {_q(table)} WHEN OLD.{column} IS NOT NULL "
                f"BEGIN SELECT RAISE(ABORT, '{refused}: UPDATE refused'); END"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {_q(table)} "
                f"BEGIN SELECT RAISE(ABORT, '{refused}: DELETE refused'); END"
            )

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        table = state_table(app_label, self.model_name, from_state)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER {table}_no_truncate ON {_q(table)}")
            schema_editor.execute(f"DROP TRIGGER {table}_sealed ON {_q(table)}")
            schema_editor.execute(f"DROP FUNCTION {table}_sealed()")
        elif schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER {table}_sealed")
            schema_editor.execute(f"DROP TRIGGER {table}_no_delete")
