"""Normal forms of e-mails and phones, used for matching and search (never shown to a user)."""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D+")


def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_phone(value: str) -> str:
    """Digits only, keeping a leading + so international numbers stay distinct from local ones."""
    value = value.strip()
    digits = _NON_DIGITS.sub("", value)
    if value.startswith("+") or value.startswith("00"):
        return "+" + digits.removeprefix("00") if value.startswith("00") else "+" + digits
    return digits
