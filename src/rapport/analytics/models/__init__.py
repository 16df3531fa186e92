from rapport.analytics.models.runs import HoldoutCheck, ScoreRun
from rapport.analytics.models.scores import CustomerScore

__all__ = ["CustomerScore", "HoldoutCheck", "ScoreRun"]
