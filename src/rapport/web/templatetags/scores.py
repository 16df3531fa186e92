"""Template filters for the analytics pages: shares as percentages in the reader's locale, heatmap shading."""

from __future__ import annotations

import math
from typing import Any

from babel.numbers import format_decimal, format_percent
from django import template

from rapport.web.templatetags.rapport import babel_locale

register = template.Library()


def _share(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


@register.filter
def percent(value: Any, digits: int = 0) -> str:
    """``{{ 0.724|percent }}``: "72%", "72 %", "‎72%‎" as the reader's locale writes it; empty for no number."""
    share = _share(value)
    if share is None:
        return ""
    pattern = "#,##0%" if not digits else "#,##0." + "0" * max(0, min(int(digits), 4)) + "%"
    return format_percent(share, format=pattern, locale=babel_locale())


@register.filter
def decimal(value: Any, digits: int = 2) -> str:
    """A measure (an AUC, a lift, an average) with a fixed number of decimals in the reader's locale."""
    number = _share(value)
    if number is None:
        return "—"
    digits = max(0, min(int(digits), 4))
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(number, format=pattern, locale=babel_locale())


@register.filter
def heat(share: Any) -> str:
    """A heatmap cell's shade, 0 to 1, as a CSS number (``style="--heat: {{ s|heat }}"``); dot decimal always."""
    number = _share(share)
    if number is None:
        return "0"
    return f"{min(max(number, 0.0), 1.0):.3f}"
