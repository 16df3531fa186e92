"""Loaded by pytest before Django (``-p tests.env`` in pyproject): the suite always runs in test mode."""

import os

os.environ["RAPPORT_MODE"] = "test"
