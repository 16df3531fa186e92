"""Column mapping: which header feeds which field, found by name in six languages, or given by the user.

A header matches a field when, normalised (``fields.normalise``), it equals the field's name, its label in
any of the six languages, or one of its synonyms. The mapping a source used last time wins over the
synonyms, and what the user says (``--map "Header=field"`` or the web page) wins over both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from django.utils import translation
from django.utils.translation import gettext as _

from rapport.core.errors import RapportError
from rapport.imports.fields import LANGUAGES, normalise, shown
from rapport.imports.registry import Entity


class MappingError(RapportError):
    """The mapping cannot work: an unknown field or column, or a required field with no column."""


@cache
def _index(entity_name: str, entity: Entity) -> dict[str, str]:
    index: dict[str, str] = {}
    for spec in entity.fields:  # declaration order: the first field to claim a word keeps it
        words = [spec.name, spec.name.replace("_", " "), *spec.synonyms]
        for code in LANGUAGES:
            with translation.override(code):
                words.append(str(spec.label))
        for word in words:
            key = normalise(word)
            if key:
                index.setdefault(key, spec.name)
    return index


def guess_field(entity: Entity, header: str) -> str:
    """The field ``header`` names by itself, or ""."""
    return _index(entity.name, entity).get(normalise(header), "")


def auto_map(entity: Entity, headers: Iterable[str], saved: Mapping[str, str] | None = None) -> dict[str, str]:
    """{header: field or ""} for every header; each field is fed by one column at most (the first)."""
    fields = set(entity.field_names)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    headers = list(headers)
    for header in headers:  # first the columns the source mapped last time, as they were mapped then
        name = (saved or {}).get(header, None)
        if name is not None and (name == "" or name in fields) and name not in taken:
            mapping[header] = name
            taken.add(name)
    for header in headers:
        if header in mapping:
            continue
        name = guess_field(entity, header)
        mapping[header] = name if name and name not in taken else ""
        taken.add(mapping[header])
    return mapping


def parse_map_options(values: Iterable[str]) -> dict[str, str]:
    """``["Column Header=field", "Notes=", ...]`` as {header: field}; an empty field ignores the column."""
    result: dict[str, str] = {}
    for value in values:
        header, sep, name = value.rpartition("=")
        if not sep or not header.strip():
            raise MappingError(_('--map takes "Column header=field" (got %(value)s)') % {"value": shown(value)})
        result[header.strip()] = name.strip() if name.strip() not in {"-", "_"} else ""
    return result


def apply_overrides(entity: Entity, headers: list[str], mapping: dict[str, str],
                    overrides: Mapping[str, str]) -> dict[str, str]:
    """``mapping`` with the user's choices on top; a field they assign moves away from the column it had."""
    fields = set(entity.field_names)
    by_key = {normalise(h): h for h in headers}
    result = dict(mapping)
    for header, name in overrides.items():
        actual = header if header in result else by_key.get(normalise(header))
        if actual is None:
            raise MappingError(_("the file has no column %(header)s (its columns: %(columns)s)")
                               % {"header": shown(header), "columns": ", ".join(headers)})
        if name and name not in fields:
            raise MappingError(_("%(entity)s have no field %(field)s (fields: %(fields)s)")
                               % {"entity": entity.name, "field": shown(name), "fields": ", ".join(sorted(fields))})
        if name:
            for other, current in result.items():
                if current == name:
                    result[other] = ""
        result[actual] = name
    return result


def check_mapping(entity: Entity, mapping: Mapping[str, str], options: dict[str, object]) -> None:
    fields = set(entity.field_names)
    unknown = sorted({name for name in mapping.values() if name and name not in fields})
    if unknown:
        raise MappingError(_("%(entity)s have no field %(field)s (fields: %(fields)s)")
                           % {"entity": entity.name, "field": shown(unknown[0]), "fields": ", ".join(sorted(fields))})
    used = [name for name in mapping.values() if name]
    doubled = sorted({name for name in used if used.count(name) > 1})
    if doubled:
        raise MappingError(_("two columns are mapped to the field %(field)s") % {"field": doubled[0]})
    problems = entity.check_mapping(set(used), dict(options))
    if problems:
        raise MappingError("; ".join(problems))
