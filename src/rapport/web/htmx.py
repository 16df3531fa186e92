"""HTMX helpers: a view answers a whole page to a browser and only the changed part to an HTMX request."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse


def htmx_partial(request: HttpRequest) -> bool:
    """True when the request came from HTMX and is not a boosted full-page navigation."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def with_toast(response: HttpResponse, message: str, level: str = "success") -> HttpResponse:
    """Ask the page to show ``message`` as a toast (base.html listens for the ``toast`` event)."""
    triggers: dict[str, Any] = {}
    if response.get("HX-Trigger"):
        try:
            triggers = json.loads(response["HX-Trigger"])
        except ValueError:
            triggers = {}
    triggers["toast"] = {"message": str(message), "level": level}
    response["HX-Trigger"] = json.dumps(triggers)
    return response


def htmx_refusal(message: str, status: int = 400) -> HttpResponse:
    """An HTMX answer that changes nothing on the page; app.js shows ``message`` as an error toast."""
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    # Headers are Latin-1: the message travels percent-encoded and app.js decodes it.
    response["X-Rapport-Message"] = quote(str(message))
    return response
