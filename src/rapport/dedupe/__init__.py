"""Likely duplicate customers: probabilistic record linkage (Splink on DuckDB) and the review queue."""
