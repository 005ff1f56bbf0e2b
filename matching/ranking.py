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
from datetime import time
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Weekday
from matching.rules import ScheduleFit, WeeklySlot
from people.readiness import FIT, NEXT_STEP, TOO_HIGH, readiness_closeness, readiness_fit
from people.skills import term_label


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
            reasons.append(_("%(term)sへの関心が近い") % {"term": term_label(term)})
        else:
            reasons.append(_("%(term)sの経験が活かせる") % {"term": term_label(term)})
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


# --------------------------------------------------------------------------- for her


@dataclass
class ReasonSplit:
    """Reasons written to the participant: what fits, and what to watch out for."""

    fits: list[str] = field(default_factory=list)
    watch: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fits or self.watch)


PARTICIPANT_SETTING_FITS = {
    "+quiet": gettext_lazy("静かな場所で落ち着いてできます"),
    "+social": gettext_lazy("人と話す機会があります"),
    "+physical": gettext_lazy("体を動かす作業です"),
}
PARTICIPANT_SETTING_WATCH = {
    "-social": gettext_lazy("人と接する場面が多いです"),
    "-physical": gettext_lazy("体力を使う作業です"),
}


def participant_reasons(facts: PairFacts, weights: Weights = DEFAULT_WEIGHTS) -> ReasonSplit:
    """The same facts as ``pair_reasons``, written to her (polite, second person,
    never the coach's 「本人は…」) and split into what fits and what to watch out
    for, in the active language."""
    split = ReasonSplit()
    fit = _fit(facts)
    term = _matched_term(facts, weights)
    if facts.query:
        if (
            facts.profile_similarity or 0
        ) >= weights.profile_reason_threshold or facts.keyword_overlap >= 0.5:
            split.fits.append(_("「%(query)s」に近い内容です") % {"query": facts.query})
    elif term is not None:
        if term in facts.interests:
            split.fits.append(_("%(term)sへの関心に合います") % {"term": term_label(term)})
        else:
            split.fits.append(_("%(term)sの経験が活かせます") % {"term": term_label(term)})
    elif (facts.profile_similarity or 0) >= weights.profile_reason_threshold:
        split.fits.append(_("あなたの希望に近い内容です"))
    for why in facts.setting_why:
        if why in PARTICIPANT_SETTING_FITS:
            split.fits.append(str(PARTICIPANT_SETTING_FITS[why]))
        elif why in PARTICIPANT_SETTING_WATCH:
            split.watch.append(str(PARTICIPANT_SETTING_WATCH[why]))

    schedule = facts.schedule
    if schedule is not None:
        if not facts.has_sessions:
            split.watch.append(_("今後8週間の開催予定はまだありません"))
        elif schedule.full_slots:
            days, part = _days(schedule.full_slots)
            split.fits.append(
                _("%(day)s%(part)sの空いている時間に合います") % {"day": days, "part": part}
            )
        elif schedule.partial_slots:
            days, _part = _days(schedule.partial_slots)
            split.watch.append(_("%(day)sは空いている時間と一部だけ重なります") % {"day": days})
        else:
            split.watch.append(_("空いている時間には開催がありません"))
    if facts.distance_km is not None:
        km, max_km = facts.distance_km, facts.max_travel_km
        shown = max(1, round(km))
        if max_km is not None and km > max_km:
            split.watch.append(
                _("移動できる距離（%(max)skm）より遠い場所です（%(km)skm）")
                % {"max": _km(max_km), "km": shown}
            )
        elif km < 1:
            split.fits.append(_("自宅から1km以内です"))
        else:
            split.fits.append(_("自宅から%(km)skmです") % {"km": shown})
    if facts.participant_step is not None:
        if fit == FIT:
            split.fits.append(_("今のステップで参加できます"))
        elif fit == NEXT_STEP:
            split.watch.append(_("次のステップの活動です（支援員の承認が必要です）"))
        else:
            split.watch.append(_("今のステップより2段以上先の活動です（まだ申し込めません）"))
    return split


# --------------------------------------------------------------------------- storage


def _slot_json(slot: WeeklySlot) -> list:
    return [slot.weekday, slot.start.isoformat(), slot.end.isoformat()]


def _slot_from(row: list) -> WeeklySlot:
    return WeeklySlot(int(row[0]), time.fromisoformat(row[1]), time.fromisoformat(row[2]))


def facts_to_json(facts: PairFacts) -> dict[str, Any]:
    """PairFacts as plain JSON, so stored recommendations can be explained later
    in whatever language is active then (matching.models.Recommendation)."""
    schedule = facts.schedule
    return {
        "profile_similarity": facts.profile_similarity,
        "term_similarities": facts.term_similarities,
        "skill_similarities": facts.skill_similarities,
        "interests": sorted(facts.interests),
        "keyword_overlap": facts.keyword_overlap,
        "setting_fit": facts.setting_fit,
        "setting_why": list(facts.setting_why),
        "literal_terms": list(facts.literal_terms),
        "query": facts.query,
        "participant_step": facts.participant_step,
        "min_step": facts.min_step,
        "schedule": None
        if schedule is None
        else {
            "fraction": schedule.fraction,
            "full_slots": [_slot_json(s) for s in schedule.full_slots],
            "partial_slots": [_slot_json(s) for s in schedule.partial_slots],
        },
        "has_sessions": facts.has_sessions,
        "distance_km": facts.distance_km,
        "max_travel_km": facts.max_travel_km,
        "language_gap": facts.language_gap,
    }


def facts_from_json(data: dict[str, Any]) -> PairFacts:
    """The inverse of ``facts_to_json``; unknown keys are ignored, missing ones default."""
    schedule = data.get("schedule")
    return PairFacts(
        profile_similarity=data.get("profile_similarity"),
        term_similarities=dict(data.get("term_similarities") or {}),
        skill_similarities=dict(data.get("skill_similarities") or {}),
        interests=frozenset(data.get("interests") or ()),
        keyword_overlap=float(data.get("keyword_overlap") or 0.0),
        setting_fit=float(data.get("setting_fit") or 0.0),
        setting_why=tuple(data.get("setting_why") or ()),
        literal_terms=tuple(data.get("literal_terms") or ()),
        query=data.get("query") or "",
        participant_step=data.get("participant_step"),
        min_step=int(data.get("min_step") or 1),
        schedule=None
        if schedule is None
        else ScheduleFit(
            float(schedule["fraction"]),
            tuple(_slot_from(s) for s in schedule["full_slots"]),
            tuple(_slot_from(s) for s in schedule["partial_slots"]),
        ),
        has_sessions=bool(data.get("has_sessions", True)),
        distance_km=data.get("distance_km"),
        max_travel_km=data.get("max_travel_km"),
        language_gap=float(data.get("language_gap") or 0.0),
    )
