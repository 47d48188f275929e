"""The spike model on simulated cities (issue 16 part 3): on noise-only data drawn from the
model itself (Poisson and over-dispersed series, weekly seasonality) it raises at most one
false warning per day per 10,000 series, over several seeds; planted bursts are found with
high recall; and a per-series test without false-discovery control (the same simulation)
would raise many, so the first test can fail."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

from governance.spike_stats import (
    HISTORY_WEEKS,
    Baseline,
    baseline,
    profile_share,
    spikes,
    upper_p,
)

SEEDS = (11, 12, 13, 14)
SERIES = 10_000
CATEGORIES = 20
DAYS = 30  # evaluation days per seed
HISTORY_DAYS = 7 * HISTORY_WEEKS


@dataclass
class City:
    counts: np.ndarray  # series x days (history, then the evaluation days)
    category: np.ndarray
    rate: np.ndarray  # true daily rate of each series
    dow: np.ndarray  # day of the week of each day


def _city(seed: int) -> City:
    """Daily counts of SERIES series: a lognormal spread of rates (0.02 to 30 a day), a
    weekly rhythm per category, and a third of the series over-dispersed (their rate
    varies from week to week with a Gamma(4) multiplier: variance = mean + mean^2 / 4)."""
    rng = np.random.default_rng(seed)
    days = HISTORY_DAYS + DAYS
    category = rng.integers(0, CATEGORIES, SERIES)
    rate = np.exp(rng.normal(-0.5, 1.3, SERIES))
    phase = rng.uniform(0, 2 * np.pi, CATEGORIES)
    dow = np.arange(days) % 7
    rhythm = 1 + 0.35 * np.sin(2 * np.pi * dow[None, :] / 7 + phase[:, None])  # C x days
    rhythm = rhythm / rhythm[:, :7].mean(axis=1, keepdims=True)
    weeks = (days + 6) // 7
    wobble = np.ones((SERIES, weeks))
    over = rng.random(SERIES) < 1 / 3
    wobble[over] = rng.gamma(4.0, 1 / 4.0, (int(over.sum()), weeks))
    mean = rate[:, None] * rhythm[category] * np.repeat(wobble, 7, axis=1)[:, :days]
    return City(rng.poisson(mean), category, rate, dow)


def _evaluate(
    city: City, day: int, observed: np.ndarray | None = None
) -> tuple[Baseline, np.ndarray]:
    """The model's baseline for evaluation day ``day`` from the 8 weeks before it."""
    hist = city.counts[:, day - HISTORY_DAYS : day]
    weekly = hist.reshape(SERIES, HISTORY_WEEKS, 7).sum(axis=2)
    buckets = np.zeros((CATEGORIES, 7))
    hist_dow = city.dow[day - HISTORY_DAYS : day]
    for d in range(7):
        np.add.at(buckets[:, d], city.category, hist[:, hist_dow == d].sum(axis=1))
    share = profile_share(buckets, [city.dow[day]])[city.category]
    obs = city.counts[:, day] if observed is None else observed
    return baseline(weekly, share, city.category), obs


@pytest.mark.parametrize("seed", SEEDS)
def test_noise_only_raises_at_most_one_false_warning_per_day_per_10000_series(
    seed: int,
) -> None:
    city = _city(seed)
    false = 0
    for day in range(HISTORY_DAYS, HISTORY_DAYS + DAYS):
        base, obs = _evaluate(city, day)
        false += int(spikes(obs, base).spike.sum())
    assert false <= DAYS * SERIES / 10_000, (seed, false)


def test_without_false_discovery_control_the_same_noise_raises_many() -> None:
    """The control: flagging every series whose own p is below 1 % (same minimum count and
    ratio) on the same data raises far more than one a day, so the bound above is a real
    property of the false-discovery control, not of quiet data."""
    city = _city(SEEDS[0])
    naive = 0
    for day in range(HISTORY_DAYS, HISTORY_DAYS + DAYS):
        base, obs = _evaluate(city, day)
        p = upper_p(obs, base.expected, base.size)
        naive += int(((p <= 0.01) & (obs >= 5) & (obs >= 2 * base.expected)).sum())
    assert naive > 3 * DAYS, naive


@pytest.mark.parametrize("seed", SEEDS)
def test_planted_bursts_are_found_with_high_recall(seed: int) -> None:
    """100 series get a burst on one day: five times their daily rate, and at least 10.
    (Measured: bursts of only 8 on series of 1-2 a day are found 85-94 % of the time: with
    10,000 series a rise from 1.5 to 9.5 is not told from chance at q <= 1 %.)"""
    city = _city(seed)
    rng = np.random.default_rng([seed, 99])
    day = HISTORY_DAYS + 3
    planted = rng.choice(SERIES, 100, replace=False)
    obs = city.counts[:, day].copy()
    obs[planted] += np.maximum(10, np.rint(5 * city.rate[planted])).astype(np.int64)
    base, obs = _evaluate(city, day, obs)
    found = spikes(obs, base).spike
    truth = np.zeros(SERIES, dtype=bool)
    truth[planted] = True
    assert (found & truth).sum() / truth.sum() >= 0.9, (found & truth).sum()
    assert (found & ~truth).sum() <= 2, (found & ~truth).sum()


def test_the_expectation_is_the_gamma_poisson_posterior_times_the_window_share() -> None:
    weekly = np.array([[2, 2, 2, 2], [0, 0, 0, 0], [0, 10, 0, 10]])
    cats = np.array(["a", "a", "b"])
    share = np.array([0.5, 0.5, 0.25])
    b = baseline(weekly, share, cats, prior_weeks=1.0)
    cat_a = (8 + 0) / 2 / 4  # mean weekly level over the category's series
    assert b.level[0] == pytest.approx((1.0 * cat_a + 8) / 5)
    assert b.expected[0] == pytest.approx(b.level[0] * 0.5)
    assert b.level[1] == pytest.approx(cat_a / 5)  # no history: pulled towards the category
    assert b.phi[0] == 0.0 and b.phi[2] > 0  # 0,10,0,10: over-dispersed
    assert b.size[2] == pytest.approx(1 / (1 / (1.0 * 5 + 20) + b.phi[2]))


def test_the_tail_is_poisson_for_infinite_size_and_zero_expectation_is_certain() -> None:
    obs = np.array([0, 6, 6, 6])
    mu = np.array([1.0, 1.0, 1.0, 0.0])
    size = np.array([np.inf, np.inf, 2.0, np.inf])
    p = upper_p(obs, mu, size)
    assert p[0] == 1.0
    assert p[1] == pytest.approx(stats.poisson.sf(5, 1.0))
    assert p[2] == pytest.approx(stats.nbinom.sf(5, 2.0, 2.0 / 3.0))
    assert p[2] > p[1]  # over-dispersion makes a burst less surprising
    assert p[3] == 0.0


def test_profile_share_smooths_and_sums_the_window_slots() -> None:
    buckets = np.array([[0, 2, 4, 0]])
    assert profile_share(buckets, [1, 2])[0] == pytest.approx((3 + 5) / 10)
    assert profile_share(buckets, [0, 1, 2, 3])[0] == pytest.approx(1.0)
