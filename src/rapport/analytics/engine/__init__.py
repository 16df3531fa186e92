"""The analytics engine: pure Python, NumPy, SciPy, DuckDB and LightGBM. It imports neither Django nor any other
part of Rapport, so it is tested, benchmarked and reused without settings."""
