"""The three buy-till-you-die fits of a scoring run, inline or in a process of their own.

The fits are NumPy and SciPy in one thread for most of ten seconds at a million customers, while the rest of a
run (reading the touchpoints, training the churn model) could use the other core. In a thread of the same
process the two take turns at the GIL and gain little (measured: 18 s together against 20 s one after the
other); in a second process they run side by side. The child is a fresh interpreter running this module
(``python -m``), not a ``multiprocessing`` worker: those import the parent's main script again, which a user's
own script or a job runner may not allow. The arrays go over in one ``.npz`` file (32 MB at a million
customers) and the results come back as JSON, both in a private temporary folder.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Protocol

import numpy as np

from rapport.analytics.engine import bgnbd, gamma_gamma, pareto_nbd
from rapport.analytics.engine.fitting import FitError, FitResult

# Below this many customers the fits take well under a second and a process would cost more than it saves.
SEPARATE_PROCESS_FROM = 50_000


class PendingFits(Protocol):
    def result(self) -> dict[str, FitResult]: ...


def fit_all(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, monetary: np.ndarray) -> dict[str, FitResult]:
    """BG/NBD and Pareto/NBD on the purchase counts, Gamma-Gamma on the repeat spend."""
    return {
        "bgnbd": bgnbd.fit(x, t_x, big_t),
        "pareto_nbd": pareto_nbd.fit(x, t_x, big_t),
        "gamma_gamma": gamma_gamma.fit(x, monetary),
    }


class _Done:
    def __init__(self, fits: dict[str, FitResult] | None, error: Exception | None) -> None:
        self._fits, self._error = fits, error

    def result(self) -> dict[str, FitResult]:
        if self._error is not None:
            raise self._error
        assert self._fits is not None
        return self._fits


class _InProcess:
    """:func:`fit_all` running in a child interpreter; ``result()`` waits for it."""

    def __init__(self, arrays: list[np.ndarray]) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="rapport-fit-")
        folder = Path(self._folder.name)
        np.savez(folder / "summary.npz", x=arrays[0], t_x=arrays[1], T=arrays[2], monetary=arrays[3])
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, env={**os.environ, "OMP_NUM_THREADS": "1"},
        )

    def result(self) -> dict[str, FitResult]:
        try:
            _out, err = self._process.communicate()
            path = Path(self._folder.name) / "fits.json"
            if self._process.returncode != 0 or not path.exists():
                # A run that cannot fit keeps the previous scores and says why (FitError is what it reports).
                raise FitError(f"the model fits stopped: {err.decode(errors='replace').strip()[-800:]}")
            outcome = json.loads(path.read_text(encoding="utf-8"))
        finally:
            self._folder.cleanup()
        if "error" in outcome:
            raise FitError(outcome["error"])  # the fit's own message (it names the field), as if it had run here
        return {name: FitResult(**fields) for name, fields in outcome["fits"].items()}


def start_fits(
    x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, monetary: np.ndarray, *, cores: int
) -> PendingFits:
    """:func:`fit_all` under way: in a separate process when there are cores to spare and customers enough to be
    worth it, otherwise done inline before returning. ``result()`` gives the fits or raises what the fit raised."""
    arrays = [np.ascontiguousarray(a, dtype=np.float64) for a in (x, t_x, big_t, monetary)]
    if cores > 1 and len(arrays[0]) >= SEPARATE_PROCESS_FROM:
        return _InProcess(arrays)
    try:
        return _Done(fit_all(*arrays), None)
    except Exception as exc:  # handed over as the child would hand it over: at result()
        return _Done(None, exc)


def _child(folder: Path) -> None:
    data = np.load(folder / "summary.npz")
    outcome: dict[str, object]
    try:
        fits = fit_all(data["x"], data["t_x"], data["T"], data["monetary"])
        outcome = {"fits": {name: dataclasses.asdict(fit) for name, fit in fits.items()}}
    except ValueError as exc:  # bad input: the parent raises it as its own
        outcome = {"error": str(exc)}
    # NaN and infinities (a fit that did not converge) survive: Python's json writes and reads them back.
    (folder / "fits.json").write_text(json.dumps(outcome), encoding="utf-8")


if __name__ == "__main__":
    _child(Path(sys.argv[1]))
