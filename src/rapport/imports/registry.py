"""The entity registry: one import framework, many entities.

An entity declares its fields (name, label, parser, required, header synonyms), how rows are identified, and
how a chunk of checked rows is written (:meth:`Entity.write`). Everything else (reading the file, mapping
headers, checking cells, chunks, batches, reports, rollback, resume) is shared. Entities are declared in
``rapport.imports.entities`` (domain apps sit below this app in the layers and cannot import it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from rapport.imports.fields import Parser, text

if TYPE_CHECKING:
    from rapport.imports.rows import Row
    from rapport.imports.writes import ChunkContext


@dataclass(frozen=True)
class Field:
    name: str
    label: str | Promise
    parse: Parser = field(default_factory=lambda: text(200))
    required: bool = False
    # Headers that map to this field by themselves, in any of the six languages (compared normalised:
    # case, spaces, punctuation and diacritics do not matter). The name and the label count too.
    synonyms: tuple[str, ...] = ()
    help: str | Promise = ""
    # Parsed after the other fields, because it reads them (the phone reads the row's country).
    late: bool = False
    # Part of a repeated record (an order's line): see Entity.group_field.
    line: bool = False


class Entity:
    """Subclass, declare ``name``, ``label``, ``fields`` and ``tables``, implement ``write``, and register."""

    name: str = ""
    label: str | Promise = ""
    fields: tuple[Field, ...] = ()
    # The tables a chunk appends to or changes, parents first: locked for the chunk on PostgreSQL, and
    # their created rows removed children first on rollback.
    tables: tuple[type[models.Model], ...] = ()
    # What identifies a record, said for people (shown by `rapport import --fields` and the web page).
    identity: str | Promise = ""
    # When set, consecutive rows with the same value of this field form one record (an order and its
    # lines) and are never split between chunks.
    group_field: str | None = None

    def field(self, name: str) -> Field:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def check_mapping(self, mapped: set[str], options: dict[str, Any]) -> list[str]:
        """Problems with the mapping as a whole (before any row is read): a missing required column."""
        missing = [f.name for f in self.fields if f.required and f.name not in mapped]
        return [_("no column is mapped to the required field %(field)s") % {"field": name} for name in missing]

    def grouped(self, mapped: set[str]) -> bool:
        """Whether rows are grouped by ``group_field`` with this mapping (orders: only when lines are given)."""
        return self.group_field is not None

    def check_row(self, values: dict[str, Any], errors: dict[str, str], options: dict[str, Any]) -> None:
        """Rules across fields of one row, with no database; add to ``errors`` (field -> reason)."""

    def prepare(self, values: dict[str, Any], options: dict[str, Any]) -> None:
        """Work on a good row that needs no database, done in the reader process (e.g. a new record's columns).

        Whatever it adds to ``values`` goes under a key starting with "_".
        """

    def write(self, rows: Sequence[Row], ctx: ChunkContext) -> None:
        """Match, compare and write one chunk's checked rows; report each row through ``ctx``."""
        raise NotImplementedError


_REGISTRY: dict[str, Entity] = {}


def register(entity: Entity | type[Entity]) -> Entity:
    instance = entity() if isinstance(entity, type) else entity
    if not instance.name or instance.name in _REGISTRY:
        raise ValueError(f"import entity {instance.name!r} is unnamed or registered twice")
    _REGISTRY[instance.name] = instance
    return instance


def _load() -> None:
    if not _REGISTRY:
        import rapport.imports.entities  # noqa: F401  (registers the built-in entities)


def entities() -> list[Entity]:
    _load()
    return list(_REGISTRY.values())


def get(name: str) -> Entity:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(name) from None


def entity_names() -> list[str]:
    return [e.name for e in entities()]
