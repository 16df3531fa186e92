"""The run's three fits give the same estimates inline and in a process of their own, and a fit's error reaches
the caller either way."""

from __future__ import annotations

import numpy as np
import pytest

from rapport.analytics.engine import fit_all as subject
from rapport.analytics.engine.fitting import FitError
from rapport.analytics.engine.simulate import simulate_bgnbd


@pytest.fixture(scope="module")
def summary():
    data = simulate_bgnbd({"r": 0.8, "alpha": 6.0, "a": 0.9, "b": 3.0}, np.full(3000, 52.0),
                          spend={"p": 6.0, "q": 4.0, "gamma": 25.0}, seed=4)
    return data.frequency, data.recency, data.T, data.monetary


def test_a_separate_process_gives_the_same_fits(summary, monkeypatch):
    inline = subject.start_fits(*summary, cores=1).result()
    monkeypatch.setattr(subject, "SEPARATE_PROCESS_FROM", 0)
    pending = subject.start_fits(*summary, cores=2)
    assert isinstance(pending, subject._InProcess)
    apart = pending.result()
    assert set(apart) == {"bgnbd", "pareto_nbd", "gamma_gamma"}
    for name, fit in inline.items():
        assert apart[name].params == fit.params
        assert apart[name].converged == fit.converged


@pytest.mark.parametrize("cores", [1, 2])
def test_bad_input_raises_the_fits_own_error(summary, monkeypatch, cores):
    monkeypatch.setattr(subject, "SEPARATE_PROCESS_FROM", 0)
    x, t_x, big_t, spend = (np.array(a, copy=True) for a in summary)
    t_x[3] = np.nan
    with pytest.raises(FitError, match="NaN"):
        subject.start_fits(x, t_x, big_t, spend, cores=cores).result()
