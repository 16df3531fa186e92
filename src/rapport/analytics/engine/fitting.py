"""Maximum-likelihood fitting shared by the buy-till-you-die models, and the checks on their inputs.

Each model hands :func:`maximise_likelihood` its mean log-likelihood (optionally with the gradient) as a function
of its natural parameters. The optimiser works on the parameters' logarithms, so they stay positive without
constraints, and minimises the *mean* negative log-likelihood over customers: its scale does not depend on n, so
one set of tolerances serves 1,000 customers and 1,000,000. The result reports the *total* log-likelihood.

Non-convergence is a result, not an exception (``FitResult.converged`` is False and ``message`` says why): a
nightly job should store "did not converge" and keep the previous scores rather than fail. Bad input is an
exception, :class:`FitError` (a ``ValueError``), naming the field and the first offending customer.

Customers with identical summaries contribute identical terms, so :func:`compress` folds them into one row with
a weight (their count). With purchase days on a daily grid and T shared by a cohort, a million customers fold
into a few hundred thousand rows or fewer, and every likelihood evaluation is that much cheaper.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

# The optimiser's variables are theta = log(parameter / scale), the scale being the parameter's natural size (1
# for shape parameters, the data's own purchase rate, observation length or spend for rate parameters), so the
# same limits hold in weeks or days, dollars or rials. theta stays in [-LOG_BOUND, LOG_BOUND] so that exp() never
# overflows during a line search.
LOG_BOUND = 20.0
# A parameter that ends more than e^12 (~1.6e5) times away from its natural scale is heading for 0 or infinity:
# the data do not identify it (nobody dropped out, everyone drops out alike) and the fit is not converged. In the
# log-parameters the gradient vanishes along such a ridge, so a small gradient alone would call it converged.
RUNAWAY = 12.0
# Largest |d(mean log-likelihood)/d(theta)| accepted as a stationary point.
GRADIENT_TOLERANCE = 1e-6
# Smallest curvature (eigenvalue of the Hessian of the mean negative log-likelihood in theta) accepted as a
# maximum. Fits on simulated and CDNOW-like data measure 1e-3 and up; flat ridges (a parameter running off, a
# pair only identified through their ratio) measure below 1e-5. A curvature c means a standard error of about
# 1 / sqrt(n c) in log terms: below 1e-5 even a million customers leave the parameter undetermined.
CURVATURE_TOLERANCE = 1e-5
# Central-difference step on the log-parameters when a model has no analytic gradient: the truncation error
# (~h^2) and the rounding error (~1e-16 * |f| / h, f the mean log-likelihood, a few units) are both ~1e-10.
NUMERICAL_STEP = 1e-5
# What the objective returns where the likelihood is not finite: a large finite value makes L-BFGS-B's line
# search step back, where inf or NaN would end the run.
_PENALTY = 1e10


@dataclass(frozen=True)
class FitResult:
    """The outcome of a maximum-likelihood fit.

    ``params`` maps parameter names to estimates; ``log_likelihood`` is the total over customers (weights
    included); ``n`` the number of customers the fit used (the sum of the weights).
    """

    params: dict[str, float]
    log_likelihood: float
    converged: bool
    iterations: int
    message: str
    n: int


class FitError(ValueError):
    """The input cannot be fitted as given (empty, NaN, negative, inconsistent): the message names the field."""


ParamsLike = Mapping[str, float] | FitResult
MeanLogLikelihood = Callable[[FloatArray], float]
MeanLogLikelihoodWithGradient = Callable[[FloatArray], tuple[float, FloatArray]]
Verdict = Literal["converged", "unidentified", "failed"]


def param_values(params: ParamsLike, names: Sequence[str]) -> tuple[float, ...]:
    """The named parameters as positive finite floats, from a mapping or a :class:`FitResult`."""
    mapping = params.params if isinstance(params, FitResult) else params
    missing = [name for name in names if name not in mapping]
    if missing:
        raise ValueError(f"missing parameter(s) {', '.join(missing)}; expected {', '.join(names)}")
    values = tuple(float(mapping[name]) for name in names)
    for name, value in zip(names, values, strict=True):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"parameter {name} must be a positive number, got {value!r}")
    return values


def as_float_array(name: str, values: ArrayLike) -> FloatArray:
    """``values`` as a float64 array, rejecting NaN and infinities with a message naming the field."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise FitError(f"{name} must be numbers: {exc}") from None
    if not np.isfinite(array).all():
        bad = ~np.isfinite(array)
        raise FitError(f"{name} has {_count(bad)} NaN or infinite value(s){_first(bad)}")
    return array


def check_summary(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    require_data: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Validate per-customer ``(x, t_x, T)`` (and weights) and return them as float arrays of one length.

    For fitting (``require_data``): one-dimensional, equal lengths, at least one customer. For prediction the
    arrays (and scalars) only need to broadcast. Either way: finite, x a non-negative whole number,
    ``0 <= t_x <= T``, ``t_x == 0`` exactly when ``x == 0`` (same-day purchases are one transaction, so a repeat
    transaction is on a later day than the first). Weights are non-negative with a positive sum.
    """
    x = as_float_array("frequency", frequency)
    t_x = as_float_array("recency", recency)
    big_t = as_float_array("T", T)
    w = as_float_array("weights", weights) if weights is not None else np.ones_like(x)
    if require_data:
        for name, array in (("frequency", x), ("recency", t_x), ("T", big_t), ("weights", w)):
            if array.ndim != 1:
                raise FitError(f"{name} must be one-dimensional, got shape {array.shape}")
        lengths = {len(x), len(t_x), len(big_t), len(w)}
        if len(lengths) != 1:
            raise FitError(
                f"frequency, recency, T (and weights) must have one length, got {len(x)}, {len(t_x)}, "
                f"{len(big_t)}" + (f", {len(w)}" if weights is not None else "")
            )
        if len(x) == 0:
            raise FitError("no customers to fit: the arrays are empty")
    else:
        try:
            x, t_x, big_t, w = np.broadcast_arrays(x, t_x, big_t, w)
        except ValueError:
            raise FitError(
                f"frequency, recency and T must broadcast together, got shapes {np.shape(x)}, {np.shape(t_x)}, "
                f"{np.shape(big_t)}"
            ) from None
    require(x >= 0, "frequency must be >= 0", x)
    require(x == np.floor(x), "frequency must be a whole number of repeat transactions", x)
    require(t_x >= 0, "recency must be >= 0", t_x)
    require(big_t >= 0, "T must be >= 0", big_t)
    require(t_x <= big_t, "recency must not exceed T", t_x, big_t)
    require((x > 0) | (t_x == 0), "recency must be 0 when frequency is 0", x, t_x)
    require((x == 0) | (t_x > 0), "recency must be > 0 when frequency > 0 (merge same-day purchases first)", x, t_x)
    if weights is not None:
        require(w >= 0, "weights must be >= 0", w)
        if require_data and not w.sum() > 0:
            raise FitError("weights must have a positive sum")
    return x, t_x, big_t, w


def check_horizon(t: ArrayLike) -> FloatArray:
    """A prediction horizon (periods ahead): finite and non-negative."""
    horizon = as_float_array("t", t)
    require(horizon >= 0, "t must be >= 0", horizon)
    return horizon


def group_rows(columns: Sequence[FloatArray]) -> tuple[list[FloatArray], IntArray]:
    """The distinct rows across ``columns`` and, for every input row, the index of its distinct row.

    ``np.lexsort`` plus a change mask rather than ``np.unique(axis=0)``: the latter sorts a structured view and
    was measured ~6x slower on a million rows. Distinct rows come back sorted by the first column, then the next.
    """
    n = len(columns[0])
    order = np.lexsort(tuple(reversed(columns)))
    ordered = [column[order] for column in columns]
    starts_group = np.zeros(n, dtype=bool)
    starts_group[:1] = True
    for column in ordered:
        starts_group[1:] |= column[1:] != column[:-1]
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.cumsum(starts_group) - 1
    return [column[starts_group] for column in ordered], inverse


def compress(columns: Sequence[FloatArray], weights: FloatArray | None = None) -> tuple[list[FloatArray], FloatArray]:
    """Fold identical rows (across ``columns``) into one, returning the distinct rows and their summed weights
    (their counts when ``weights`` is None). Sorted by the first column, then the next."""
    distinct, inverse = group_rows(columns)
    return distinct, np.bincount(inverse, weights=weights, minlength=len(distinct[0])).astype(np.float64, copy=False)


def maximise_likelihood(
    names: Sequence[str],
    starts: Sequence[Sequence[float]],
    *,
    total_weight: float,
    mean_log_likelihood: MeanLogLikelihood | None = None,
    mean_log_likelihood_with_gradient: MeanLogLikelihoodWithGradient | None = None,
    scales: Sequence[float] | None = None,
    max_iterations: int = 1000,
) -> FitResult:
    """Maximise a mean log-likelihood over positive parameters with L-BFGS-B on their logarithms.

    Give ``mean_log_likelihood_with_gradient`` (value and gradient in the natural parameters) when the model
    has an analytic gradient, else ``mean_log_likelihood`` and central differences are used. ``scales`` are the
    parameters' natural sizes (default 1; see ``RUNAWAY``). ``starts`` are tried in order until one converges;
    if none does, the best of them is returned with ``converged=False``. ``total_weight`` (the number of
    customers) turns the mean back into the total log-likelihood.

    Converged means: a finite likelihood, every parameter within ``e^RUNAWAY`` of its scale, the gradient below
    ``GRADIENT_TOLERANCE`` and the curvature above ``CURVATURE_TOLERANCE`` in every direction.
    """
    if (mean_log_likelihood is None) == (mean_log_likelihood_with_gradient is None):
        raise ValueError("give exactly one of mean_log_likelihood and mean_log_likelihood_with_gradient")
    scale = np.ones(len(names)) if scales is None else np.asarray(scales, dtype=np.float64)
    problem = _Problem(names, scale, mean_log_likelihood, mean_log_likelihood_with_gradient)
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(names)
    best: tuple[float, FitResult] | None = None
    notes: list[str] = []
    for attempt, start in enumerate(starts, start=1):
        prefix = f"start {attempt} of {len(starts)}: " if len(starts) > 1 else ""
        theta0 = np.clip(np.log(np.asarray(start, dtype=np.float64) / scale), -LOG_BOUND + 1, LOG_BOUND - 1)
        if problem.value(theta0) >= _PENALTY:
            notes.append(f"{prefix}the likelihood is not finite at the starting point")
            continue
        res = minimize(
            problem.value_and_gradient,
            theta0,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            # ftol is relative to the objective (a few units): 1e-15 leaves the gradient test as the one that
            # stops a good run. maxls is raised because the last steps near the optimum are tiny.
            options={"maxiter": max_iterations, "ftol": 1e-15, "gtol": GRADIENT_TOLERANCE / 100, "maxls": 50},
        )
        theta = np.asarray(res.x, dtype=np.float64)
        value = problem.value(theta)
        verdict, note = problem.judge(theta, int(res.nit), str(res.message))
        converged = verdict == "converged"
        notes.append(prefix + note)
        log_likelihood = -value * total_weight if value < _PENALTY else -math.inf
        result = FitResult(
            problem.params(theta), float(log_likelihood), converged, int(res.nit), prefix + note, round(total_weight)
        )
        if converged:
            return result
        if value < _PENALTY and (best is None or value < best[0]):
            best = (value, result)
        if verdict == "unidentified":
            # A verdict on the data, not on the starting point: other starts end on the same ridge, and in the
            # Pareto/NBD the far ends of such ridges are where its 2F1 is slowest to evaluate.
            break
    message = f"did not converge from {len(notes)} starting point(s): " + "; ".join(notes)
    if best is None:
        nan_params = {name: math.nan for name in names}
        return FitResult(nan_params, -math.inf, False, 0, message, round(total_weight))
    result = best[1]
    return FitResult(result.params, result.log_likelihood, False, result.iterations, message, result.n)


class _Problem:
    """The negative mean log-likelihood in theta = log(parameter / scale), with its gradient and checks."""

    def __init__(
        self,
        names: Sequence[str],
        scale: FloatArray,
        mean_ll: MeanLogLikelihood | None,
        mean_ll_grad: MeanLogLikelihoodWithGradient | None,
    ) -> None:
        self.names, self.scale = list(names), scale
        self.mean_ll, self.mean_ll_grad = mean_ll, mean_ll_grad

    def params(self, theta: FloatArray) -> dict[str, float]:
        return {name: float(v) for name, v in zip(self.names, self.scale * np.exp(theta), strict=True)}

    def value(self, theta: FloatArray) -> float:
        params = self.scale * np.exp(theta)
        if self.mean_ll_grad is not None:
            value = self.mean_ll_grad(params)[0]
        else:
            assert self.mean_ll is not None
            value = self.mean_ll(params)
        return -value if math.isfinite(value) else _PENALTY

    def value_and_gradient(self, theta: FloatArray) -> tuple[float, FloatArray]:
        if self.mean_ll_grad is not None:
            params = self.scale * np.exp(theta)
            value, gradient_params = self.mean_ll_grad(params)
            objective, gradient = -value, -gradient_params * params  # chain rule: d/dtheta = parameter * d/dparameter
        else:
            objective = self.value(theta)
            gradient = np.empty_like(theta)
            for i in range(len(theta)):
                step = np.zeros_like(theta)
                step[i] = NUMERICAL_STEP
                gradient[i] = (self.value(theta + step) - self.value(theta - step)) / (2 * NUMERICAL_STEP)
        if not (math.isfinite(objective) and objective < _PENALTY and np.isfinite(gradient).all()):
            return _PENALTY, np.zeros_like(theta)
        return objective, gradient

    def hessian(self, theta: FloatArray) -> FloatArray:
        """Central differences: of the analytic gradient (step 1e-4), or of values (step 1e-3, whose truncation
        error ~1e-6 relative and rounding error ~1e-9 are both far below ``CURVATURE_TOLERANCE``)."""
        k = len(theta)
        hessian = np.empty((k, k))
        if self.mean_ll_grad is not None:
            h = 1e-4
            for i in range(k):
                step = np.zeros(k)
                step[i] = h
                hessian[:, i] = (
                    self.value_and_gradient(theta + step)[1] - self.value_and_gradient(theta - step)[1]
                ) / (2 * h)
            return (hessian + hessian.T) / 2
        h = 1e-3
        centre = self.value(theta)
        for i in range(k):
            for j in range(i, k):
                si, sj = np.zeros(k), np.zeros(k)
                si[i], sj[j] = h, h
                if i == j:
                    hessian[i, i] = (self.value(theta + si) - 2 * centre + self.value(theta - si)) / h**2
                else:
                    corners = (
                        self.value(theta + si + sj)
                        - self.value(theta + si - sj)
                        - self.value(theta - si + sj)
                        + self.value(theta - si - sj)
                    )
                    hessian[i, j] = hessian[j, i] = corners / (4 * h**2)
        return hessian

    def judge(self, theta: FloatArray, iterations: int, scipy_message: str) -> tuple[Verdict, str]:
        """Whether the run reached a proper maximum, and a sentence saying so or why not."""
        if self.value(theta) >= _PENALTY:
            return "failed", f"the likelihood is not finite where the optimiser stopped ({scipy_message})"
        far = [i for i, t in enumerate(theta) if abs(t) > RUNAWAY]
        if far:
            values = ", ".join(
                f"{self.names[i]} = {self.scale[i] * math.exp(theta[i]):.3g} (scale {self.scale[i]:.3g})" for i in far
            )
            return "unidentified", (
                f"{values}: ran more than e^{RUNAWAY:g} away from its natural scale, so the data do not identify "
                f"{'it' if len(far) == 1 else 'them'} (e.g. no sign of drop-out, or no differences between customers)"
            )
        gradient = self.value_and_gradient(theta)[1]
        gradient_norm = float(np.max(np.abs(gradient)))
        if not gradient_norm <= GRADIENT_TOLERANCE:
            return (
                "failed",
                f"stopped after {iterations} iterations, max |gradient| {gradient_norm:.1e} ({scipy_message})",
            )
        # L-BFGS-B sometimes ends in "ABNORMAL_TERMINATION_IN_LNSRCH" a hair from the optimum, where rounding hides
        # any further decrease; the gradient and the curvature, not scipy's flag, decide.
        eigenvalues, eigenvectors = np.linalg.eigh(self.hessian(theta))
        if not eigenvalues[0] >= CURVATURE_TOLERANCE:
            along = [self.names[i] for i in np.flatnonzero(np.abs(eigenvectors[:, 0]) > 0.3)]
            return "unidentified", (
                f"the likelihood is flat along {', '.join(along)} (curvature {eigenvalues[0]:.1e}): the data do not "
                f"identify {'it' if len(along) == 1 else 'them'} separately"
            )
        return "converged", f"converged in {iterations} iterations (max |gradient| {gradient_norm:.1e})"


def require(ok: NDArray[np.bool_], message: str, *shown: FloatArray) -> None:
    """Raise :class:`FitError` with ``message``, how many customers break it, and the first one's values."""
    if ok.all():
        return
    bad = ~ok
    first = np.unravel_index(int(np.argmax(bad)), bad.shape)
    values = ", ".join(f"{float(np.asarray(array)[first]):g}" for array in shown)
    where = first[0] if len(first) == 1 else first
    raise FitError(f"{message}: {_count(bad)} customer(s), first at index {where} ({values})")


def _count(mask: NDArray[np.bool_]) -> int:
    return int(np.count_nonzero(mask))


def _first(mask: NDArray[np.bool_]) -> str:
    if mask.ndim == 0:
        return ""
    return f", first at index {int(np.argmax(mask.ravel()))}"
