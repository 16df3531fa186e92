"""Likely duplicates among customer records: Splink (Fellegi-Sunter) on an in-memory DuckDB. No Django here.

``find_duplicates(records)`` takes a pyarrow Table or a list of dicts with a ``unique_id`` (see
``features.features`` for the other fields) and returns the scored pairs above a threshold, each with the
comparison levels that fired (codes, worded for people by ``rapport.dedupe.evidence``), and the trained
parameters.

Training needs no labels: u-probabilities (how often *different* customers agree) from random pairs, then
m-probabilities (how often the *same* customer agrees) by expectation maximisation on pairs blocked three
ways, each leaving out the comparison it blocks on. A small set (under ``MIN_RECORDS_TO_TRAIN``) has too few
duplicates to learn from: it is scored with the parameters given, or the defaults in ``comparisons``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from rapport.dedupe.blocking import BLOCKING_COLUMNS, LIST_COLUMNS, add_blocking_keys
from rapport.dedupe.comparisons import COMPARISONS, DEFAULT_PRIOR
from rapport.dedupe.features import features_of
from rapport.dedupe.scoring import Evidence, Parameters, apply_household_rule

FIXED_LEVELS = frozenset(level.code for c in COMPARISONS for level in c.levels if level.fixed)

MIN_RECORDS_TO_TRAIN = 2_000
# Bounds on trained probabilities. A level the training data never shows among duplicates (a synthetic set
# where nobody changed phone number) would get m = 0 and veto every pair in it; one never shown among
# random pairs would get u = 0 and decide alone. Bounded, no single level weighs more than about 20 bits
# for or 10 bits against.
M_FLOOR = 0.001
U_FLOOR = 0.000001
U_SAMPLE_PAIRS = 3e6
# Blocking on these, EM learns the m-probabilities of every *other* comparison (Splink leaves out the
# comparisons that read a blocked column).
EM_BLOCKS = (("fn_sk", "ln_sk"), ("email",), ("dob",))
# Rules that admit almost no false positives, to estimate how common duplicates are; with their recall.
PRIOR_RULES = (
    "l.email = r.email AND l.fn_sk = r.fn_sk AND l.ln_sk = r.ln_sk",
    "l.phone = r.phone AND l.dob = r.dob AND l.fn_sk = r.fn_sk",
)
PRIOR_RULES_RECALL = 0.6

_STRING = pa.string()
_STRINGS = pa.list_(pa.string())
SCHEMA = pa.schema([
    ("unique_id", pa.int64()),
    *((name, _STRING) for name in ("fn", "ln", "full", "fn_sk", "ln_sk", "name_key", "script", "email", "email_local",
                                   "email_domain")),
    ("emails", _STRINGS), ("email_keys", _STRINGS),
    ("phone", _STRING), ("phones", _STRINGS),
    *((name, _STRING) for name in ("dob", "postcode", "city", "line")),
    *((name, _STRINGS if name in LIST_COLUMNS else _STRING) for name in BLOCKING_COLUMNS),
])


@dataclass(frozen=True)
class ScoredPair:
    id_l: int  # always the smaller id
    id_r: int
    match_probability: float
    evidence: tuple[Evidence, ...]


@dataclass
class EngineResult:
    pairs: list[ScoredPair]
    parameters: Parameters
    records: int
    seconds: dict[str, float] = field(default_factory=dict)


def _records(records: pa.Table | Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return records.to_pylist() if isinstance(records, pa.Table) else list(records)


def _settings(params: Parameters) -> dict[str, Any]:
    from splink import block_on

    rules = [block_on(c, arrays_to_explode=[c]) if c in LIST_COLUMNS else block_on(c) for c in BLOCKING_COLUMNS]
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": params.prior,
        # The gamma (level) columns are only kept with the matching columns; they are the evidence.
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": False,
        "blocking_rules_to_generate_predictions": rules,
        "em_convergence": 0.001,
        "max_iterations": 20,
        "comparisons": [
            {
                "output_column_name": comparison.name,
                "comparison_levels": [
                    {"sql_condition": comparison.null_sql, "label_for_charts": "missing", "is_null_level": True},
                    *(
                        {
                            "sql_condition": level.sql,
                            "label_for_charts": level.code,
                            "m_probability": params.m_and_u(comparison.name, level.code)[0],
                            "u_probability": params.m_and_u(comparison.name, level.code)[1],
                            "fix_m_probability": level.fixed,
                            "fix_u_probability": level.fixed,
                        }
                        for level in comparison.levels
                    ),
                ],
            }
            for comparison in COMPARISONS
        ],
    }


@contextlib.contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink logs every training step at INFO and untrained levels as warnings; a run reports on its own."""
    logger = logging.getLogger("splink")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _trained_parameters(model: Mapping[str, Any], start: Parameters) -> Parameters:
    """Our compact parameters from Splink's model dict; a level Splink could not estimate keeps its start value."""
    m_u: dict[str, dict[str, tuple[float, float]]] = {}
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        m_u[name] = {}
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            code = level["label_for_charts"]
            m0, u0 = start.m_and_u(name, code)
            if code in FIXED_LEVELS:
                m_u[name][code] = (m0, u0)
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            m = float(m) if isinstance(m, int | float) and m > 0 and math.isfinite(m) else m0
            u = float(u) if isinstance(u, int | float) and u > 0 and math.isfinite(u) else u0
            m_u[name][code] = (min(max(m, M_FLOOR), 1.0), min(max(u, U_FLOOR), 1.0))
    prior = model.get("probability_two_random_records_match", start.prior)
    if not isinstance(prior, int | float) or not 0 < prior < 0.5:
        prior = start.prior
    return Parameters(prior=float(prior), m_u=m_u, trained=True)


def _train(linker: Any, seed: int) -> None:
    from splink import block_on
    from splink.internals.exceptions import SplinkException

    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed)
    # More deterministic matches than the recall allows: keep the prior we started from.
    with contextlib.suppress(ValueError, SplinkException):
        linker.training.estimate_probability_two_random_records_match(list(PRIOR_RULES), recall=PRIOR_RULES_RECALL)
    if not 0 < linker._settings_obj._probability_two_random_records_match < 0.5:
        linker._settings_obj._probability_two_random_records_match = DEFAULT_PRIOR
    for columns in EM_BLOCKS:
        with contextlib.suppress(ValueError, SplinkException, ZeroDivisionError):
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*columns), estimate_without_term_frequencies=True
            )


def _level_codes() -> dict[str, list[str]]:
    # Splink numbers a comparison's non-null levels from n-1 (the first listed) down to 0 (ELSE).
    return {c.name: [lv.code for lv in reversed(c.levels)] for c in COMPARISONS}


def find_duplicates(
    records: pa.Table | Iterable[Mapping[str, Any]],
    *,
    threshold: float = 0.9,
    parameters: Parameters | None = None,
    train: bool | None = None,
    default_region: str = "",
    seed: int = 42,
) -> EngineResult:
    """Scored pairs of likely duplicates among ``records`` with a match probability of ``threshold`` or more.

    ``train`` defaults to training when there are at least ``MIN_RECORDS_TO_TRAIN`` records; otherwise the
    pairs are scored with ``parameters`` (or the defaults). ``default_region`` is the ISO country assumed for
    phone numbers written without a country code when the record has no country.
    """
    from splink import DuckDBAPI, Linker

    timings: dict[str, float] = {}
    start = time.perf_counter()
    rows = add_blocking_keys(features_of(_records(records), default_region=default_region))
    timings["features"] = time.perf_counter() - start
    params = parameters or Parameters.defaults()
    if len(rows) < 2:
        return EngineResult(pairs=[], parameters=params, records=len(rows), seconds=timings)
    if train is None:
        train = len(rows) >= MIN_RECORDS_TO_TRAIN

    with _quiet_splink(), contextlib.closing(duckdb.connect()) as connection:
        connection.execute("SET enable_progress_bar = false")  # a run reports its own figures
        db_api = DuckDBAPI(connection)
        table = db_api.register(pa.Table.from_pylist(rows, schema=SCHEMA), dataset_display_name="customers")
        if train:
            step = time.perf_counter()
            trainer = Linker(table, _settings(params), log_level=None)
            _train(trainer, seed)
            params = _trained_parameters(trainer.misc.save_model_to_json(), params)
            timings["training"] = time.perf_counter() - step
        # Predict with exactly the stored parameters, so that the check on the create form agrees.
        linker = Linker(table, _settings(params), log_level=None)
        step = time.perf_counter()
        predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        gammas = ", ".join(f"gamma_{c.name}" for c in COMPARISONS)
        scored = predictions.query_sql(
            f"SELECT unique_id_l, unique_id_r, match_probability, {gammas} FROM {{this}}"
        )
        result = scored.as_pyarrow_table()
        timings["prediction"] = time.perf_counter() - step

    codes = _level_codes()
    columns = {name: result.column(name).to_pylist() for name in result.column_names}
    pairs: list[ScoredPair] = []
    for i, (left, right) in enumerate(zip(columns["unique_id_l"], columns["unique_id_r"], strict=True)):
        evidence = []
        for comparison in COMPARISONS:
            gamma = columns[f"gamma_{comparison.name}"][i]
            if gamma is None or gamma < 0:
                continue  # a value was missing on one side: no evidence either way
            code = codes[comparison.name][gamma]
            evidence.append(Evidence(comparison.name, code, params.weight(comparison.name, code)))
        chance, evidence = apply_household_rule(float(columns["match_probability"][i]), evidence)
        if chance < threshold:
            continue
        low, high = (left, right) if left < right else (right, left)
        pairs.append(ScoredPair(low, high, chance, tuple(evidence)))
    timings["total"] = time.perf_counter() - start
    return EngineResult(pairs=pairs, parameters=params, records=len(rows), seconds=timings)
