"""The create-time check (Python) and the nightly run (Splink SQL) put every pair in the same levels."""

from __future__ import annotations

import pytest

from rapport.dedupe.engine import find_duplicates
from rapport.dedupe.evaluation import SYNTHETIC_REGION
from rapport.dedupe.features import features
from rapport.dedupe.scoring import Parameters, score
from rapport.dedupe.synthetic import generate


@pytest.fixture(scope="module")
def scored():
    labelled = generate(2500, seed=3)
    result = find_duplicates(labelled.records, threshold=0.0, default_region=SYNTHETIC_REGION, train=False)
    by_id = {r["unique_id"]: features(r, default_region=SYNTHETIC_REGION) for r in labelled.records}
    return result, by_id


def test_python_levels_and_probabilities_match_splink(scored):
    result, by_id = scored
    assert len(result.pairs) > 1000  # every blocked pair, likely or not
    params = Parameters.defaults()
    for pair in result.pairs:
        probability, evidence = score(by_id[pair.id_l], by_id[pair.id_r], params)
        assert [e.level for e in evidence] == [e.level for e in pair.evidence], (pair.id_l, pair.id_r)
        assert probability == pytest.approx(pair.match_probability, abs=1e-6)


def test_every_level_of_every_comparison_is_exercised(scored):
    result, _by_id = scored
    fired = {e.level for pair in result.pairs for e in pair.evidence}
    assert {"name_exact", "name_swapped", "name_sounds_alike", "name_typo", "email_exact", "phone_exact",
            "dob_exact", "dob_day_month_swapped", "address_same"} <= fired
