"""The pure statistics and assignment of experiments, against known answers."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from api.experiments import stats
from api.experiments.assignment import assign, stratum_key
from api.experiments.treatment import Treatment


def test_sample_ratio_flags_only_a_real_mismatch() -> None:
    fair = stats.sample_ratio([502, 498], [1, 1])
    assert not fair.flagged and fair.p_value > 0.5
    broken = stats.sample_ratio([600, 400], [1, 1])
    assert broken.flagged and math.isclose(broken.chi2, 40.0)
    weighted = stats.sample_ratio([200, 100, 100], [2, 1, 1])
    assert weighted.chi2 == 0 and not weighted.flagged


def test_rate_difference_interval_and_test_agree() -> None:
    comp = stats.compare_rates(60, 200, 40, 200)
    assert math.isclose(comp.difference, 0.10)
    assert 0 < comp.low < 0.10 < comp.high and comp.p_value < 0.05
    same = stats.compare_rates(40, 200, 40, 200)
    assert same.includes_zero and same.p_value > 0.9
    for events in range(20, 60):
        c = stats.compare_rates(events, 150, 40, 150)
        assert c.includes_zero == (c.p_value >= 0.05), events


def test_welch_matches_scipy_on_raw_data() -> None:
    from scipy import stats as sps

    rng = np.random.default_rng(3)
    a, b = rng.normal(5, 2, 80), rng.normal(4.2, 3, 60)
    comp = stats.compare_means(a.mean(), a.std(ddof=1), 80, b.mean(), b.std(ddof=1), 60)
    assert math.isclose(comp.p_value, sps.ttest_ind(a, b, equal_var=False).pvalue, rel_tol=1e-9)
    assert comp.low < comp.difference < comp.high


def test_holm_adjusts_across_arms() -> None:
    assert stats.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert stats.holm([]) == []


def test_minimum_detectable_effect_of_the_research() -> None:
    """About 200 people per arm detect roughly ten percentage points (as the trials found)."""
    power = stats.mde_rate(0.25, 200, 200, comparisons=2)
    assert power.mde is not None and 0.10 < power.mde < 0.16
    bigger = stats.mde_rate(0.25, 800, 800, comparisons=2)
    assert bigger.mde is not None and bigger.mde < power.mde / 1.8


def _people(n: int, strata: int) -> list[tuple[str, str]]:
    return [(f"person-{i}", stratum_key({"ladder_step": i % strata})) for i in range(n)]


def test_assignment_is_deterministic_and_balanced_within_strata() -> None:
    people = _people(301, 5)
    weights = {"control": 1, "gain": 1, "norm": 1}
    first = assign("salt-a", weights, people)
    assert assign("salt-a", weights, list(reversed(people))) == first  # order does not matter
    assert assign("salt-b", weights, people) != first  # the salt does
    per_stratum: dict[str, Counter[str]] = {}
    for a in first:
        per_stratum.setdefault(a.stratum, Counter())[a.arm] += 1
    for counts in per_stratum.values():
        assert max(counts.values()) - min(counts.values()) <= 1


def test_later_enrolment_continues_the_blocks() -> None:
    weights = {"control": 2, "gain": 1}
    first = assign("s", weights, _people(10, 1))
    taken = {first[0].stratum: 10}
    later = assign("s", weights, [(f"new-{i}", first[0].stratum) for i in range(11)], taken)
    arms = Counter(a.arm for a in first + later)
    assert arms == {"control": 14, "gain": 7}
    assert [a.position for a in later] == list(range(10, 21))


def test_treatment_knows_only_how_nudges_are_given() -> None:
    t = Treatment(framing="gain", channel="inbox", max_per_week=1)
    assert t.stored() == {"framing": "gain", "channel": "inbox", "max_per_week": 1}
    assert Treatment.from_stored(t.stored()) == t
    assert Treatment().is_policy and not t.is_policy
    with pytest.raises(TypeError):
        Treatment(allowance_eur=150)  # type: ignore[call-arg]


def test_an_arms_day_and_hour_is_the_next_such_moment_in_amsterdam() -> None:
    from datetime import UTC, datetime

    from api.core.time import AMSTERDAM

    monday_night = datetime(2026, 11, 30, 21, 30, tzinfo=UTC)  # 22:30 in Amsterdam
    thursday_ten = Treatment(weekday=3, hour=10).send_at(monday_night)
    assert thursday_ten is not None
    local = thursday_ten.astimezone(AMSTERDAM)
    assert (local.weekday(), local.hour) == (3, 10)
    assert Treatment().send_at(monday_night) is None
    morning = Treatment(hour=9).send_at(monday_night)
    assert morning is not None and morning.astimezone(AMSTERDAM).hour == 9
