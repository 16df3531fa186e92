"""The analytics vocabularies: codes are stored, labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    # The models did not converge or the data could not be scored: the previous scores stay current.
    KEPT_PREVIOUS = "kept_previous", _("Kept the previous scores")
    FAILED = "failed", _("Failed")


class Band(models.TextChoices):
    LOW = "low", pgettext_lazy("band", "Low")
    MEDIUM = "medium", pgettext_lazy("band", "Medium")
    HIGH = "high", pgettext_lazy("band", "High")


class RfmSegment(models.TextChoices):
    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL_LOYALISTS = "potential_loyalists", _("Potential loyalists")
    NEW = "new", pgettext_lazy("rfm segment", "New customers")
    PROMISING = "promising", _("Promising")
    NEED_ATTENTION = "need_attention", _("Need attention")
    ABOUT_TO_SLEEP = "about_to_sleep", _("About to sleep")
    AT_RISK = "at_risk", pgettext_lazy("rfm segment", "At risk")
    CANT_LOSE_THEM = "cant_lose_them", _("Can't lose them")
    HIBERNATING = "hibernating", _("Hibernating")


class ValueSegment(models.TextChoices):
    """Actual value (margin so far), potential value (predicted lifetime value) and the appetite for service."""

    HIGH_VALUE_HIGH_SERVICE = "high_value_high_service", _("High value, wants high service")
    HIGH_VALUE_LOW_SERVICE = "high_value_low_service", _("High value, content with low service")
    LOW_VALUE_POTENTIAL = "low_value_potential", _("Low value, with potential")
    LOW_VALUE_HIGH_SERVICE = "low_value_high_service", _("Low value, wants high service")
    # The rest of the low-value half: served at the lowest cost.
    LOW_VALUE_LOW_SERVICE = "low_value_low_service", _("Low value, low service")


class Programme(models.TextChoices):
    """What the business does for each cell of the risk x value matrix."""

    PERSONAL_CALL = "personal_call", _("Personal call by the account manager within 48 hours")
    ACCOUNT_REVIEW = "account_review", _("Account review this week")
    VIP_CARE = "vip_care", _("VIP care and recognition")
    RETENTION_OFFER = "retention_offer", _("Retention offer")
    NURTURE = "nurture", _("Nurture with relevant offers")
    CROSS_SELL = "cross_sell", _("Cross-sell and upgrade")
    WIN_BACK = "win_back", _("Automated win-back campaign")
    REMINDER = "reminder", _("Automated reminder")
    STANDARD = "standard", _("Standard communication")


class Loyalty(models.TextChoices):
    ACTIVE = "active", _("Active loyalty (buying)")
    PASSIVE = "passive", _("Passive loyalty (still a customer, not buying)")
    NONE = "none", _("No loyalty")


class Cause(models.TextChoices):
    """The causes of defection a business recognises; every churn reason maps onto one."""

    DRIFTING_AWAY = "drifting_away", _("Drifting away without an incentive")
    UNRESOLVED_COMPLAINTS = "unresolved_complaints", _("Complaints left unresolved")
    REPEATED_COMPLAINTS = "repeated_complaints", _("Repeated complaints")
    BAD_EXPERIENCES = "bad_experiences", _("A run of bad experiences")
    PRICE_DRIVEN = "price_driven", _("A better offer elsewhere (spend dropping)")
    MOVED_AWAY = "moved_away", _("Life changes (moved away)")
    COMMUNICATION_FAILURES = "communication_failures", _("Communication failures")
    NEW_CUSTOMER_NOT_RETURNING = "new_customer_not_returning", _("A first-time buyer who has not come back")
