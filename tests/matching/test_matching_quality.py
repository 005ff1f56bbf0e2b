"""Ranking quality with the real default model (slow: loads USE-m3, about a second).

The dev set is shared, hand-judged and never used for tuning (the weights were
tuned on the cases_tuning*.json files beside this file)."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from devtools.evaluation import (
    cases_into_db,
    evaluate,
    keyword_rankings,
    load_cases,
    random_baseline,
    rank_loaded,
)

DEV_CASES = Path(
    os.environ.get(
        "MATCHING_DEV_CASES", Path(settings.BASE_DIR).parent / "shared/eval/matching_dev.json"
    )
)
TUNING_CASES = Path(__file__).with_name("cases_tuning.json")
# Written later, by someone who had not seen the ranker, and judged densely
# (about 8 postings per person): a check that the weights were not fitted to
# the first file's judgements only.
FRESH_CASES = Path(__file__).with_name("cases_tuning_3.json")

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def run(path: Path):
    cases = load_cases(path)
    with override_settings(EMBEDDING_BACKEND="use-multilingual-v3"):
        ours = evaluate(cases, rank_loaded(cases_into_db(cases)))
    return ours, evaluate(cases, keyword_rankings(cases)), random_baseline(cases, runs=50)


@pytest.mark.skipif(not DEV_CASES.exists(), reason=f"{DEV_CASES} is not on this machine")
def test_dev_set_meets_the_targets():
    # Measured NDCG@5 0.861 with use-multilingual-v3 (0.823 before skills and
    # interests carried both their Japanese and English labels; no weight was
    # tuned), infeasible 0.000, keyword 0.218, random 0.123.
    ours, keyword, random = run(DEV_CASES)
    assert ours.infeasible_top5 <= 0.02
    assert ours.ndcg5 > keyword.ndcg5 + 0.3 and ours.ndcg5 > random.ndcg5 + 0.3
    assert ours.ndcg5 >= 0.85


def test_tuning_cases_stay_where_they_were_tuned():
    ours, keyword, random = run(TUNING_CASES)
    assert ours.ndcg5 >= 0.88
    # Some people there have fewer than five feasible postings: 0.081 is the floor.
    assert ours.infeasible_top5 <= 0.09
    assert ours.ndcg5 > keyword.ndcg5 and ours.ndcg5 > random.ndcg5


def test_fresh_cases_rank_well():
    ours, keyword, random = run(FRESH_CASES)
    # Measured 0.920 and 0.000; every person there has at least five feasible postings.
    assert ours.ndcg5 >= 0.88
    assert ours.infeasible_top5 <= 0.02
    assert ours.ndcg5 > keyword.ndcg5 + 0.3 and ours.ndcg5 > random.ndcg5 + 0.3


def test_ranking_crosses_languages_with_the_default_model():
    from matching.selectors import opportunities_for_participant, opportunities_search
    from tests.builders import make_opportunity, make_participant
    from tests.matching.conftest import available, embed_everything, weekly_sessions

    with override_settings(EMBEDDING_BACKEND="use-multilingual-v3"):
        postings = {
            "dogs": make_opportunity(
                title="Walking shelter dogs",
                description="Take calm dogs for short walks and brush them.",
            ),
            "books": make_opportunity(
                title="Pricing used books",
                description="Clean donated books and put price labels on them.",
            ),
            "kitchen": make_opportunity(
                title="Kitchen help at a lunch café",
                description="Wash vegetables and plate lunches.",
            ),
            "畑": make_opportunity(
                title="畑の草取りと野菜の収穫", description="農園で野菜を収穫し、畑の草を取ります。"
            ),
        }
        for posting in postings.values():
            weekly_sessions(posting, 1, "10:00", "12:00")
        person = make_participant(
            self_description="犬が大好きで、散歩が得意です。", interests=["犬", "散歩"], skills=[]
        )
        available(person, 1, "09:00", "13:00")
        embed_everything()

        assert (
            opportunities_for_participant(participant=person)[0].opportunity == postings["dogs"]
        )  # JA → EN
        assert (
            opportunities_search(query="vegetable farming")[0].opportunity == postings["畑"]
        )  # EN → JA
        assert opportunities_search(query="古本")[0].opportunity == postings["books"]  # JA → EN
        # A text that means nothing finds nothing (the page shows its empty state).
        assert opportunities_search(query="zzzzqqq") == []
