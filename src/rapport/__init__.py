"""Rapport: a self-hosted, retention-first CRM."""

__version__ = "0.1.0"
