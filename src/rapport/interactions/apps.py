from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "rapport.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        from rapport.customers.merging import MergeRelation, register_relation
        from rapport.customers.timeline import TimelineSource, register_source
        from rapport.interactions.models import Interaction, Note, Task

        register_source(TimelineSource(
            kind="interaction", rank=40, model=Interaction, at="occurred_at", title="t.subject", body="t.body",
            channel="t.channel", state="t.direction", actor_column="user_id",
        ))
        register_source(TimelineSource(
            kind="task", rank=20, model=Task, at="created_at", title="t.title", body="t.description",
            state="CASE WHEN t.done_at IS NULL THEN 'open' ELSE 'done' END", actor_column="assignee_id",
        ))
        register_source(TimelineSource(
            kind="note", rank=10, model=Note, at="created_at", title="SUBSTR(t.body, 1, 200)", body="t.body",
            actor_column="author_id",
        ))
        # A customer's history has no unique keys: every interaction, note and task moves to the survivor.
        for model in (Interaction, Note, Task):
            register_relation(MergeRelation(model=model))
