"""Scale tiers and the timing harness behind ``make bench`` (see benchmarks/run.py)."""
