import json

import pytest
from django.apps import apps
from django.core.management import call_command

from devtools.evaluation import case_feasible, evaluate, keyword_rankings, ndcg_at
from matching.models import OpportunityEmbedding
from tests.builders import make_opportunity, make_participant

CASES = {
    "version": 1,
    "participants": [
        {
            "id": "p1",
            "display_name": "A",
            "self_description": "畑で野菜を育てたい。",
            "skills": ["草取り"],
            "interests": ["畑"],
            "readiness": 2,
            "availability": [{"weekday": 0, "start": "09:00", "end": "12:00"}],
            "location": {"municipality": "山武市", "lat": 35.60, "lon": 140.41},
            "max_travel_km": 8.5,
        },
        {
            "id": "p2",
            "display_name": "B",
            "self_description": "本の整理が好きです。",
            "skills": ["整理"],
            "interests": ["本"],
            "readiness": 3,
            "availability": [{"weekday": 2, "start": "13:00", "end": "17:00"}],
            "location": {"municipality": "東金市", "lat": 35.56, "lon": 140.37},
            "max_travel_km": 10,
        },
    ],
    "opportunities": [
        {
            "id": "o1",
            "title": "畑の草取り",
            "description": "野菜畑の草取り",
            "kind": "farm_welfare",
            "min_readiness": 1,
            "skills": ["草取り"],
            "sessions": [{"weekday": 0, "start": "09:00", "end": "11:00"}],
            "location": {"municipality": "山武市", "lat": 35.61, "lon": 140.42},
            "partner": "農園",
        },
        {
            "id": "o2",
            "title": "古本の整理",
            "description": "本を棚に並べます",
            "kind": "supported_work",
            "min_readiness": 3,
            "skills": ["整理"],
            "sessions": [{"weekday": 2, "start": "13:00", "end": "15:00"}],
            "location": {"municipality": "東金市", "lat": 35.57, "lon": 140.36},
            "partner": "古書店",
        },
        {
            "id": "o3",
            "title": "Paid packing line",
            "description": "Employment-type packing",
            "kind": "intermediate_employment",
            "min_readiness": 5,
            "skills": ["packing"],
            "sessions": [{"weekday": 0, "start": "09:00", "end": "12:00"}],
            "location": {"municipality": "山武市", "lat": 35.60, "lon": 140.41},
            "partner": "工場",
        },
    ],
    "judgements": {"p1": {"o1": 3}, "p2": {"o2": 3}},
}


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"people", "opportunities", "matching", "django_q"}
    }


@pytest.mark.django_db(transaction=True)
def test_rank_cases_writes_every_opportunity_and_leaves_the_database_unchanged(tmp_path):
    make_participant()  # some real data that must survive untouched
    make_opportunity()
    source = tmp_path / "cases.json"
    source.write_text(json.dumps(CASES, ensure_ascii=False), encoding="utf-8")
    before = row_counts()

    call_command("rank_cases", str(source), "--output", str(tmp_path / "out.json"))

    assert row_counts() == before
    rankings = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["rankings"]
    assert set(rankings) == {"p1", "p2"}
    assert all(sorted(r) == ["o1", "o2", "o3"] for r in rankings.values())
    assert rankings["p1"][0] == "o1" and rankings["p1"][-1] == "o3"  # o3 is two steps too high
    assert rankings["p2"][0] == "o2"


@pytest.mark.django_db
def test_eval_matching_reports_ours_and_both_baselines(tmp_path, capsys):
    source = tmp_path / "cases.json"
    source.write_text(json.dumps(CASES, ensure_ascii=False), encoding="utf-8")
    call_command("eval_matching", str(source), "--json")
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"ours", "keyword-only", "random"}
    assert report["ours"]["ndcg@5"] == 1.0
    assert report["ours"]["infeasible_in_top5"] <= report["random"]["infeasible_in_top5"]


def test_metrics_follow_the_readme():
    assert ndcg_at(["a", "b"], {"a": 3, "b": 2}) == 1.0
    assert ndcg_at(["b", "a"], {"a": 3, "b": 2}) < 1.0
    assert ndcg_at(["x"], {}) == 0.0
    p1, (o1, o2, o3) = CASES["participants"][0], CASES["opportunities"]
    assert case_feasible(p1, o1)
    assert not case_feasible(p1, o2)  # Wednesday afternoon, and 6 km too far
    assert not case_feasible(p1, o3)  # two steps too high
    metrics = evaluate(CASES, {"p1": ["o3", "o2", "o1"], "p2": ["o2"]}, k=5)
    assert metrics.infeasible_top5 == pytest.approx(2 / 4)
    assert keyword_rankings(CASES)["p1"][0] == "o1"


@pytest.mark.django_db
def test_embed_all_back_fills_and_resumes():
    for n in range(3):
        make_opportunity(title=f"活動{n}")
    call_command("embed_all", "--batch-size", "2", verbosity=0)
    assert OpportunityEmbedding.objects.count() == 3
    stamps = set(OpportunityEmbedding.objects.values_list("updated_at", flat=True))
    call_command("embed_all", verbosity=0)  # nothing changed: nothing re-embedded
    assert set(OpportunityEmbedding.objects.values_list("updated_at", flat=True)) == stamps


# transaction=True: the bench drops and rebuilds the HNSW index, which a test's
# surrounding transaction (with deferred constraint checks pending) forbids.
@pytest.mark.django_db(transaction=True)
def test_bench_prints_the_contract_keys_at_a_tiny_scale():
    from devtools import matching_bench as bench

    result = bench.run(opportunities=40, participants=12, samples=5, log=lambda _m: None)
    for key in bench.CONTRACT_KEYS:
        assert key in result, key
    assert result["opportunities"] == 40 and result["participants"] == 12
    assert 0.0 <= result["recall_at_10"] <= 1.0 and 0.0 <= result["recall_at_10_planned"] <= 1.0
    assert result["top10_hnsw_p95_ms"] >= result["top10_hnsw_p50_ms"] >= 0
    assert result["embed_texts_per_s"] > 0 and result["backfill_s"] >= 0
    json.dumps(result)  # one JSON line
