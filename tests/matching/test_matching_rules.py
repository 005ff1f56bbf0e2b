from datetime import time

import pytest

from matching.rules import WeeklySlot, bigrams, containment, distance_km, schedule_fit
from people.readiness import FIT, NEXT_STEP, TOO_HIGH, readiness_closeness, readiness_fit


@pytest.mark.parametrize(
    ("person", "minimum", "expected"),
    [
        (3, 3, FIT),
        (5, 1, FIT),
        (2, 3, NEXT_STEP),
        (1, 2, NEXT_STEP),
        (1, 3, TOO_HIGH),
        (2, 5, TOO_HIGH),
    ],
)
def test_readiness_fit_follows_the_ladder(person, minimum, expected):
    assert readiness_fit(person, minimum) == expected


def test_readiness_closeness_prefers_own_step_and_one_below():
    assert readiness_closeness(3, 3) == readiness_closeness(3, 2) == 1.0
    assert readiness_closeness(3, 4) < 1.0  # next step: possible, with approval
    assert (
        readiness_closeness(5, 1) < readiness_closeness(5, 3) < 1.0
    )  # far below: shown, ranked lower
    assert readiness_closeness(1, 3) == 0.0


def slot(day, start, end):
    return WeeklySlot(day, time(*start), time(*end))


def test_schedule_fit_full_partial_and_none():
    free = [slot(0, (9, 0), (12, 0))]
    full = schedule_fit([slot(0, (9, 30), (11, 0))], free)
    assert full.fraction == 1.0 and full.feasible and full.full_slots

    partial = schedule_fit([slot(0, (11, 0), (13, 0))], free)
    assert (
        partial.fraction == 0.5
        and partial.feasible
        and partial.partial_slots
        and not partial.full_slots
    )

    none = schedule_fit([slot(1, (9, 0), (12, 0)), slot(0, (13, 0), (15, 0))], free)
    assert none.fraction == 0 and not none.feasible


def test_distance_km_is_great_circle():
    # Tokyo Station → Chiba Station is about 33 km as the crow flies.
    assert distance_km(35.6812, 139.7671, 35.6130, 140.1133) == pytest.approx(32.2, abs=1.0)
    assert distance_km(None, 140.0, 35.0, 140.0) is None


def test_bigrams_handle_japanese_without_segmenter_and_english_as_words():
    assert {"古本", "値札"} <= bigrams("古本のクリーニングと値札貼り")
    assert "です" not in bigrams("作業が好きです")  # hiragana-only pairs are grammar
    assert bigrams("Listing used books online") >= {"listing", "book", "online"}
    assert containment(bigrams("調理"), bigrams("子ども食堂の調理と配膳")) == 1.0
    assert containment(bigrams("料理"), bigrams("子ども食堂の調理と配膳")) == 0.0
