"""Request body parsers: DRF's JSON parser, made to refuse what it would otherwise let through to a 500.

- JSON nested deeper than Python's parser can follow raises ``RecursionError``, which DRF does not catch.
- ``"\\ud800"`` is valid JSON but not valid Unicode: such a string cannot be stored (PostgreSQL refuses it)
  nor echoed back in an error message (UTF-8 cannot encode it). Both answer 400 here.
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _has_lone_surrogate(data: Any) -> bool:
    stack = [data]
    while stack:  # iterative: the document may be as deep as the parser allowed
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
        if _has_lone_surrogate(data):
            raise ParseError("JSON parse error - a string holds an unpaired surrogate (\\ud800-\\udfff).")
        return data
