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
from django.utils.translation import gettext_lazy

from core.choices import Weekday
from matching.rules import ScheduleFit, WeeklySlot
from people.readiness import FIT, NEXT_STEP, TOO_HIGH, readiness_closeness, readiness_fit


@dataclass(frozen=True)
class Weights:
    # Tuned on tests/matching/cases_tuning.json (never on the dev set) with
    # coordinate ascent and a split-half check against over-fitting. Similarities
    # are cosines of unit vectors; for USE-m3 a whole profile and a posting on the
    # same topic score about 0.3-0.6, unrelated ones under 0.2.
    profile: float = 1.0  # whole profile (or search text) vs posting
    term: float = 1.0  # best single interest/skill vs posting
    skill: float = 1.0  # best interest/skill vs one of the posting's skills
    keyword: float = 0.3  # bigram containment of the person's words in the posting
    setting: float = 0.2  # quiet / with people / physical, as the person asked (traits.py)
    schedule: float = 0.7  # best share of a session inside the person's free time
    distance: float = 0.3  # closeness relative to how far the person can travel
    readiness: float = 1.0  # own step or one below is best (people.readiness)
    # Added to a similarity in proportion to how far apart the two texts' languages
    # are (PairFacts.language_gap): with USE-m3 a Japanese text and an English one
    # score lower than two texts in one language on the same footing. Measured
    # without labels, as the mean gap between same-language and cross-language
    # pairs over all pairs of both tuning files (profile 0.032-0.035, interest
    # 0.009-0.013, interest vs skill 0.017-0.038).
    cross_lingual_profile: float = 0.03
    cross_lingual_term: float = 0.01
    cross_lingual_skill: float = 0.02
    # Below these a phrase is not named as a reason (on the tuning cases about the
    # 95th percentile of unrelated pairs, the median of strong ones).
    term_reason_threshold: float = 0.22
    skill_reason_threshold: float = 0.65
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
    # interest/skill phrase → best cosine with one of the posting's skills
    skill_similarities: dict[str, float] = field(default_factory=dict)
    interests: frozenset[str] = frozenset()
    keyword_overlap: float = 0.0
    # traits.setting_fit: -1 (what the person avoids) … +1, and the traits behind it
    setting_fit: float = 0.0
    setting_why: tuple[str, ...] = ()
    literal_terms: tuple[str, ...] = ()  # phrases found word for word in the posting
    query: str = ""
    participant_step: int | None = None
    min_step: int = 1
    schedule: ScheduleFit | None = None
    has_sessions: bool = True
    distance_km: float | None = None
    max_travel_km: float | None = None
    # |Japanese share of one text − of the other| (rules.japanese_share): 0 same language, 1 not
    language_gap: float = 0.0


@dataclass
class PairScore:
    score: float
    feasible: bool
    readiness_fit: str
    reasons: list[str]


def score_pair(
    facts: PairFacts, weights: Weights = DEFAULT_WEIGHTS, *, explain: bool = True
) -> PairScore:
    """Score one pair. ``explain=False`` skips the reasons (lists score many
    candidates and explain only the ones they show; see ``pair_reasons``)."""
    fit = _fit(facts)
    time_ok = facts.schedule is None or facts.schedule.feasible
    place_ok = (
        facts.distance_km is None
        or facts.max_travel_km is None
        or facts.distance_km <= facts.max_travel_km
    )
    feasible = fit != TOO_HIGH and time_ok and place_ok

    gap = facts.language_gap
    profile = facts.profile_similarity
    term = max(facts.term_similarities.values(), default=None)
    skill = max(facts.skill_similarities.values(), default=None)
    parts = [
        (
            weights.profile,
            0.0 if profile is None else profile + gap * weights.cross_lingual_profile,
        ),
        (weights.term, 0.0 if term is None else term + gap * weights.cross_lingual_term),
        (weights.skill, 0.0 if skill is None else skill + gap * weights.cross_lingual_skill),
        (weights.keyword, facts.keyword_overlap),
    ]
    if facts.participant_step is not None:
        parts.append((weights.setting, facts.setting_fit))
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
        reasons=pair_reasons(facts, weights) if explain else [],
    )


def _fit(facts: PairFacts) -> str:
    if facts.participant_step is None:
        return FIT
    return readiness_fit(facts.participant_step, facts.min_step)


def pair_reasons(facts: PairFacts, weights: Weights = DEFAULT_WEIGHTS) -> list[str]:
    """Plain-language reasons in the active language: topic, setting, time,
    distance, readiness, in that order."""
    return _reasons(facts, _fit(facts), _matched_term(facts, weights), weights)


def _matched_term(facts: PairFacts, weights: Weights) -> str | None:
    """The interest or skill to name as the reason, if one matches clearly:
    its embedding is close to the posting or to one of its skills, or it appears
    word for word (two characters or more; 車 alone also hits 車いす)."""
    best, best_evidence = None, 1.0
    for term in dict.fromkeys(
        [*facts.term_similarities, *facts.skill_similarities, *facts.literal_terms]
    ):
        evidence = max(
            facts.term_similarities.get(term, 0.0) / weights.term_reason_threshold,
            facts.skill_similarities.get(term, 0.0) / weights.skill_reason_threshold,
            1.0 if term in facts.literal_terms and len(term) >= 2 else 0.0,
        )
        if evidence >= best_evidence:
            best, best_evidence = term, evidence
    return best


def _reasons(facts: PairFacts, fit: str, term: str | None, weights: Weights) -> list[str]:
    reasons = []
    if facts.query:
        if (
            facts.profile_similarity or 0
        ) >= weights.profile_reason_threshold or facts.keyword_overlap >= 0.5:
            reasons.append(_("「%(query)s」に近い内容") % {"query": facts.query})
    elif term is not None:
        if term in facts.interests:
            reasons.append(_("%(term)sへの関心が近い") % {"term": term})
        else:
            reasons.append(_("%(term)sの経験が活かせる") % {"term": term})
    elif (facts.profile_similarity or 0) >= weights.profile_reason_threshold:
        reasons.append(_("本人の希望に近い内容"))
    reasons.extend(str(SETTING_REASONS[why]) for why in facts.setting_why if why in SETTING_REASONS)

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


SETTING_REASONS = {
    "+quiet": gettext_lazy("静かな場所で落ち着いてできる"),
    "+social": gettext_lazy("人と話す機会がある"),
    "+physical": gettext_lazy("体を動かす作業"),
    "-social": gettext_lazy("人と接する場面が多い（本人は苦手）"),
    "-physical": gettext_lazy("体力を使う作業（本人には負担）"),
}


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
    if not facts.has_sessions or schedule is None:
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
