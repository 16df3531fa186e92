"""Likely duplicate customers: probabilistic record linkage (Splink on DuckDB) and the review queue."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupeConfig(AppConfig):
    name = "rapport.dedupe"
    label = "dedupe"
    verbose_name = _("Duplicates")

    def ready(self) -> None:
        from rapport.customers.merging import Conflict, MergeRelation, register_relation
        from rapport.dedupe.models import DuplicatePair

        # A pair naming the discarded customer means nothing once it is merged away: the merge deletes it (and
        # keeps it in the merge record, so an undo brings it back). The pair that was merged goes the same way.
        register_relation(MergeRelation(model=DuplicatePair, field="customer_a", conflict=Conflict.DELETE))
        register_relation(MergeRelation(model=DuplicatePair, field="customer_b", conflict=Conflict.DELETE))
