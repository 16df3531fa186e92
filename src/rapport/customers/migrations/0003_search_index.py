"""The search index over Customer.search_document (docs/decisions/0007): FTS5 trigram or pg_trgm GIN."""

from django.db import migrations

FTS = "customers_customer_fts"

# Existing rows get their document from the primary contacts and the identifiers, in one statement.
SQLITE_BACKFILL = (
    "UPDATE customers_customer SET search_document = lower(trim(display_name || ' ' || primary_email || ' ' "
    "|| replace(primary_phone, '+', '') || ' ' || coalesce((SELECT group_concat(external_id, ' ') "
    "FROM customers_externalidentifier i WHERE i.customer_id = customers_customer.id), '')))"
)
PG_BACKFILL = (
    "UPDATE customers_customer SET search_document = lower(trim(display_name || ' ' || primary_email || ' ' "
    "|| replace(primary_phone, '+', '') || ' ' || coalesce((SELECT string_agg(external_id, ' ') "
    "FROM customers_externalidentifier i WHERE i.customer_id = customers_customer.id), '')))"
)

SQLITE_UP = [
    SQLITE_BACKFILL,
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(search_document, content='customers_customer', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER {FTS}_ai AFTER INSERT ON customers_customer BEGIN "
    f"INSERT INTO {FTS}(rowid, search_document) VALUES (new.id, new.search_document); END",
    f"CREATE TRIGGER {FTS}_ad AFTER DELETE ON customers_customer BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, search_document) VALUES ('delete', old.id, old.search_document); END",
    f"CREATE TRIGGER {FTS}_au AFTER UPDATE OF search_document ON customers_customer BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, search_document) VALUES ('delete', old.id, old.search_document); "
    f"INSERT INTO {FTS}(rowid, search_document) VALUES (new.id, new.search_document); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {FTS}_{t}" for t in ("ai", "ad", "au")] + [f"DROP TABLE IF EXISTS {FTS}"]

PG_UP = [
    PG_BACKFILL,
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS customer_search_trgm_idx ON customers_customer "
    "USING gin (search_document gin_trgm_ops)",
]
PG_DOWN = ["DROP INDEX IF EXISTS customer_search_trgm_idx"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_workspace")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}), _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN})
        ),
    ]
