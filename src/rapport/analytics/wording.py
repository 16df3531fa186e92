"""The churn reasons as sentences a person reads, in their language.

A stored reason (``CustomerScore.reasons``) names a sentence template and its parameters, already formatted as
strings (see ``engine.reasons.wording``); the sentences are translated here, at read time, so that a French
reader and a Hebrew reader each see their own. Stored reasons outlive the code that wrote them: a template this
module does not know, or a parameter missing, falls back to the cause's label; nothing here raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rapport.analytics.choices import Cause

# Relationship and order features a reason may quote by name (``bad_experiences.plain``,
# ``communication_failures``); the engine sends them with spaces for underscores. Others are shown as sent.
FEATURE_LABELS: dict[str, Any] = {
    "inbound contacts": gettext_lazy("contacts from the customer"),
    "inbound 90d": gettext_lazy("contacts from the customer in 90 days"),
    "outbound 90d": gettext_lazy("contacts made by us in 90 days"),
    "days since contact": gettext_lazy("days since the last contact"),
    "self service share": gettext_lazy("share of self-service contacts"),
    "service contacts": gettext_lazy("service contacts"),
    "satisfaction mean": gettext_lazy("average satisfaction"),
    "returns count": gettext_lazy("returns"),
    "returns share": gettext_lazy("share returned"),
    "bounced contacts": gettext_lazy("bounced messages"),
    "unreachable": gettext_lazy("unreachable"),
    "unanswered contacts": gettext_lazy("unanswered contacts"),
}


def _count(text: str) -> int:
    """The number in a formatted count ("3", "1,204"), for choosing the plural form; 2 when there is none."""
    digits = re.sub(r"\D", "", text.split(".")[0])
    return int(digits[:12]) if digits else 2


def _feature(params: Mapping[str, str]) -> dict[str, str]:
    name = str(params["feature"]).strip()
    if not name:
        raise KeyError("feature")
    return {"feature": str(FEATURE_LABELS.get(name.lower(), name)), "value": str(params["value"])}


# Each template id: a function of the (string) parameters to the translated sentence. A missing parameter raises
# KeyError, which ``reason_sentence`` turns into the cause's label.
_SENTENCES: dict[str, Callable[[Mapping[str, str]], str]] = {
    "drifting_away.plain": lambda p: _("No purchase for %(days)s days.") % {"days": p["days"]},
    "drifting_away.overdue": lambda p: _(
        "No purchase for %(days)s days, about %(times)s times the usual gap of %(gap)s days."
    ) % {"days": p["days"], "times": p["times"], "gap": p["gap"]},
    "drifting_away.rhythm": lambda p: _("No purchase for %(days)s days; usually buys every %(gap)s days.") % {
        "days": p["days"], "gap": p["gap"],
    },
    "new_customer_not_returning": lambda p: _("Bought once, %(days)s days ago, and has not come back.") % {
        "days": p["days"],
    },
    "unresolved_complaints": lambda p: ngettext(
        "%(count)s unresolved complaint.", "%(count)s unresolved complaints.", _count(p["count"])
    ) % {"count": p["count"]},
    "repeated_complaints": lambda p: ngettext(
        "%(count)s complaint so far.", "%(count)s complaints so far.", _count(p["count"])
    ) % {"count": p["count"]},
    "bad_experiences.satisfaction": lambda p: _("Low satisfaction: %(value)s on average.") % {"value": p["value"]},
    "bad_experiences.returns": lambda p: ngettext(
        "%(count)s return, %(share)s%% of what they bought.", "%(count)s returns, %(share)s%% of what they bought.",
        _count(p["count"]),
    ) % {"count": p["count"], "share": p["share"]},
    "bad_experiences.plain": lambda p: _("Poor experiences with us (%(feature)s: %(value)s).") % _feature(p),
    "price_driven.basket": lambda p: _("Recent orders %(percent)s%% smaller than usual.") % {"percent": p["percent"]},
    "price_driven.competitor": lambda p: _("Has had an offer from a competitor."),
    "price_driven.spend": lambda p: _(
        "Spending down %(percent)s%% in the last %(window)s days against the %(window)s days before."
    ) % {"percent": p["percent"], "window": p["window"]},
    "price_driven.plain": lambda p: _("Spending less than before."),
    "moved_away": lambda p: _("Has moved away or had a change in circumstances."),
    "communication_failures": lambda p: _("Hard to reach (%(feature)s: %(value)s).") % _feature(p),
}


def cause_label(code: Any) -> str:
    """The translated label of a cause code; an unknown code is shown as it is stored."""
    if not isinstance(code, str) or not code:
        return _("Another reason")
    return str(dict(Cause.choices).get(code, code))


def reason_sentence(reason: Any) -> str:
    """The sentence for one stored reason ``{"code", "weight", "template", "params"}``, translated.

    Falls back to the cause's label when the template is unknown, a parameter is missing or the row is not
    the expected shape (an old run's data): the page shows something true and never fails.
    """
    if not isinstance(reason, Mapping):
        return _("Another reason")
    params = reason.get("params")
    if not isinstance(params, Mapping):
        params = {}
    sentence = _SENTENCES.get(str(reason.get("template") or ""))
    if sentence is not None:
        try:
            return sentence({str(k): str(v) for k, v in params.items()})
        except (KeyError, TypeError, ValueError):
            pass
    return cause_label(reason.get("code"))


def reason_sentences(reasons: Any) -> list[str]:
    """The sentences of a stored reasons list, in order (anything that is not a list gives none)."""
    if not isinstance(reasons, list):
        return []
    return [reason_sentence(r) for r in reasons]
