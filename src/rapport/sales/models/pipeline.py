from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core.models import TimeStampedModel
from rapport.sales.choices import StageKind


class Pipeline(TimeStampedModel):
    """A sales process: an ordered set of stages an opportunity moves through."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        constraints = [
            # At most one default pipeline: new opportunities without a pipeline land there.
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                    name="pipeline_one_default"),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.CASCADE, related_name="stages", verbose_name=_("pipeline"), db_index=False,
    )
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("default probability"), default=0, validators=[MaxValueValidator(100)],
        help_text=_("Per cent; a new or moved opportunity takes this probability."),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=StageKind.choices, default=StageKind.OPEN)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="stage_probability_max_100"),
        ]
        indexes = [models.Index(fields=["pipeline", "position"], name="stage_pipeline_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.kind != StageKind.OPEN
