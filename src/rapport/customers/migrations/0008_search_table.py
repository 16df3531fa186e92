"""PostgreSQL: the trigram index moves off the customer row into customers_customer_search (decision 0007).

A GIN index on the customer table is written again, one entry per trigram, for every new version of a row,
even when its document did not change: a lifecycle move of a third of a million customers spent about half
its time there. The copy is kept by triggers, the way SQLite's FTS5 table is: a statement trigger for
inserts (one INSERT ... SELECT even for a COPY of a million rows), a row trigger only when the document
itself changes, statement triggers for deletes and TRUNCATE. They fire ALWAYS, also under
``session_replication_role = replica``, which the bulk loader sets to skip the foreign-key checks.
SQLite keeps its FTS5 table; nothing changes there.
"""

from django.db import migrations, models

TABLE = "customers_customer_search"
TRIGGERS = ("customer_search_ai", "customer_search_au", "customer_search_ad", "customer_search_at")

PG_UP = [
    f"CREATE TABLE {TABLE} (id bigint PRIMARY KEY, document text NOT NULL DEFAULT '')",
    f"INSERT INTO {TABLE} (id, document) SELECT id, search_document FROM customers_customer",
    f"CREATE INDEX customer_search_document_trgm_idx ON {TABLE} USING gin (document gin_trgm_ops)",
    "DROP INDEX IF EXISTS customer_search_trgm_idx",
    "CREATE FUNCTION customer_search_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"INSERT INTO {TABLE} (id, document) SELECT id, search_document FROM added; RETURN NULL; END $$",
    "CREATE TRIGGER customer_search_ai AFTER INSERT ON customers_customer REFERENCING NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION customer_search_added()",
    "CREATE FUNCTION customer_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"UPDATE {TABLE} SET document = NEW.search_document WHERE id = NEW.id; RETURN NULL; END $$",
    "CREATE TRIGGER customer_search_au AFTER UPDATE OF search_document ON customers_customer FOR EACH ROW "
    "WHEN (OLD.search_document IS DISTINCT FROM NEW.search_document) EXECUTE FUNCTION customer_search_changed()",
    "CREATE FUNCTION customer_search_removed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"DELETE FROM {TABLE} s USING removed r WHERE s.id = r.id; RETURN NULL; END $$",
    "CREATE TRIGGER customer_search_ad AFTER DELETE ON customers_customer REFERENCING OLD TABLE AS removed "
    "FOR EACH STATEMENT EXECUTE FUNCTION customer_search_removed()",
    "CREATE FUNCTION customer_search_emptied() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"TRUNCATE {TABLE}; RETURN NULL; END $$",
    "CREATE TRIGGER customer_search_at AFTER TRUNCATE ON customers_customer "
    "FOR EACH STATEMENT EXECUTE FUNCTION customer_search_emptied()",
    *(f"ALTER TABLE customers_customer ENABLE ALWAYS TRIGGER {name}" for name in TRIGGERS),
    f"ANALYZE {TABLE}",
]
PG_DOWN = [
    *(f"DROP TRIGGER IF EXISTS {name} ON customers_customer" for name in TRIGGERS),
    *(f"DROP FUNCTION IF EXISTS customer_search_{what}()" for what in ("added", "changed", "removed", "emptied")),
    f"DROP TABLE IF EXISTS {TABLE}",
    "CREATE INDEX IF NOT EXISTS customer_search_trgm_idx ON customers_customer "
    "USING gin (search_document gin_trgm_ops)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0007_redundant_fk_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='CustomerSearch',
            fields=[
                ('id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('document', models.TextField()),
            ],
            options={
                'db_table': 'customers_customer_search',
                'managed': False,
            },
        ),
        migrations.RunPython(_run(PG_UP), _run(PG_DOWN)),
    ]
