"""Bringing data in: one import framework for every entity (files, mapping, validation, batches, reports)."""
