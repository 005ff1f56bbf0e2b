"""Ranked matches between participants and opportunities, with reasons.

Public, stable API (pages, the API and the sign-up flow call these):
``opportunities_for_participant``, ``opportunities_search`` and
``participants_for_opportunity``; each returns dataclasses sorted best first.

How a list is built: small candidate sets (up to EXACT_LIMIT rows, e.g. one
partner's postings or the evaluation cases) are scored exhaustively. Large ones
(a prefecture's 10^5 postings) first take the nearest neighbours of the profile
(and of its first interests, or of the search text) from the HNSW index,
filtered in SQL to what the person can reach (readiness at most one step short,
a bounding box around home) with pgvector 0.8 iterative index scans so the
filter does not starve the result; the same scoring (ranking.score_pair) then
reorders them, checking time and exact distance. If the nearest postings are
mostly infeasible the search widens once; if there are still too few feasible
ones, the nearest infeasible ones fill the end of the list, below them all.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time, timedelta
from functools import lru_cache

import numpy as np
from django.db import connection, transaction
from django.db.models import (
    BinaryField,
    Case,
    CharField,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import ExtractIsoWeekDay, Power, TruncTime
from django.utils import timezone
from pgvector.django import CosineDistance

from matching import embeddings
from matching.models import (
    OpportunityEmbedding,
    ParticipantEmbedding,
    Recommendation,
    TermEmbedding,
    typed_vector,
)
from matching.ranking import (
    DEFAULT_WEIGHTS,
    PairFacts,
    Weights,
    facts_from_json,
    pair_reasons,
    score_pair,
)
from matching.rules import (
    WeeklySlot,
    bigrams,
    containment,
    distance_km,
    japanese_share,
    schedule_fit,
)
from matching.services import (
    KIND_WORDS,
    opportunity_document,
    participant_document,
    participant_own_text,
    participant_terms,
)
from matching.traits import PersonTraits, person_traits, posting_traits, setting_fit
from opportunities.models import Opportunity, Session
from people.models import AvailabilitySlot, ParticipantProfile
from people.readiness import highest_step_offered, lowest_step_reaching
from people.skills import term_labels_all

# "Upcoming" for schedule overlap: what a coach would plan for.
SCHEDULE_WINDOW = timedelta(weeks=8)
# Candidate sets up to this size are scored exhaustively (cheap: a few queries).
EXACT_LIMIT = 600
# Nearest neighbours taken from the index before re-scoring, per query vector.
ANN_CANDIDATES = 150
# Up to this many reachable candidates, nearest neighbours are found by computing
# every distance (rows found by the box index); above it, by the HNSW index.
# bench_matching at 10^5 postings across Chiba (p50): exact takes ~4 ms for a
# person who travels 3 km (about 1,000 rows), ~9 ms at 5 km, ~55 ms at 20 km
# (about 20,000 rows); a filtered HNSW scan ~150 ms at 3 km, because it wades
# through every posting outside the box to find the few inside, and ~15 ms at
# 20 km. 6,000 gave the lowest p95 of 6,000 / 12,000 / 30,000 in the same run.
EXACT_SCAN_LIMIT = 6000
# A search keeps postings at least this share as similar to the text as the best one.
SEARCH_RELATIVE_FLOOR = 0.5
# ... and never below this similarity, so a text that means nothing (「zzzzqqq」)
# finds nothing. Per model, since each has its own scale: with USE-m3, nonsense
# strings reach at most 0.07-0.175 against the tuning postings, real queries
# 0.19-0.61 on the postings about them (「土いじり」 0.20). The fake test backend
# hashes one word into one bucket, which can collide at about 0.22.
SEARCH_ABSOLUTE_FLOOR = {"use-multilingual-v3": 0.18, "fake": 0.25}
SEARCH_DEFAULT_FLOOR = 0.2
# Postings containing this share of the text's bigrams are kept whatever the similarity.
SEARCH_KEYWORD_FLOOR = 0.5
# HNSW search breadth; iterative scans extend it while filters drop rows,
# up to hnsw.max_scan_tuples. Measured by bench_matching at 10^5 postings.
EF_SEARCH = 200
ITERATIVE_SCAN = "relaxed_order"
MAX_SCAN_TUPLES = 20000
# An indexed search fetches at least this many filtered rows and keeps the best.
HNSW_OVERFETCH = 100


@dataclass
class OpportunityMatch:
    opportunity: Opportunity
    score: float
    feasible: bool
    readiness_fit: str  # "fit" | "next_step" | "too_high"
    reasons: list[str]
    distance_km: float | None
    # What the reasons are built from (ranking.pair_reasons / participant_reasons).
    facts: PairFacts | None = None


@dataclass
class ParticipantMatch:
    participant: ParticipantProfile
    score: float
    feasible: bool
    readiness_fit: str
    reasons: list[str]
    distance_km: float | None


def opportunities_for_participant(
    *,
    participant: ParticipantProfile,
    query: str = "",
    opportunities: QuerySet[Opportunity] | None = None,
    limit: int | None = 20,
    explain: bool = True,
) -> list[OpportunityMatch]:
    """Postings for one person, best first (what stored recommendations are made
    of; pages read those, see ``recommendations_for_participant``). Defaults to
    open postings; ``limit=None`` ranks every candidate. ``explain=False`` leaves
    ``reasons`` empty (build them from ``facts`` for the rows shown)."""
    return _rank_opportunities(
        participant=participant,
        query=query,
        opportunities=opportunities,
        limit=limit,
        explain=explain,
    )


def opportunities_search(
    *,
    query: str,
    participant: ParticipantProfile | None = None,
    opportunities: QuerySet[Opportunity] | None = None,
    limit: int | None = 20,
    explain: bool = True,
) -> list[OpportunityMatch]:
    """Free-text search ("土いじり", "quiet work with books"). The text's vector
    is cached by its normalised form (embeddings.embed_query). With a participant,
    their time, distance and readiness count too; without one nothing personal is
    judged (feasible=True, readiness "fit"). ``explain=False``: as above."""
    return _rank_opportunities(
        participant=participant,
        query=query,
        opportunities=opportunities,
        limit=limit,
        explain=explain,
    )


def participants_for_opportunity(
    *,
    opportunity: Opportunity,
    participants: QuerySet[ParticipantProfile] | None = None,
    session: Session | None = None,
    limit: int | None = 20,
) -> list[ParticipantMatch]:
    """People who would fit a posting (or one session of it), best first."""
    base = participants if participants is not None else ParticipantProfile.objects.all()
    vector = _stored_vectors(OpportunityEmbedding, "opportunity_id", [opportunity.pk]).get(
        opportunity.pk
    )
    if session is not None:
        slots = [_weekly(session.starts_at, session.ends_at)]
    else:
        slots = _upcoming_slots([opportunity.pk]).get(opportunity.pk, [])

    ids = _small_candidate_set(base, limit)
    if ids is None:
        assert limit is not None  # without a limit every candidate is in the small set
        ids = _nearest_participants(base, opportunity, vector, slots, limit)
    people = list(ParticipantProfile.objects.filter(pk__in=ids).select_related("user", "coach"))
    people_vectors = _stored_vectors(ParticipantEmbedding, "participant_id", [p.pk for p in people])
    # Plain tuples, not model instances: a list scores about 150 people with
    # about five slots each (a third of the time went to building the instances).
    free_time = _availability([p.pk for p in people])
    term_vectors = _term_vectors(
        [t for p in people for t in participant_terms(p)]
        + [*opportunity.skills, *opportunity.useful_skills]
    )
    posting = _OpportunityFacts.build(opportunity, vector, slots, term_vectors)

    scored = []
    for person in people:
        seeker = _Seeker.build(
            person, people_vectors.get(person.pk), term_vectors, free_time.get(person.pk, [])
        )
        facts = _facts(seeker, posting, query_vector=None, query="")
        scored.append((score_pair(facts, explain=False), person.code, person, facts))
    return [
        ParticipantMatch(
            person, r.score, r.feasible, r.readiness_fit, pair_reasons(facts), facts.distance_km
        )
        for r, _code, person, facts in _best(scored, limit)
    ]


def _best(scored: list, limit: int | None) -> list:
    """Best first; ties by code so lists are stable between requests."""
    scored.sort(key=lambda row: (-row[0].score, row[1]))
    return scored[:limit] if limit is not None else scored


# --------------------------------------------------------------------------- internals


@dataclass
class _Seeker:
    """The person (or the search text) a posting is compared with."""

    participant: ParticipantProfile | None
    vector: np.ndarray | None
    terms: list[str]
    interests: frozenset[str]
    term_matrix: np.ndarray | None  # one row per term that has a vector
    term_names: list[str]
    term_grams: dict[str, set[str]]
    availability: list[WeeklySlot]
    traits: PersonTraits
    japanese: float = 0.5  # rules.japanese_share of the profile

    @classmethod
    def build(cls, participant, vector, term_vectors, availability=None) -> "_Seeker":
        if participant is None:
            return cls(
                None,
                None,
                [],
                frozenset(),
                None,
                [],
                {},
                [],
                PersonTraits(frozenset(), frozenset()),
            )
        terms = participant_terms(participant)
        names = [t for t in terms if t in term_vectors]
        matrix = np.stack([term_vectors[t] for t in names]) if names else None
        if availability is None:
            availability = _availability([participant.pk]).get(participant.pk, [])
        document = participant_document(participant)
        return cls(
            participant,
            vector,
            terms,
            # Both labels of each interest, as participant_terms gives them.
            frozenset(label for t in participant.interests for label in term_labels_all(t)),
            matrix,
            names,
            {t: bigrams(t) for t in terms},
            availability,
            person_traits(document),
            japanese_share(participant_own_text(participant)),
        )


@dataclass
class _OpportunityFacts:
    opportunity: Opportunity
    vector: np.ndarray | None
    slots: list[WeeklySlot]
    grams: AbstractSet[str]
    skill_matrix: np.ndarray | None  # one row per skill phrase that has a vector
    traits: frozenset[str]
    japanese: float = 0.5  # rules.japanese_share of the posting's text
    # A search text's similarity, computed by the database (no vector fetched).
    query_similarity: float | None = None

    @classmethod
    def build(
        cls, opportunity, vector, slots, term_vectors, query_similarity=None
    ) -> "_OpportunityFacts":
        skills = [s for s in [*opportunity.skills, *opportunity.useful_skills] if s in term_vectors]
        matrix = np.stack([term_vectors[s] for s in skills]) if skills else None
        grams, traits, japanese = _text_facts(opportunity_document(opportunity))
        return cls(opportunity, vector, slots, grams, matrix, traits, japanese, query_similarity)


@lru_cache(maxsize=2048)
def _text_facts(document: str) -> tuple[frozenset[str], frozenset[str], float]:
    """What ranking reads from a posting's text, per text (a posting's text
    rarely changes; every search and ranking re-read it before)."""
    return (
        frozenset(_haystack(document)),
        frozenset(posting_traits(document)),
        japanese_share(document),
    )


def _haystack(text: str) -> set[str]:
    # Bigrams plus single characters, so a one-kanji interest (畑, 花) is found in 畑作業.
    grams = bigrams(text)
    grams.update(ch for ch in text.lower() if not ch.isascii() and not ("\u3041" <= ch <= "\u309f"))
    return grams


def _facts(seeker: _Seeker, posting: _OpportunityFacts, *, query_vector, query: str) -> PairFacts:
    opportunity = posting.opportunity
    facts = PairFacts(min_step=opportunity.min_readiness, query=query)
    if query:
        facts.language_gap = abs(japanese_share(query) - posting.japanese)
        if posting.query_similarity is not None:
            facts.profile_similarity = posting.query_similarity
        elif query_vector is not None and posting.vector is not None:
            facts.profile_similarity = float(query_vector @ posting.vector)
        facts.keyword_overlap = containment(bigrams(query), posting.grams)
    person = seeker.participant
    if person is None:
        return facts

    if not query:
        facts.language_gap = abs(seeker.japanese - posting.japanese)
        # Without a search text the topic comes from the person: the whole
        # profile, each interest or skill on its own (against the posting and
        # against each of its skills), and their words verbatim.
        if seeker.vector is not None and posting.vector is not None:
            facts.profile_similarity = float(seeker.vector @ posting.vector)
        if seeker.term_matrix is not None:
            if posting.vector is not None:
                sims = seeker.term_matrix @ posting.vector
                facts.term_similarities = dict(zip(seeker.term_names, sims.tolist(), strict=True))
            if posting.skill_matrix is not None:
                best = (seeker.term_matrix @ posting.skill_matrix.T).max(axis=1)
                facts.skill_similarities = dict(zip(seeker.term_names, best.tolist(), strict=True))
        facts.interests = seeker.interests
        overlaps = {t: containment(g, posting.grams) for t, g in seeker.term_grams.items() if g}
        facts.literal_terms = tuple(t for t, share in overlaps.items() if share >= 0.99)
        # One character (車, 花) also hits unrelated words (車いす, 花火): half weight.
        facts.keyword_overlap = max(
            (share * (0.5 if len(t) == 1 else 1.0) for t, share in overlaps.items()), default=0.0
        )
    facts.setting_fit, why = setting_fit(seeker.traits, posting.traits)
    facts.setting_why = tuple(why)

    facts.participant_step = person.readiness
    if seeker.availability:
        facts.schedule = schedule_fit(posting.slots, seeker.availability)
        facts.has_sessions = bool(posting.slots)
    facts.distance_km = distance_km(person.lat, person.lon, opportunity.lat, opportunity.lon)
    facts.max_travel_km = float(person.max_travel_km) if facts.distance_km is not None else None
    return facts


def _rank_opportunities(
    *, participant, query, opportunities, limit, weights: Weights = DEFAULT_WEIGHTS, explain=True
):
    query = embeddings.normalise_text(query)
    base = (
        opportunities
        if opportunities is not None
        else Opportunity.objects.filter(status=Opportunity.Status.OPEN)
    )
    query_vector = embeddings.embed_query(query) if query else None
    seeker_vector = None
    term_vectors: dict[str, np.ndarray] = {}
    # A search compares postings with the text's vector only (_facts), so the
    # person's own vectors are read only when there is no search text.
    if participant is not None and query_vector is None:
        seeker_vector = _stored_vectors(
            ParticipantEmbedding, "participant_id", [participant.pk]
        ).get(participant.pk)
        term_vectors = _term_vectors(participant_terms(participant))
    seeker = _Seeker.build(participant, seeker_vector, term_vectors)

    # (Reading the small set together with the search's prefilter saves a
    # query here, but at 10^5 postings the LIMIT over a join to the vectors is
    # at the planner's mercy; the id list keeps the prefilter bounded.)
    ids = _small_candidate_set(base, limit)
    if ids is not None:
        scored = _score_opportunities(ids, seeker, query, query_vector, term_vectors, weights, base)
    else:
        scored, seen, k = [], set(), max(ANN_CANDIDATES, 3 * limit)
        nearest = _NearestPostings(opportunities, seeker, query_vector)
        for _round in range(2):
            fresh = [i for i in nearest.ids(base, limit, k) if i not in seen]
            seen.update(fresh)
            scored += _score_opportunities(
                fresh, seeker, query, query_vector, term_vectors, weights, base
            )
            # Time is checked here, not in SQL (a per-row weekday/time test on
            # sessions defeats the planner's estimates); if the nearest postings
            # mostly fail on time, look once more, further out.
            if participant is None or sum(r.feasible for r, *_rest in scored) >= limit:
                break
            k *= 4
    if query:
        scored = _about_the_query(scored)
    # Reasons only for what is shown: a page shows 20 of a few hundred candidates.
    return [
        OpportunityMatch(
            opportunity,
            r.score,
            r.feasible,
            r.readiness_fit,
            pair_reasons(facts, weights) if explain else [],
            facts.distance_km,
            facts,
        )
        for r, _code, opportunity, facts in _best(scored, limit)
    ]


def _about_the_query(scored: list) -> list:
    """A search lists what is about the text, not the whole catalogue: postings
    whose similarity reaches a share of the best one (relative, because each
    model has its own scale) and the model's absolute floor, or that contain the
    words themselves. A text that matches nothing gives an empty list."""
    model_name = embeddings.get_backend().model_name
    absolute = SEARCH_ABSOLUTE_FLOOR.get(model_name, SEARCH_DEFAULT_FLOOR)
    best = max((facts.profile_similarity or 0.0 for *_rest, facts in scored), default=0.0)
    floor = max(absolute, SEARCH_RELATIVE_FLOOR * best)
    return [
        row
        for row in scored
        if (row[3].profile_similarity or 0.0) >= floor
        or row[3].keyword_overlap >= SEARCH_KEYWORD_FLOOR
    ]


def _score_opportunities(ids, seeker, query, query_vector, term_vectors, weights, base) -> list:
    # Through ``base``: a candidate found on the copies beside the vectors is
    # checked against the posting itself (still open, still in the caller's set).
    similarities: dict[int, float] = {}
    if query:
        # A search compares postings with the text only: the database computes
        # each similarity (no vectors fetched), and postings that are neither
        # close enough nor contain the words are dropped before their rows and
        # sessions are read (_about_the_query would drop them anyway). "畑"
        # keeps 12 of the demo's 72 candidates; loading all 72 rows (with their
        # partners) was a third of the search's time.
        vectors: dict[int, np.ndarray] = {}
        similarities, keep = _search_prefilter(base, ids, query, query_vector)
        ids = [pk for pk in ids if pk in keep]
    else:
        vectors = _stored_vectors(OpportunityEmbedding, "opportunity_id", ids)
    postings = list(base.filter(pk__in=ids).select_related("partner"))
    slots = _upcoming_slots(ids) if seeker.participant is not None else {}
    if seeker.participant is not None and not query:
        term_vectors = term_vectors | _term_vectors(
            s for o in postings for s in [*o.skills, *o.useful_skills]
        )
    scored = []
    for opportunity in postings:
        posting = _OpportunityFacts.build(
            opportunity,
            vectors.get(opportunity.pk),
            slots.get(opportunity.pk, []),
            term_vectors,
            similarities.get(opportunity.pk),
        )
        facts = _facts(seeker, posting, query_vector=query_vector, query=query)
        scored.append(
            (score_pair(facts, weights, explain=False), opportunity.code, opportunity, facts)
        )
    return scored


class _TextKey(Func):
    """md5 of the fields opportunity_document reads: changes whenever the
    posting's text does (however it was written), so per-text facts can be
    cached across requests without trusting updated_at."""

    template = "md5(concat_ws(chr(31), %(expressions)s))"
    output_field = CharField()


_TEXT_FIELDS = ("title", "description", "skills", "useful_skills", "kind")
# Posting text key -> its search haystack (_text_facts' grams). Bounded: cleared
# when full (a prefecture has ~10^5 postings; a search touches a few hundred).
_GRAMS_BY_KEY: dict[str, frozenset[str]] = {}
_GRAMS_CACHE_SIZE = 50_000


class _SearchText(Func):
    """The lower-cased text of the fields opportunity_document reads, the kind
    as its words. A search word (rules.bigrams) found in a posting's haystack is
    a substring of this text; for Japanese words the converse holds too."""

    template = "lower(concat_ws(chr(10), %(expressions)s))"
    output_field = TextField()

    def __init__(self) -> None:
        super().__init__(
            F("title"),
            F("description"),
            Func(F("skills"), Value("、"), function="array_to_string"),
            Func(F("useful_skills"), Value("、"), function="array_to_string"),
            Case(
                *[When(kind=kind, then=Value(words)) for kind, words in KIND_WORDS.items()],
                default=Value(""),
            ),
        )


def _search_prefilter(
    base: QuerySet[Opportunity], ids: list[int], query: str, query_vector: np.ndarray | None
) -> tuple[dict[int, float], set[int]]:
    """Each candidate's similarity to the search text and how many of its words
    the posting contains (both computed by the database), and the ids worth
    scoring: close enough to the text, or containing its words. The database
    count is exact for Japanese words; an English word may sit inside a longer
    one ("art" in "start"), so those postings are checked on their haystack,
    whose text is read only when it is not cached yet."""
    model_name = embeddings.get_backend().model_name
    words = bigrams(query)
    found_words = sum(
        (Case(When(search_text__contains=word, then=Value(1)), default=Value(0)) for word in words),
        Value(0),
    )
    rows = (
        base.filter(pk__in=ids)
        .order_by()
        .annotate(search_text=_SearchText())
        .annotate(text_key=_TextKey(*_TEXT_FIELDS), found_words=found_words)
    )
    if query_vector is not None:
        # A LEFT JOIN to the posting's vector row (one per posting), not a
        # subquery per row (three times slower); no vector of this model: NULL.
        rows = rows.annotate(
            vector_row=FilteredRelation("embedding", condition=Q(embedding__model_name=model_name))
        ).annotate(distance=CosineDistance("vector_row__vector", query_vector.tolist()))
    else:
        rows = rows.annotate(distance=Value(None, output_field=FloatField()))
    found = list(rows.values_list("pk", "text_key", "distance", "found_words"))
    similarities = {pk: 1.0 - float(d) for pk, _key, d, _n in found if d is not None}
    floor = SEARCH_ABSOLUTE_FLOOR.get(model_name, SEARCH_DEFAULT_FLOOR)
    keep, unsure = set(), {}
    for pk, key, _d, n in found:
        if similarities.get(pk, 0.0) >= floor:
            keep.add(pk)
        elif words and n / len(words) >= SEARCH_KEYWORD_FLOOR:
            if all(not word.isascii() for word in words):
                keep.add(pk)
            else:
                unsure[pk] = key
    missing = {pk: key for pk, key in unsure.items() if key not in _GRAMS_BY_KEY}
    if missing:
        if len(_GRAMS_BY_KEY) + len(missing) > _GRAMS_CACHE_SIZE:
            _GRAMS_BY_KEY.clear()
        for posting in Opportunity.objects.filter(pk__in=list(missing)).only(*_TEXT_FIELDS):
            _GRAMS_BY_KEY[missing[posting.pk]] = frozenset(_haystack(opportunity_document(posting)))
    keep.update(
        pk
        for pk, key in unsure.items()
        if containment(words, _GRAMS_BY_KEY.get(key, frozenset())) >= SEARCH_KEYWORD_FLOOR
    )
    return similarities, keep


def _small_candidate_set(base: QuerySet, limit: int | None) -> list[int] | None:
    """All candidate ids when there are few enough to score them all, else None."""
    if limit is None:
        return list(base.order_by().values_list("pk", flat=True))
    ids = list(base.order_by().values_list("pk", flat=True)[: EXACT_LIMIT + 1])
    return ids if len(ids) <= EXACT_LIMIT else None


def _nearest(model, fk: str, candidates: QuerySet, vector: np.ndarray, k: int) -> list[int]:
    """Ids of the k stored vectors nearest to ``vector`` among ``candidates``,
    through the HNSW index. Call inside ``_vector_search()``."""
    return list(_nearest_query(model, fk, candidates, vector, k))


def _nearest_query(model, fk: str, candidates: QuerySet, vector: np.ndarray, k: int) -> QuerySet:
    # The ORDER BY casts the column exactly as the partial HNSW index does, and
    # the dimensions filter implies the index predicate, so the planner can use it.
    backend = embeddings.get_backend()
    dim = int(vector.shape[0])
    return (
        model.objects.filter(
            model_name=backend.model_name,
            dimensions=dim,
            **{f"{fk}__in": candidates.order_by().values("pk")},
        )
        .annotate(distance=CosineDistance(typed_vector(dim), vector.tolist()))
        .order_by("distance")
        .values_list(f"{fk}_id", flat=True)[:k]
    )


def _few(candidates: QuerySet) -> bool:
    """Whether at most EXACT_SCAN_LIMIT rows pass (counted in the database, which
    stops at one more)."""
    return candidates.order_by()[: EXACT_SCAN_LIMIT + 1].count() <= EXACT_SCAN_LIMIT


def _exact_orders(candidates: QuerySet, fk: str, probes: list[np.ndarray]) -> list[list[int]]:
    """Every candidate id, nearest first, for each probe, from one pass over the
    candidate vector rows: the database computes every distance (no index),
    Python sorts (ties by id, so every call agrees)."""
    distances = {
        f"d{n}": CosineDistance("vector", vector.tolist()) for n, vector in enumerate(probes)
    }
    rows = list(candidates.annotate(**distances).values_list(f"{fk}_id", *distances))
    return [
        [row[0] for row in sorted(rows, key=lambda row: (row[n + 1], row[0]))]
        for n in range(len(probes))
    ]


@contextmanager
def _vector_search(k: int, mode: str | None = None):
    """Iterative index scans (pgvector 0.8) keep walking the HNSW graph while the
    candidate filter rejects rows, instead of returning fewer than k. SET LOCAL
    lasts until the end of this transaction only."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('hnsw.iterative_scan', %s, true),"
            " set_config('hnsw.ef_search', %s, true),"
            " set_config('hnsw.max_scan_tuples', %s, true),"
            # The planner's guess of the filters' selectivity is poor; without this
            # it often sorts the rows of the box index instead of using the graph.
            " set_config('enable_sort', 'off', true)",
            # pgvector accepts ef_search up to 1000; a widened search asks for more.
            [mode or ITERATIVE_SCAN, str(min(1000, max(EF_SEARCH, k))), str(MAX_SCAN_TUPLES)],
        )
        yield


@contextmanager
def _exact_search():
    """The same query without the vector index: every filtered row's distance."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        yield


def reachable_opportunities(
    participant: ParticipantProfile, base: QuerySet[Opportunity] | None = None
) -> QuerySet[Opportunity]:
    """Postings (open ones, or ``base``) that pass the cheap filters of
    candidate generation: readiness at most one step above the person's, inside
    a bounding box of their maximum travel around home."""
    if base is None:
        base = Opportunity.objects.filter(status=Opportunity.Status.OPEN)
    return base.filter(_reachable_q(participant))


def _candidate_vectors(
    dim: int, participant: ParticipantProfile | None, within: QuerySet[Opportunity] | None
) -> QuerySet[OpportunityEmbedding]:
    """Vector rows of the configured model that candidate generation may return:
    open postings (those in ``within`` too, when given) and, for a person, the
    cheap filters on the copies beside the vector (no join per row the index
    returns)."""
    # is_open even with ``within`` (the pages' open postings): it is the
    # condition of the box index, without which the database reads every
    # vector row (10^5 rows, 200 MB) to find the few thousand in a box.
    rows = OpportunityEmbedding.objects.filter(
        model_name=embeddings.get_backend().model_name, dimensions=dim, is_open=True
    )
    if within is not None:
        rows = rows.filter(opportunity__in=within.order_by().values("pk"))
    if participant is not None:
        rows = rows.filter(_reachable_q(participant))
    return rows


def nearest_opportunity_ids(
    vector: np.ndarray,
    k: int,
    *,
    participant: ParticipantProfile | None = None,
    within: QuerySet[Opportunity] | None = None,
    exact: bool | None = False,
) -> list[int]:
    """Candidate generation ("top k opportunities for a participant"): ids of
    the k open postings (also in ``within``, when given) nearest to ``vector``, best
    first, that the participant can reach: readiness at most one step above
    theirs, inside a bounding box of their maximum travel. The pages (through
    _NearestPostings) and ``bench_matching`` both call this.

    By default through the HNSW index: a relaxed-order iterative scan fetches
    at least HNSW_OVERFETCH filtered rows with their distances and the best k
    are kept; relaxed order plus over-fetching finds far more of the true
    nearest than a strict-order scan that stops at k when the filter keeps a few
    per cent of the rows. ``exact=True`` orders by the distance on the untyped
    column, which no index serves, so the database finds the rows in the box by
    their (lat, lon) index and computes each distance. ``exact=None`` chooses:
    exact when at most EXACT_SCAN_LIMIT rows pass the filters (an index scan
    would wade through many rejected rows for each kept one), else the index."""
    dim = int(vector.shape[0])
    rows = _candidate_vectors(dim, participant, within)
    if exact is None:
        exact = _few(rows)
    if exact:
        query = rows.annotate(distance=CosineDistance("vector", vector.tolist()))
        # Ties (postings with the same text) broken by id, so every call agrees.
        query = query.order_by("distance", "opportunity_id")
        return list(query.values_list("opportunity_id", flat=True)[:k])
    query = rows.annotate(distance=CosineDistance(typed_vector(dim), vector.tolist())).order_by(
        "distance"
    )
    with _vector_search(k):
        found = list(query.values_list("opportunity_id", "distance")[: max(k, HNSW_OVERFETCH)])
    found.sort(key=lambda row: (row[1], row[0]))
    return [pk for pk, _distance in found[:k]]


class _NearestPostings:
    """Candidate generation for one ranking call. The decision between an exact
    scan and the index is made once, and an exact scan computes every reachable
    distance once: a widened second round slices the same orderings instead of
    counting and scanning again (each was ~50 ms at 10^5 postings)."""

    def __init__(self, within, seeker: _Seeker, query_vector) -> None:
        self.within = within
        self.person = seeker.participant
        self.probes: list[np.ndarray] = []
        if query_vector is not None:
            self.probes.append(query_vector)
        elif seeker.vector is not None:
            self.probes.append(seeker.vector)
            # The nearest postings to each of the first interests too: a profile
            # vector blends several wishes, and one of them may be the real fit.
            if seeker.term_matrix is not None:
                self.probes.extend(seeker.term_matrix[:2])
        # Someone's surroundings hold a few per cent of a prefecture's postings:
        # when few are reachable, compute every distance for them in one pass.
        self.exact_orders: list[list[int]] | None = None
        if self.person is not None and self.probes:
            # Counted on the box index alone: ``within`` only narrows the scan,
            # and checking it per row made the count cost as much as the scan.
            box = OpportunityEmbedding.objects.filter(is_open=True).filter(
                _reachable_q(self.person)
            )
            if _few(box):
                reachable = _candidate_vectors(int(self.probes[0].shape[0]), self.person, within)
                self.exact_orders = _exact_orders(reachable, "opportunity", self.probes)

    def ids(self, base, limit: int, k: int) -> list[int]:
        person, probes, within = self.person, self.probes, self.within
        ids: dict[int, None] = {}
        for n, vector in enumerate(probes):
            # The profile takes k; each single interest a third of it.
            depth = k if n == 0 else max(limit, k // 3)
            if self.exact_orders is not None:
                found = self.exact_orders[n][:k]
            else:
                found = nearest_opportunity_ids(vector, depth, participant=person, within=within)
            ids.update(dict.fromkeys(found))
        if person is not None and probes and len(ids) < limit:
            # Not enough feasible postings: fill with the nearest infeasible ones,
            # which the score bands keep below every feasible one.
            ids.update(dict.fromkeys(nearest_opportunity_ids(probes[0], limit, within=within)))
        feasible = base if person is None else reachable_opportunities(person, base)
        if not probes:  # nothing embedded yet: nearest postings on the map, then any
            ids.update(dict.fromkeys(_by_proximity(feasible, person)[:k]))
        if person is not None and not probes and len(ids) < limit:
            ids.update(dict.fromkeys(base.order_by("pk").values_list("pk", flat=True)[:limit]))
        return list(ids)


def _by_proximity(qs: QuerySet, person) -> list[int]:
    if person is None or person.lat is None:
        return list(qs.order_by("-created_at").values_list("pk", flat=True)[:ANN_CANDIDATES])
    # Degrees are not kilometres, but the order is close enough to pick candidates.
    nearness = Power(F("lat") - person.lat, 2) + Power(F("lon") - person.lon, 2)
    return list(
        qs.exclude(lat=None).order_by(nearness).values_list("pk", flat=True)[:ANN_CANDIDATES]
    )


def _reachable_q(person: ParticipantProfile) -> Q:
    """The cheap part of 'feasible', in SQL: readiness at most one step short,
    inside a bounding box around home (exact distance and time are checked later)."""
    condition = Q(min_readiness__lte=highest_step_offered(person.readiness))
    if person.lat is not None and person.lon is not None:
        dlat = person.max_travel_km / 110.5
        dlon = person.max_travel_km / max(1.0, 111.32 * math.cos(math.radians(person.lat)))
        box = Q(
            lat__range=(person.lat - dlat, person.lat + dlat),
            lon__range=(person.lon - dlon, person.lon + dlon),
        )
        condition &= box | Q(lat=None)
    return condition


def _nearest_participants(
    base, opportunity: Opportunity, vector, slots: list[WeeklySlot], limit: int
) -> list[int]:
    k = max(ANN_CANDIDATES, 3 * limit)
    feasible = base.filter(readiness__gte=lowest_step_reaching(opportunity.min_readiness))
    if slots:
        overlap = Q()
        for slot in dict.fromkeys(slots):
            overlap |= Q(weekday=slot.weekday, start__lt=slot.end, end__gt=slot.start)
        feasible = feasible.filter(
            Exists(AvailabilitySlot.objects.filter(overlap, participant=OuterRef("pk")))
        )
    if vector is None:
        return list(feasible.order_by("code").values_list("pk", flat=True)[:k])
    with _vector_search(k):
        ids = dict.fromkeys(_nearest(ParticipantEmbedding, "participant", feasible, vector, k))
        if len(ids) < limit:
            ids.update(
                dict.fromkeys(_nearest(ParticipantEmbedding, "participant", base, vector, limit))
            )
    return list(ids)


def _stored_vectors(model, key: str, ids: Iterable[int]) -> dict[int, np.ndarray]:
    """Vectors of the configured model only; others are stale and ignored."""
    model_name = embeddings.get_backend().model_name
    rows = (
        model.objects.filter(**{f"{key}__in": list(ids)}, model_name=model_name)
        .annotate(raw=_VectorSend("vector"))
        .values_list(key, "raw")
    )
    return {pk: _from_binary(raw) for pk, raw in rows}


def _term_vectors(terms: Iterable[str]) -> dict[str, np.ndarray]:
    terms = list(dict.fromkeys(t for t in terms if t))
    if not terms:
        return {}
    model_name = embeddings.get_backend().model_name
    rows = (
        TermEmbedding.objects.filter(model_name=model_name, term__in=terms)
        .annotate(raw=_VectorSend("vector"))
        .values_list("term", "raw")
    )
    return {term: _from_binary(raw) for term, raw in rows}


class _VectorSend(Func):
    # pgvector's binary form (int16 dim, int16 unused, float4[dim], big-endian):
    # three times faster to fetch and decode than the '[0.1,...]' text form.
    function = "vector_send"
    output_field = BinaryField()


def _from_binary(raw) -> np.ndarray:
    raw = bytes(raw)
    dim = int.from_bytes(raw[:2], "big")
    return np.frombuffer(raw, dtype=">f4", count=dim, offset=4).astype(np.float32)


def _availability(participant_ids: list[int]) -> dict[int, list[WeeklySlot]]:
    slots: dict[int, list[WeeklySlot]] = defaultdict(list)
    for person, weekday, start, end in AvailabilitySlot.objects.filter(
        participant__in=participant_ids
    ).values_list("participant_id", "weekday", "start", "end"):
        slots[person].append(_slot(weekday, start, end))
    return slots


def _slot(weekday, start, end) -> WeeklySlot:
    return WeeklySlot(int(weekday), start, end)


def _weekly(starts_at, ends_at) -> WeeklySlot:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    # Sessions running past midnight are cut at the end of their first day.
    end_time = end.time() if end.date() == start.date() else time.max
    return WeeklySlot(start.weekday(), start.time(), end_time)


def _upcoming_slots(opportunity_ids: Iterable[int]) -> dict[int, list[WeeklySlot]]:
    """Distinct weekly slots (weekday, local start, local end) of each posting's
    scheduled sessions in the next 8 weeks. Sessions with a free seat count
    first; full ones only when no other is left (a sign-up would then wait).
    The database folds the weeks together, so a posting with a session every
    weekday for 8 weeks costs 5 rows, not 40."""
    now = timezone.now()
    rows = (
        Session.objects.filter(
            opportunity_id__in=list(opportunity_ids),
            status=Session.Status.SCHEDULED,
            starts_at__gte=now,
            starts_at__lt=now + SCHEDULE_WINDOW,
        )
        # Extract/Trunc use the current time zone (Asia/Tokyo): local weekdays and times.
        .annotate(
            weekday=ExtractIsoWeekDay("starts_at"),
            start=TruncTime("starts_at"),
            end=TruncTime("ends_at"),
            has_seat=Q(seats_taken__lt=F("capacity")),
        )
        .values_list("opportunity_id", "weekday", "start", "end", "has_seat")
        .order_by()
        .distinct()
    )
    free: defaultdict[int, list[WeeklySlot]] = defaultdict(list)
    full: defaultdict[int, list[WeeklySlot]] = defaultdict(list)
    for opportunity_id, weekday, start, end, has_seat in rows:
        # Sessions running past midnight are cut at the end of their first day.
        slot = WeeklySlot(weekday - 1, start, end if end > start else time.max)
        (free if has_seat else full)[opportunity_id].append(slot)
    return {pk: sorted(set(free.get(pk) or full[pk]), key=_slot_order) for pk in {*free, *full}}


def _slot_order(slot: WeeklySlot) -> tuple:
    return slot.weekday, slot.start, slot.end


# --------------------------------------------------------------------------- stored lists


def recommendations_for_participant(
    *, participant: ParticipantProfile, limit: int = 20, explain: bool = True
) -> list[OpportunityMatch]:
    """ "Recommended for you" and the coach's match list: the stored ranking
    (models.Recommendation, refreshed by the worker) in one query, postings that
    are no longer open left out. Reasons (``explain``) are built from the stored
    facts in the active language. A person with no stored list yet (new, or not
    refreshed since the table appeared) is ranked live this once and a refresh
    is queued."""
    rows = list(
        Recommendation.objects.filter(participant=participant)
        .select_related("opportunity__partner")
        .order_by("rank")
    )
    if not rows:
        _refresh_soon(participant)
        return opportunities_for_participant(participant=participant, limit=limit, explain=explain)
    matches = []
    for row in rows:
        if row.opportunity.status != Opportunity.Status.OPEN:
            continue
        facts = facts_from_json(row.facts)
        matches.append(
            OpportunityMatch(
                row.opportunity,
                row.score,
                row.feasible,
                row.readiness_fit,
                pair_reasons(facts) if explain else [],
                facts.distance_km,
                facts,
            )
        )
        if len(matches) == limit:
            break
    if len(matches) < limit and len(matches) < len(rows):
        _refresh_soon(participant)  # postings closed since: fill the list again
    return matches


def _refresh_soon(participant: ParticipantProfile) -> None:
    from django_q.tasks import async_task

    requested_at = timezone.now().isoformat()
    transaction.on_commit(
        lambda: async_task(
            "matching.tasks.recommendations_refresh_one",
            participant.pk,
            requested_at,
            group="recommendations",
        )
    )
