"""Bands, value segments, the risk x value programme, loyalty and lifecycle stage from the scores."""

import numpy as np

from rapport.analytics.engine import segments


def test_risk_bands_cut_at_the_thresholds():
    assert segments.risk_band(np.array([0.0, 0.34, 0.35, 0.64, 0.65, 1.0])).tolist() == [0, 0, 1, 1, 2, 2]


def test_the_top_fifth_by_value_is_high_and_the_next_three_tenths_medium():
    potential = np.arange(100, dtype=float)
    bands = segments.value_band(potential, np.zeros(100))
    assert (bands == 2).sum() == 20 and (bands == 1).sum() == 30 and (bands == 0).sum() == 50
    # A customer worth little from now on but much so far is still high value.
    actual = np.zeros(100)
    actual[0] = 1e6
    assert segments.value_band(potential, actual)[0] == 2


def test_value_segments_follow_actual_value_potential_and_service_appetite():
    actual = np.array([100.0, 100.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    potential = np.array([0.0, 0.0, 500.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    service = np.array([3.0, 0.0, 0.0, 3.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    seg = segments.value_segment(actual, potential, service, segments.Thresholds(value_share=0.2)).tolist()
    assert seg[:5] == ["high_value_high_service", "high_value_low_service", "low_value_potential",
                       "low_value_high_service", "low_value_low_service"]


def test_high_value_and_high_risk_get_a_personal_call():
    assert segments.programme(np.array([2, 0, 2]), np.array([2, 2, 0])).tolist() == [
        "personal_call", "vip_care", "win_back"]


def test_loyalty_tells_buying_apart_from_staying():
    got = segments.loyalty(
        days_since_purchase=np.array([10.0, 400.0, 400.0]), gap_mean_days=np.array([30.0, 30.0, 30.0]),
        p_alive=np.array([0.9, 0.8, 0.1]), inbound_recent=np.array([0.0, 0.0, 0.0]),
    ).tolist()
    assert got == ["active", "passive", "none"]
    # Not buying and unlikely to be alive, but they called us last month: still there.
    assert segments.loyalty(np.array([400.0]), np.array([30.0]), np.array([0.1]), np.array([1.0])).tolist() == [
        "passive"]


def test_stages_new_active_at_risk_lapsed_lost_and_won_back():
    current = np.array(["prospect", "active", "active", "active", "active", "lapsed"], dtype=object)
    stage = segments.lifecycle_stage(
        current, frequency=np.array([0, 5, 5, 5, 5, 5]),
        age_days=np.array([20.0, 400, 400, 800, 900, 900]),
        days_since_purchase=np.array([20.0, 10, 40, 400, 800, 15]),
        p_alive=np.array([1.0, 0.9, 0.6, 0.4, 0.3, 0.9]),
        risk_bands=np.array([2, 0, 2, 2, 2, 0], dtype=np.int8),
    ).tolist()
    assert stage == ["new", "active", "at_risk", "lapsed", "lost", "won_back"]


def test_a_stage_reason_quotes_the_numbers():
    assert segments.stage_reason("lapsed", 400, 0.7, 0.4) == "no purchase for 400 days"
