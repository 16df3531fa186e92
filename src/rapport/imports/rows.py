"""From (line number, cells) to checked rows, and rows to chunks: the pure half of an import.

Nothing here touches the database, so it can run in a worker process (see ``pipeline``) while the main
process writes the previous chunk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from rapport.imports.fields import FieldError, ParseOptions, as_text
from rapport.imports.registry import Entity, Field

# What rapport.core.csvexport writes for a cell starting with a formula character: read back as it was.
_NEUTRALISED = ("'=", "'+", "'-", "'@")


class Row(NamedTuple):
    """A row whose cells all parsed; ``values`` holds the mapped, non-empty fields.

    Tuples (and plain str, int, date values) because chunks cross from the reader process by pickle.
    """

    line: int
    cells: list[Any]
    values: dict[str, Any]
    key: str = ""  # the raw group field (an order's external id) when the entity groups rows


class Rejected(NamedTuple):
    line: int
    cells: list[Any]
    errors: dict[str, str]
    key: str = ""


@dataclass
class Chunk:
    number: int  # 1, 2, ...
    rows_before: int  # data rows consumed by the chunks before this one
    rows: list[Row] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.rows) + len(self.rejected)


@dataclass
class Plan:
    """A mapping compiled against one file's headers: which cell feeds which field, in parsing order."""

    entity: Entity
    headers: list[str]
    mapping: dict[str, str]  # header -> field name ("" = ignored)
    options: dict[str, Any]
    columns: list[tuple[int, Field]] = field(default_factory=list)
    required: list[Field] = field(default_factory=list)
    group_index: int | None = None
    parse_options: ParseOptions = field(default_factory=ParseOptions)

    @classmethod
    def build(cls, entity: Entity, headers: list[str], mapping: dict[str, str], options: dict[str, Any]) -> Plan:
        index: dict[str, int] = {}
        for position, header in enumerate(headers):
            name = mapping.get(header, "")
            if name and name not in index:
                index[name] = position
        columns = [(index[f.name], f) for f in entity.fields if f.name in index]
        columns.sort(key=lambda item: item[1].late)  # stable: declaration order, late fields last
        mapped = set(index)
        group = entity.group_field if entity.grouped(mapped) else None
        return cls(
            entity=entity, headers=headers, mapping=mapping, options=options, columns=columns,
            required=[f for f in entity.fields if f.required],
            group_index=index.get(group) if group else None,
            parse_options=ParseOptions(region=str(options.get("region") or ""),
                                       time_zone=str(options.get("time_zone") or "")),
        )

    @property
    def mapped(self) -> set[str]:
        return {f.name for _i, f in self.columns}

    def check(self, line: int, cells: list[Any]) -> Row | Rejected:
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        width = len(cells)
        for position, spec in self.columns:
            raw = cells[position] if position < width else None
            if raw is None or raw == "" or (isinstance(raw, str) and not raw.strip()):
                continue
            if isinstance(raw, str) and raw.startswith(_NEUTRALISED):
                raw = raw[1:]  # a cell our report (or a careful export) kept from running as a formula
            try:
                values[spec.name] = spec.parse(raw, values, self.parse_options)
            except FieldError as exc:
                errors[spec.name] = exc.message
        for spec in self.required:
            if spec.name not in values and spec.name not in errors:
                errors[spec.name] = _("a value is required")
        self.entity.check_row(values, errors, self.options)
        key = ""
        if self.group_index is not None and self.group_index < width:
            key = as_text(cells[self.group_index])
        if errors:
            return Rejected(line, cells, errors, key)
        self.entity.prepare(values, self.options)
        return Row(line, cells, values, key)


def chunked(plan: Plan, rows: Iterable[tuple[int, list[Any]]], *, size: int, skip: int = 0,
            first_number: int = 1) -> Iterator[Chunk]:
    """Check ``rows`` and cut them into chunks of about ``size``; the first ``skip`` rows are passed over
    unchecked (a resumed batch). A run of rows with the same group key stays in one chunk, up to 10 x size.
    """
    consumed = 0
    number = first_number
    chunk = Chunk(number=number, rows_before=skip)
    previous_key: str | None = None
    for line, cells in rows:
        if consumed < skip:
            consumed += 1
            continue
        checked = plan.check(line, cells)
        if chunk.size >= size and (
            plan.group_index is None or checked.key != previous_key or chunk.size >= size * 10
        ):
            yield chunk
            number += 1
            chunk = Chunk(number=number, rows_before=consumed)
        if isinstance(checked, Row):
            chunk.rows.append(checked)
        else:
            chunk.rejected.append(checked)
        previous_key = checked.key
        consumed += 1
    if chunk.size:
        yield chunk
