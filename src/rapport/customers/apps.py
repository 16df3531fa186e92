from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "rapport.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from django.core import checks

        from rapport.customers.merging import (
            Conflict,
            MergeRelation,
            check_relations_registered,
            register_relation,
        )
        from rapport.customers.models import (
            Address,
            Consent,
            Contact,
            ContactPoint,
            Customer,
            CustomerMerge,
            ExternalIdentifier,
            LifecycleChange,
        )
        from rapport.customers.timeline import TimelineSource, register_source

        # How each of the customers app's own rows follows a merge (other domains register theirs).
        # One e-mail or phone per customer: the survivor's stays; the discarded one's become secondary.
        register_relation(MergeRelation(
            model=ContactPoint, conflict=Conflict.KEEP_SURVIVOR, unique_on=("kind", "normalized"),
            primary_flag="is_primary", primary_per=("kind",),
        ))
        register_relation(MergeRelation(model=Address, primary_flag="is_primary"))
        # Unique per (source, external_id) across customers, so two customers' ids never clash: all move, and
        # imports that name the discarded customer's ids find the survivor.
        register_relation(MergeRelation(model=ExternalIdentifier))
        # One consent per channel: the most recently recorded one is the customer's current word.
        register_relation(MergeRelation(
            model=Consent, conflict=Conflict.KEEP_LATEST, unique_on=("channel",), latest_by="recorded_at",
        ))
        register_relation(MergeRelation(model=Contact, field="organisation", primary_flag="is_primary"))
        register_relation(MergeRelation(model=LifecycleChange))
        register_relation(MergeRelation(
            model=Customer.tags.through, conflict=Conflict.KEEP_SURVIVOR, unique_on=("tag",),
        ))
        checks.register(check_relations_registered, checks.Tags.models)

        # "Merged with X" on the survivor's timeline: the title is the discarded customer's name.
        register_source(TimelineSource(
            kind="merge", rank=50, model=CustomerMerge, at="merged_at", title="t.discarded_name", body="t.reason",
            state="CASE WHEN t.undone_at IS NULL THEN NULL ELSE 'undone' END", actor_column="merged_by_id",
            customer_column="survivor_id", label=_("Merges"),
        ))
