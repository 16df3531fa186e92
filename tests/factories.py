"""Small builders for test data; they go through the services like any other writer."""

from __future__ import annotations

import itertools
from typing import Any

from rapport.accounts.services import team_create, user_create
from rapport.customers.services import customer_create

_seq = itertools.count(1)


def make_team(name: str | None = None):
    return team_create(name=name or f"Team {next(_seq)}")


def make_user(role: str = "agent", team=None, **kw: Any):
    n = next(_seq)
    username, password = kw.pop("username", f"user{n}"), kw.pop("password", "pw-123456!")
    return user_create(username=username, password=password, role=role, team=team, **kw)


def make_customer(owner=None, team=None, **kw: Any):
    n = next(_seq)
    kw.setdefault("first_name", f"Ada{n}")
    kw.setdefault("last_name", "Lovelace")
    return customer_create(owner=owner, team=team if team is not None else getattr(owner, "team", None), **kw)
