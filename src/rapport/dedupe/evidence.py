"""The engine's evidence codes in words a person reads next to a pair of customers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from rapport.dedupe.scoring import HOUSEHOLD_LEVEL, Evidence

TEXTS = {
    "name_exact": _("Same name"),
    "name_swapped": _("Same name with first and last name swapped"),
    "name_sounds_alike": _("Names sound alike (another spelling or script)"),
    "name_typo": _("Names differ by a typo"),
    "name_surname_only": _("Same surname, different first name"),
    "name_first_name_only": _("Same first name, different surname"),
    "name_different": _("Different names"),
    "email_exact": _("Same e-mail address"),
    "email_shared": _("An e-mail address in common (ignoring case, dots or a +tag)"),
    "email_same_name": _("Same e-mail name at another provider"),
    "email_close": _("Nearly the same e-mail address"),
    "email_different": _("Different e-mail addresses"),
    "phone_exact": _("Same phone number"),
    "phone_shared": _("A phone number in common"),
    "phone_same_local": _("Same phone number apart from the country code"),
    "phone_typo": _("Phone numbers differ by one digit"),
    "phone_different": _("Different phone numbers"),
    "dob_exact": _("Same birth date"),
    "dob_day_month_swapped": _("Same birth date with day and month swapped"),
    "dob_typo": _("Birth dates differ by one digit"),
    "dob_different": _("Different birth dates"),
    "address_same": _("Same address"),
    "address_same_postcode": _("Same postal code"),
    "address_same_city": _("Same city"),
    "address_different": _("Different places"),
    HOUSEHOLD_LEVEL: _("Different first names sharing an address or phone: likely members of one household"),
}


def describe(evidence: Iterable[Evidence | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Evidence items as dicts with ``text`` (translated in the active language): a rule first, then the
    strongest for or against."""
    items = [e.as_dict() if isinstance(e, Evidence) else dict(e) for e in evidence]
    for item in items:
        item["text"] = str(TEXTS.get(item.get("level", ""), item.get("level", "")))
    return sorted(items, key=lambda item: (item.get("comparison") != "rule", -abs(float(item.get("weight") or 0))))
