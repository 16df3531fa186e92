"""Migration operations the schema editors do not do well on their own."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def fk_index_dropped(app_label: str, alter: migrations.AlterField) -> migrations.SeparateDatabaseAndState:
    """``alter`` (a foreign key's ``db_index`` turned off) as a plain ``DROP INDEX`` of the key's own index.

    The key stays; only its single-column index goes, because a composite index already leads with the
    column. Left to itself, SQLite's schema editor copies the whole table to drop an index, which is minutes
    for ten million orders; the index's name is the one Django gave it, so it can be dropped by name.
    """
    model_name, field_name = alter.model_name, alter.name

    def index(apps: Any, schema_editor: Any) -> tuple[Any, Any, str]:
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(field_name)
        return model, field, schema_editor._create_index_name(model._meta.db_table, [field.column])

    def forward(apps: Any, schema_editor: Any) -> None:
        _model, _field, name = index(apps, schema_editor)
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    def backward(apps: Any, schema_editor: Any) -> None:
        model, field, _name = index(apps, schema_editor)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    return migrations.SeparateDatabaseAndState(
        state_operations=[alter], database_operations=[migrations.RunPython(forward, backward)],
    )
