"""Analytics at scale: the end-to-end scoring run, its read-out-and-summarise step against DuckDB on the same
data, and the BG/NBD fit against the archived ``lifetimes`` package on the same summary.

Called by ``benchmarks.run`` on the tier's database (Django set up). Targets (a benchmark, not a test): the
whole run under 60 s at tier L; read out + summarise within 3x of DuckDB summarising the same orders held in
its own table; the BG/NBD fit at least as fast as ``lifetimes`` with the same estimates (four significant
figures). ``lifetimes`` (archived; it needs an older pandas) is installed on first use into its own virtual
environment under ``var/bench/lifetimes-venv``; if that fails, the comparison says why and is skipped.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LIFETIMES_VENV = ROOT / "var" / "bench" / "lifetimes-venv"
REPEATS = 3

_CHILD = r"""
import json, sys, time
import numpy as np
from lifetimes import BetaGeoFitter
from lifetimes.datasets import load_cdnow_summary
from lifetimes.utils import ConvergenceError
data = np.load(sys.argv[1])
began = time.perf_counter()
starts = []
# lifetimes starts at 0.1 for every log-parameter; when its optimiser stops short there (it says "did not
# converge"), a user tries another start: the time counts both tries.
for start in (None, np.zeros(4)):
    starts.append("default" if start is None else "all parameters 1")
    try:
        fitted = BetaGeoFitter().fit(data["x"], data["t_x"], data["T"], initial_params=start)
        break
    except ConvergenceError:
        fitted = None
seconds = time.perf_counter() - began
if fitted is None:
    raise SystemExit("lifetimes did not converge from either start")
cdnow = load_cdnow_summary(index_col=[0])
reference = BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
print(json.dumps({
    "seconds": seconds, "params": {k: float(v) for k, v in fitted.params_.items()}, "starts": starts,
    "cdnow": {"x": cdnow["frequency"].tolist(), "t_x": cdnow["recency"].tolist(), "T": cdnow["T"].tolist(),
              "params": {k: float(v) for k, v in reference.params_.items()}},
}))
"""


def _lifetimes_python() -> Path | None:
    python = LIFETIMES_VENV / "bin" / "python"
    if python.exists():
        return python
    try:
        subprocess.run([sys.executable, "-m", "venv", str(LIFETIMES_VENV)], check=True, capture_output=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "lifetimes"], check=True,
                       capture_output=True, timeout=600)
    except (subprocess.SubprocessError, OSError):
        return None
    return python


def _same(ours: dict[str, float], theirs: dict[str, float], digits: int = 4) -> bool:
    return all(float(f"{ours[k]:.{digits}g}") == float(f"{theirs[k]:.{digits}g}") for k in ("r", "alpha", "a", "b"))


def compare_with_lifetimes(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> dict[str, Any]:
    from rapport.analytics.engine import bgnbd

    python = _lifetimes_python()
    if python is None:
        return {"skipped": "lifetimes could not be installed into var/bench/lifetimes-venv"}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "summary.npz"
        np.savez(path, x=x, t_x=t_x, T=big_t)
        done = subprocess.run([str(python), "-c", _CHILD, str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"skipped": f"lifetimes failed: {done.stderr.strip()[-500:]}"}
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    began = time.perf_counter()
    ours = bgnbd.fit(x, t_x, big_t)
    seconds = time.perf_counter() - began
    cdnow = theirs["cdnow"]
    ours_cdnow = bgnbd.fit(np.array(cdnow["x"], float), np.array(cdnow["t_x"], float), np.array(cdnow["T"], float))
    return {
        "customers": len(x),
        "ours_seconds": round(seconds, 3), "lifetimes_seconds": round(theirs["seconds"], 3),
        "speedup": round(theirs["seconds"] / seconds, 1) if seconds else None,
        "ours": ours.params, "lifetimes": theirs["params"], "lifetimes_starts": theirs["starts"],
        "same_4_significant": _same(ours.params, theirs["params"]),
        "cdnow": {"ours": ours_cdnow.params, "lifetimes": cdnow["params"],
                  "same_4_significant": _same(ours_cdnow.params, cdnow["params"])},
        "ok": seconds <= theirs["seconds"] and _same(ours.params, theirs["params"]),
    }


def readout_against_duckdb(as_of: Any, period_days: int, trend_days: int, parts: int) -> dict[str, Any]:
    """The product's read-out (ADBC) + summary against DuckDB summarising the same rows from its own table.

    The read-out runs as the product's run does it, in ``parts`` slices at once; DuckDB uses every core."""
    import duckdb

    from rapport.analytics import readout
    from rapport.analytics.engine.summary import summarise, summary_sql, to_day

    reads, products = [], []
    for _ in range(REPEATS):  # the median of three: the first read-out after other work reads pages from disk
        began = time.perf_counter()
        orders = readout.orders(as_of, parts=parts)
        reads.append(time.perf_counter() - began)
        summary = summarise(orders, as_of, period_days=period_days, trend_days=trend_days)
        products.append(time.perf_counter() - began)
    read, product = float(np.median(reads)), float(np.median(products))
    con = duckdb.connect()
    try:
        # The same rows in DuckDB's own storage, loaded before the clock starts.
        con.register("arrow_orders", orders)
        con.execute("CREATE TABLE orders AS SELECT * FROM arrow_orders")
        con.unregister("arrow_orders")
        sql = summary_sql(orders.schema, [to_day(as_of)], trend_days)
        anchors = []
        for _ in range(REPEATS):
            began = time.perf_counter()
            con.execute(sql).fetchnumpy()
            anchors.append(time.perf_counter() - began)
        anchor = float(np.median(anchors))
    finally:
        con.close()
    return {
        "orders": int(orders.num_rows), "customers": len(summary.customer_id), "parts": parts,
        "read_out_seconds": round(read, 3), "read_and_summarise_seconds": round(product, 3),
        "duckdb_seconds": round(anchor, 3), "samples": {
            "read_out": [round(x, 3) for x in reads], "read_and_summarise": [round(x, 3) for x in products],
            "duckdb": [round(x, 3) for x in anchors]},
        "ratio": round(product / anchor, 2) if anchor else None,
        "ok": bool(anchor) and product <= 3 * anchor,
        "summary": summary,
    }


def _timed_run(as_of: Any) -> dict[str, Any]:
    from rapport.analytics.services import analytics_run

    began = time.perf_counter()
    run = analytics_run(as_of=as_of)
    seconds = time.perf_counter() - began
    return {"as_of": as_of.isoformat(), "seconds": round(seconds, 1), "status": run.status,
            "customers": run.customers, "orders": run.orders, "lifecycle_changes": run.lifecycle_changes,
            "steps": run.timings, "target_seconds": 60, "ok": seconds < 60, "notes": run.notes}


def measure_analytics(compare: bool = True) -> dict[str, Any]:
    """Two runs, as the product runs them: yesterday's, then tonight's on top of it.

    On a freshly seeded tier the first run moves a third of the customers to another lifecycle stage (the seed's
    stages are not the scores'), as the first run after an import would; the second is the nightly run of a
    database that was scored the night before, which moves only the customers whose day changed something.
    """
    from datetime import timedelta

    from django.utils import timezone

    from rapport.analytics.services import options_for

    as_of = timezone.localdate()
    options = options_for(as_of)
    step = readout_against_duckdb(as_of, options.period_days, options.churn_window_days, options.threads)
    summary = step.pop("summary")
    first = _timed_run(as_of - timedelta(days=1))
    nightly = _timed_run(as_of)
    fit = (compare_with_lifetimes(summary.frequency.astype(float), summary.recency, summary.T) if compare
           else {"skipped": "not at this tier"})
    return {
        "run": nightly,
        "run_day_before": first,
        "read_out_and_summarise": step,
        "bgnbd_vs_lifetimes": fit,
    }
