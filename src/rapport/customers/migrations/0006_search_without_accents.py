"""Search documents gain the accent-free forms of their words (customers.search.document_text).

Only rows with a character outside printable ASCII can change; they are read in id order, a chunk at a time,
and rewritten only when their document differs. The search index follows through its triggers (SQLite) or
its GIN index (PostgreSQL).
"""

from django.db import migrations

CHUNK = 5000


def backfill(apps, schema_editor):
    from rapport.customers.search import document_text

    connection = schema_editor.connection
    non_ascii = "search_document GLOB '*[^ -~]*'" if connection.vendor == "sqlite" else "search_document ~ '[^ -~]'"
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, search_document FROM customers_customer WHERE id > %s AND {non_ascii} "  # noqa: S608
                f"ORDER BY id LIMIT {CHUNK}", [last],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            changed = [(new, pk) for pk, old in rows if (new := document_text(old.split(" "))) != old]
            if changed:
                cursor.executemany("UPDATE customers_customer SET search_document = %s WHERE id = %s", changed)


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_customermerge")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
