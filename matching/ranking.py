"""Scoring one pair (a person or a search text, and a posting), with reasons.

Pure functions over plain values, so the weights can be tested and tuned without
a database. selectors.py gathers the facts (vectors, sessions, distances) and
calls ``score_pair`` for each candidate.

The score orders a list: feasible matches score in [2, 3), matches that fail on
time or distance in [1, 2), and postings two or more steps above the person's
readiness in [0, 1), so an infeasible posting can never sit above a feasible one.
Within a band the quality in [0, 1) blends topic closeness (embedding similarity
of the whole profile, of each interest or skill, and character-bigram keyword
overlap) with practical fit (time, distance, readiness).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.choices import Weekday
from matching.rules import (
    FIT,
    NEXT_STEP,
    TOO_HIGH,
    ScheduleFit,
    WeeklySlot,
    readiness_closeness,
    readiness_fit,
)


@dataclass(frozen=True)
class Weights:
    # Tuned on tests/matching/cases_tuning.json (never on the dev set); see
    # `manage.py eval_matching`. Similarities are cosines of unit vectors, which
    # for USE-m3 run about 0.05 (unrelated) to 0.6 (same topic).
    profile: float = 1.0  # whole profile (or search text) vs posting
    term: float = 1.0  # best single interest/skill vs posting
    keyword: float = 0.6  # bigram containment of the person's words in the posting
    schedule: float = 0.25  # best share of a session inside the person's free time
    distance: float = 0.15  # closeness relative to how far the person can travel
    readiness: float = 0.3  # own step or one below is best (rules.readiness_closeness)
    # Similarity below which a phrase is not named as a reason.
    term_reason_threshold: float = 0.32
    profile_reason_threshold: float = 0.3


DEFAULT_WEIGHTS = Weights()

FEASIBLE_BAND = 2.0
INFEASIBLE_BAND = 1.0
TOO_HIGH_BAND = 0.0


@dataclass
class PairFacts:
    """What is known about one pair. Similarities are None when a vector is missing
    (not embedded yet); schedule/distance are None when they cannot be judged."""

    profile_similarity: float | None = None
    # interest/skill phrase → cosine with the posting; interests are named differently
    term_similarities: dict[str, float] = field(default_factory=dict)
    interests: frozenset[str] = frozenset()
    keyword_overlap: float = 0.0
    literal_terms: tuple[str, ...] = ()  # phrases found word for word in the posting
    query: str = ""
    participant_step: int | None = None
    min_step: int = 1
    schedule: ScheduleFit | None = None
    has_sessions: bool = True
    distance_km: float | None = None
    max_travel_km: float | None = None


@dataclass
class PairScore:
    score: float
    feasible: bool
    readiness_fit: str
    reasons: list[str]


def score_pair(facts: PairFacts, weights: Weights = DEFAULT_WEIGHTS) -> PairScore:
    fit = (
        FIT
        if facts.participant_step is None
        else readiness_fit(facts.participant_step, facts.min_step)
    )
    time_ok = facts.schedule is None or facts.schedule.feasible
    place_ok = (
        facts.distance_km is None
        or facts.max_travel_km is None
        or facts.distance_km <= facts.max_travel_km
    )
    feasible = fit != TOO_HIGH and time_ok and place_ok

    best_term, best_term_sim = _best_term(facts)
    parts = [
        (weights.profile, facts.profile_similarity or 0.0),
        (weights.term, best_term_sim),
        (weights.keyword, facts.keyword_overlap),
    ]
    if facts.schedule is not None:
        parts.append((weights.schedule, facts.schedule.fraction))
    if facts.distance_km is not None and facts.max_travel_km:
        parts.append(
            (weights.distance, max(0.0, 1.0 - facts.distance_km / max(facts.max_travel_km, 1.0)))
        )
    if facts.participant_step is not None:
        parts.append(
            (weights.readiness, readiness_closeness(facts.participant_step, facts.min_step))
        )
    total = sum(w for w, _v in parts) or 1.0
    quality = min(0.999, max(0.0, sum(w * v for w, v in parts) / total))

    band = FEASIBLE_BAND if feasible else INFEASIBLE_BAND if fit != TOO_HIGH else TOO_HIGH_BAND
    return PairScore(
        score=band + quality,
        feasible=feasible,
        readiness_fit=fit,
        reasons=_reasons(facts, fit, best_term, best_term_sim, weights),
    )


def _best_term(facts: PairFacts) -> tuple[str | None, float]:
    best, best_sim = None, 0.0
    for term, sim in facts.term_similarities.items():
        if sim > best_sim:
            best, best_sim = term, sim
    # A phrase that appears word for word counts as a strong match even when the
    # embedding of a two-character word is vague.
    for term in facts.literal_terms:
        if best_sim < 0.5:
            best, best_sim = term, 0.5
    return best, best_sim


def _reasons(
    facts: PairFacts, fit: str, term: str | None, term_sim: float, weights: Weights
) -> list[str]:
    reasons = []
    if facts.query and (
        (facts.profile_similarity or 0) >= weights.profile_reason_threshold
        or facts.keyword_overlap >= 0.5
    ):
        reasons.append(_("「%(query)s」に近い内容") % {"query": facts.query})
    elif term and term_sim >= weights.term_reason_threshold:
        if term in facts.interests:
            reasons.append(_("%(term)sへの関心が近い") % {"term": term})
        else:
            reasons.append(_("%(term)sの経験が活かせる") % {"term": term})
    elif not facts.query and (facts.profile_similarity or 0) >= weights.profile_reason_threshold:
        reasons.append(_("本人の希望に近い内容"))

    if facts.schedule is not None:
        reasons.append(_schedule_reason(facts))
    if facts.distance_km is not None:
        reasons.append(_distance_reason(facts.distance_km, facts.max_travel_km))
    if facts.participant_step is not None:
        reasons.append(
            {
                FIT: _("今のステップに合う"),
                NEXT_STEP: _("次のステップ（支援員の承認が必要）"),
                TOO_HIGH: _("今のステップより2段以上高い（申し込めません）"),
            }[fit]
        )
    return reasons


def day_part(slot: WeeklySlot) -> str:
    if slot.start.hour >= 17:
        return _("夕方")
    if slot.start.hour >= 12:
        return _("午後")
    if slot.end.hour < 12 or (slot.end.hour == 12 and slot.end.minute <= 30):
        return _("午前")
    return _("昼")


def _days(slots: tuple[WeeklySlot, ...], limit: int = 3) -> tuple[str, str]:
    """「月曜・水曜」 and the day part they share (or the first one's)."""
    weekdays = sorted({s.weekday for s in slots})
    names = [str(Weekday(d).label) for d in weekdays[:limit]]
    parts = {day_part(s) for s in slots}
    part = parts.pop() if len(parts) == 1 else ""
    return _("・").join(names), part


def _schedule_reason(facts: PairFacts) -> str:
    schedule = facts.schedule
    if not facts.has_sessions:
        return _("今後8週間の開催予定がない")
    if schedule.full_slots:
        days, part = _days(schedule.full_slots)
        return _("%(day)s%(part)sが合う") % {"day": days, "part": part}
    if schedule.partial_slots:
        days, _part = _days(schedule.partial_slots)
        return _("%(day)sは時間の一部が合う") % {"day": days}
    return _("空いている時間に開催がない")


def _distance_reason(km: float, max_km: float | None) -> str:
    shown = max(1, round(km))
    if max_km is not None and km > max_km:
        return _("移動できる距離（%(max)skm）より遠い（%(km)skm）") % {
            "max": _km(max_km),
            "km": shown,
        }
    if km < 1:
        return _("自宅から1km以内")
    return _("自宅から%(km)skm") % {"km": shown}


def _km(value: float) -> str:
    return f"{value:g}"
