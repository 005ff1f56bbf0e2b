"""Evaluation cases (/work/shared/eval/README.md, format version 1): loading them
into the database, ranking them with the real selectors, and the metrics.

The metrics read feasibility from the case file itself (not from the ranker), so
the ranker cannot grade its own homework.
"""

import json
import math
import random
import secrets
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

from core.clock import at, local_today
from matching import services
from matching.rules import (
    WeeklySlot,
    bigrams,
    containment,
    distance_km,
    schedule_fit,
)
from matching.selectors import opportunities_for_participant
from opportunities.models import Opportunity, Partner, Session
from people.models import AvailabilitySlot, ParticipantProfile
from people.readiness import TOO_HIGH, readiness_fit

# Weekly patterns become sessions over this many weeks from tomorrow (inside the
# selectors' 8-week window).
CASE_WEEKS = 4
KIND_VALUES = {k.value for k in Opportunity.Kind}


def load_cases(path: str | Path) -> dict:
    cases = json.loads(Path(path).read_text(encoding="utf-8"))
    if cases.get("version") != 1:
        raise ValueError(f"{path}: unsupported case format version {cases.get('version')!r}")
    return cases


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@dataclass
class LoadedCases:
    participants: dict[str, ParticipantProfile]  # case id → saved row
    opportunities: dict[str, Opportunity]


def cases_into_db(cases: dict, *, start: date | None = None) -> LoadedCases:
    """Create the rows for a case file and embed them synchronously.

    Call inside a transaction that the caller rolls back: the rows get random
    codes so they cannot collide with real data, and the post_save tasks are
    only queued on commit, so nothing is left behind."""
    token = secrets.token_hex(3)
    first_day = (start or local_today()) + timedelta(days=1)
    partners: dict[str, Partner] = {}
    opportunities: dict[str, Opportunity] = {}
    for n, case in enumerate(cases["opportunities"]):
        place = case.get("location") or {}
        partner_name = case.get("partner") or "partner"
        if partner_name not in partners:
            partners[partner_name] = Partner.objects.create(
                code=f"ev{token}p{len(partners)}",
                name=partner_name,
                category=Partner.Category.COMMERCE,
                municipality=place.get("municipality", ""),
                lat=place.get("lat"),
                lon=place.get("lon"),
                offers_work_acceptance=True,
            )
        kind = case.get("kind", Opportunity.Kind.VOLUNTEERING)
        if kind not in KIND_VALUES:
            raise ValueError(f"{case['id']}: unknown kind {kind!r}")
        step = int(case.get("min_readiness", 1))
        employment_type = ""
        if kind == Opportunity.Kind.INTERMEDIATE_EMPLOYMENT:
            # Step 5 is employment-type intermediate employment (ARCHITECTURE.md).
            employment_type = (
                Opportunity.EmploymentType.EMPLOYMENT
                if step >= 5
                else Opportunity.EmploymentType.NON_EMPLOYMENT
            )
        opportunity = Opportunity.objects.create(
            code=f"ev{token}o{n}",
            partner=partners[partner_name],
            title=case["title"],
            description=case.get("description", ""),
            kind=kind,
            employment_type=employment_type,
            is_farm_setting=kind == Opportunity.Kind.FARM_WELFARE,
            min_readiness=step,
            skills=list(case.get("skills", [])),
            status=Opportunity.Status.OPEN,
            municipality=place.get("municipality", ""),
            lat=place.get("lat"),
            lon=place.get("lon"),
        )
        sessions = []
        for week in range(CASE_WEEKS):
            for pattern in case.get("sessions", []):
                offset = (pattern["weekday"] - first_day.weekday()) % 7 + 7 * week
                day = first_day + timedelta(days=offset)
                sessions.append(
                    Session(
                        opportunity=opportunity,
                        starts_at=at(day, _time(pattern["start"])),
                        ends_at=at(day, _time(pattern["end"])),
                        capacity=opportunity.capacity,
                    )
                )
        Session.objects.bulk_create(sessions)
        opportunities[case["id"]] = opportunity

    participants: dict[str, ParticipantProfile] = {}
    for n, case in enumerate(cases["participants"]):
        place = case.get("location") or {}
        travel = float(case.get("max_travel_km", 10))
        participant = ParticipantProfile.objects.create(
            code=f"ev{token}u{n}",
            display_name=case.get("display_name", case["id"]),
            self_description=case.get("self_description", ""),
            skills=list(case.get("skills", [])),
            interests=list(case.get("interests", [])),
            municipality=place.get("municipality", ""),
            lat=place.get("lat"),
            lon=place.get("lon"),
            max_travel_km=math.ceil(travel),
            readiness=int(case.get("readiness", 1)),
        )
        # The column holds whole kilometres; the cases allow 8.5. Ranking reads
        # this instance, so keep the exact figure on it.
        participant.max_travel_km = travel
        AvailabilitySlot.objects.bulk_create(
            [
                AvailabilitySlot(
                    participant=participant,
                    weekday=a["weekday"],
                    start=_time(a["start"]),
                    end=_time(a["end"]),
                )
                for a in case.get("availability", [])
            ],
            ignore_conflicts=True,
        )
        participants[case["id"]] = participant

    services.opportunities_embed(opportunities=list(opportunities.values()))
    services.participants_embed(participants=list(participants.values()))
    return LoadedCases(participants, opportunities)


def rank_loaded(loaded: LoadedCases) -> dict[str, list[str]]:
    """Every opportunity for every participant, best first, by the page ranker."""
    case_id = {o.pk: cid for cid, o in loaded.opportunities.items()}
    candidates = Opportunity.objects.filter(pk__in=list(case_id))
    return {
        pid: [
            case_id[m.opportunity.pk]
            for m in opportunities_for_participant(
                participant=participant, opportunities=candidates, limit=None
            )
        ]
        for pid, participant in loaded.participants.items()
    }


# ------------------------------------------------------------------- metrics


def _slots(items) -> list[WeeklySlot]:
    return [WeeklySlot(i["weekday"], _time(i["start"]), _time(i["end"])) for i in items]


def case_feasible(participant: dict, opportunity: dict) -> bool:
    """The README's definition: not two or more steps too high, some session
    inside the person's availability, within max_travel_km (great circle)."""
    if readiness_fit(participant["readiness"], opportunity["min_readiness"]) == TOO_HIGH:
        return False
    if not schedule_fit(
        _slots(opportunity["sessions"]), _slots(participant["availability"])
    ).feasible:
        return False
    a, b = participant.get("location") or {}, opportunity.get("location") or {}
    km = distance_km(a.get("lat"), a.get("lon"), b.get("lat"), b.get("lon"))
    return km is None or km <= participant["max_travel_km"]


def ndcg_at(ranking: list[str], relevance: dict[str, int], k: int = 5) -> float:
    def dcg(grades):
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:k]))

    ideal = dcg(sorted(relevance.values(), reverse=True))
    return dcg([relevance.get(o, 0) for o in ranking]) / ideal if ideal > 0 else 0.0


@dataclass
class Metrics:
    ndcg5: float
    infeasible_top5: float

    def as_dict(self) -> dict:
        return {
            "ndcg@5": round(self.ndcg5, 4),
            "infeasible_in_top5": round(self.infeasible_top5, 4),
        }


def evaluate(cases: dict, rankings: dict[str, list[str]], k: int = 5) -> Metrics:
    people = {p["id"]: p for p in cases["participants"]}
    postings = {o["id"]: o for o in cases["opportunities"]}
    judgements = cases.get("judgements", {})
    ndcgs, slots, infeasible = [], 0, 0
    for pid, person in people.items():
        ranking = rankings.get(pid, [])
        ndcgs.append(ndcg_at(ranking, judgements.get(pid, {}), k))
        for oid in ranking[:k]:
            slots += 1
            infeasible += not case_feasible(person, postings[oid])
    return Metrics(sum(ndcgs) / max(1, len(ndcgs)), infeasible / max(1, slots))


def per_participant_ndcg(
    cases: dict, rankings: dict[str, list[str]], k: int = 5
) -> dict[str, float]:
    judgements = cases.get("judgements", {})
    return {pid: ndcg_at(rankings.get(pid, []), judgements.get(pid, {}), k) for pid in rankings}


# ------------------------------------------------------------------- baselines


def random_rankings(cases: dict, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    ids = [o["id"] for o in cases["opportunities"]]
    return {p["id"]: rng.sample(ids, len(ids)) for p in cases["participants"]}


def random_baseline(cases: dict, runs: int = 200) -> Metrics:
    """Mean over many shuffles, so the figure is stable from run to run."""
    results = [evaluate(cases, random_rankings(cases, seed)) for seed in range(runs)]
    return Metrics(
        sum(r.ndcg5 for r in results) / runs,
        sum(r.infeasible_top5 for r in results) / runs,
    )


def keyword_rankings(cases: dict) -> dict[str, list[str]]:
    """Keyword-only: share of the person's bigrams found in the posting, nothing else."""
    docs = {
        o["id"]: bigrams(
            " ".join([o["title"], o.get("description", ""), " ".join(o.get("skills", []))])
        )
        for o in cases["opportunities"]
    }
    out = {}
    for p in cases["participants"]:
        mine = bigrams(
            " ".join([p.get("self_description", ""), *p.get("skills", []), *p.get("interests", [])])
        )
        out[p["id"]] = sorted(docs, key=lambda oid: (-containment(mine, docs[oid]), oid))
    return out
