"""Synthetic load for `manage.py bench_matching`: a prefecture's worth of
postings, sessions and people, built from the tuning cases' texts with local
variations, and timings of the public selectors against it."""

import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import time as clock_time
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.clock import at, local_today
from matching import embeddings, ranking, selectors, services
from matching.models import OpportunityEmbedding, ParticipantEmbedding, typed_vector
from opportunities.models import Opportunity, Partner, Session
from people.models import AvailabilitySlot, ParticipantProfile

T = TypeVar("T")

TEMPLATES = Path(__file__).resolve().parent.parent / "tests" / "matching" / "cases_tuning.json"

# Town centres across Chiba; postings and people scatter around them.
TOWNS = [
    ("千葉市", 35.607, 140.106),
    ("船橋市", 35.695, 139.983),
    ("柏市", 35.868, 139.976),
    ("市原市", 35.498, 140.116),
    ("成田市", 35.776, 140.318),
    ("佐倉市", 35.724, 140.224),
    ("東金市", 35.560, 140.366),
    ("山武市", 35.603, 140.414),
    ("茂原市", 35.428, 140.288),
    ("旭市", 35.720, 140.646),
    ("銚子市", 35.735, 140.827),
    ("香取市", 35.898, 140.499),
    ("木更津市", 35.376, 139.917),
    ("君津市", 35.330, 139.903),
    ("館山市", 34.997, 139.870),
    ("鴨川市", 35.114, 140.099),
    ("いすみ市", 35.254, 140.385),
    ("大網白里市", 35.522, 140.321),
    ("八街市", 35.666, 140.318),
    ("匝瑳市", 35.708, 140.564),
]
EXTRA = [
    "初めての方も歓迎です。",
    "見学だけでも大丈夫です。",
    "スタッフが最初は一緒に作業します。",
    "休憩は自由にとれます。",
    "Beginners are welcome.",
    "A staff member works alongside you at first.",
    "Take breaks whenever you need.",
    "",
]
# Practical details, so that no two postings share a text: real postings differ
# in these, and a graph index over many exact duplicates is much worse at
# finding neighbours than over real data (its neighbour lists fill with copies).
DETAILS = [
    "定員{n}名。",
    "最寄り駅から徒歩{n}分。",
    "送迎あり（{n}名まで）。",
    "月{n}回程度から参加できます。",
    "Up to {n} people per day.",
    "{n} minutes' walk from the bus stop.",
    "About {n} hours a week.",
]
QUERIES = [
    "土いじり",
    "quiet work with books",
    "料理",
    "動物の世話",
    "パソコン入力",
    "outdoor work",
    "子どもと関わる",
    "cleaning",
    "接客",
    "木工",
    "花",
    "driving",
]


def _jitter(rng, lat, lon, spread=0.06):
    return round(lat + rng.gauss(0, spread), 5), round(lon + rng.gauss(0, spread), 5)


def _clock(text: str) -> clock_time:
    """「9:30」 or 「9:30:00」 → 9:30."""
    hour, minute, *rest = (int(x) for x in text.split(":"))
    return clock_time(hour, minute, rest[0] if rest else 0)


def generate(
    *, opportunities: int, participants: int, seed: int = 1, weeks: int = 4, log=print
) -> dict:
    """Insert the synthetic rows (without embeddings); returns counts."""
    rng = random.Random(seed)
    cases = json.loads(TEMPLATES.read_text(encoding="utf-8"))
    posting_templates, people_templates = cases["opportunities"], cases["participants"]
    partners = Partner.objects.bulk_create(
        [
            Partner(
                code=f"bp{n}",
                name=f"協力機関{n}",
                category=Partner.Category.COMMERCE,
                municipality=town,
                lat=_jitter(rng, lat, lon)[0],
                lon=_jitter(rng, lat, lon)[1],
                offers_work_acceptance=True,
            )
            for n, (town, lat, lon) in (
                (n, rng.choice(TOWNS)) for n in range(max(1, opportunities // 25))
            )
        ],
        batch_size=2000,
    )
    first_day = local_today() + timedelta(days=1)
    made = 0
    sessions = 0
    while made < opportunities:
        chunk = []
        for n in range(made, min(opportunities, made + 5000)):
            t = rng.choice(posting_templates)
            town, lat, lon = rng.choice(TOWNS)
            kind = t["kind"]
            step = t["min_readiness"]
            partner = rng.choice(partners)
            chunk.append(
                Opportunity(
                    code=f"bo{n}",
                    partner=partner,
                    title=f"{t['title']}（{town}）",
                    description=" ".join(
                        p
                        for p in (
                            t["description"],
                            rng.choice(EXTRA),
                            rng.choice(DETAILS).format(n=rng.randint(2, 30)),
                            f"{partner.name}（{town}）",
                        )
                        if p
                    ),
                    kind=kind,
                    employment_type=("employment" if step >= 5 else "non_employment")
                    if kind == "intermediate_employment"
                    else "",
                    is_farm_setting=kind == "farm_welfare",
                    min_readiness=step,
                    skills=list(t["skills"]),
                    status=Opportunity.Status.OPEN
                    if rng.random() < 0.9
                    else Opportunity.Status.CLOSED,
                    municipality=town,
                    lat=_jitter(rng, lat, lon)[0],
                    lon=_jitter(rng, lat, lon)[1],
                )
            )
        # post_save does not fire for bulk_create, so no embedding task is queued.
        created = Opportunity.objects.bulk_create(chunk, batch_size=2000)
        rows = []
        for o, t in zip(created, (rng.choice(posting_templates) for _ in created), strict=False):
            for pattern in t["sessions"]:
                hour_shift = rng.choice([-1, 0, 0, 1])
                start_h, start_m = (int(x) for x in pattern["start"].split(":"))
                end_h, end_m = (int(x) for x in pattern["end"].split(":"))
                start = clock_time(min(22, max(0, start_h + hour_shift)), start_m)
                end = clock_time(min(23, max(1, end_h + hour_shift)), end_m)
                for week in range(weeks):
                    day = first_day + timedelta(
                        days=(pattern["weekday"] - first_day.weekday()) % 7 + 7 * week
                    )
                    rows.append(
                        Session(
                            opportunity=o,
                            starts_at=at(day, start),
                            ends_at=at(day, end),
                            capacity=3,
                        )
                    )
        Session.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
        sessions += len(rows)
        made += len(created)
        log(f"  {made} opportunities, {sessions} sessions")
    people = []
    for n in range(participants):
        t = rng.choice(people_templates)
        town, lat, lon = rng.choice(TOWNS)
        plat, plon = _jitter(rng, lat, lon)
        people.append(
            ParticipantProfile(
                code=f"bu{n}",
                display_name=f"参加者{n}",
                self_description=t["self_description"],
                skills=list(t["skills"]),
                interests=list(t["interests"]),
                municipality=town,
                lat=plat,
                lon=plon,
                max_travel_km=rng.choice([3, 5, 8, 10, 15, 20]),
                readiness=rng.randint(1, 5),
            )
        )
    people = ParticipantProfile.objects.bulk_create(people, batch_size=2000)
    slots = []
    for person in people:
        t = rng.choice(people_templates)
        for a in t["availability"]:
            slots.append(
                AvailabilitySlot(
                    participant=person,
                    weekday=a["weekday"],
                    start=_clock(a["start"]),
                    end=_clock(a["end"]),
                )
            )
    AvailabilitySlot.objects.bulk_create(slots, batch_size=5000, ignore_conflicts=True)
    return {"opportunities": opportunities, "participants": participants, "sessions": sessions}


def embed_everything(*, batch_size: int = 512, log=print) -> dict:
    """Embed every row through the same service the tasks use; returns timings.
    The dimension's HNSW index is dropped first and rebuilt after, as a bulk
    load should (inserting into a live HNSW graph row by row is much slower)."""
    dim = embeddings.get_backend().dimensions
    index = next(i for i in OpportunityEmbedding._meta.indexes if i.name.endswith(f"_{dim}"))
    with connection.schema_editor() as editor:
        editor.remove_index(OpportunityEmbedding, index)
    started = time.perf_counter()
    count = 0
    last = 0
    while True:
        rows = list(Opportunity.objects.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not rows:
            break
        count += services.opportunities_embed(opportunities=rows)
        last = rows[-1].pk
        if count and count % (batch_size * 20) == 0:
            log(f"  embedded {count}")
    embed_seconds = time.perf_counter() - started
    people = list(ParticipantProfile.objects.order_by("pk"))
    t0 = time.perf_counter()
    for i in range(0, len(people), batch_size):
        services.participants_embed(participants=people[i : i + batch_size])
    people_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
    with connection.schema_editor() as editor:
        editor.add_index(OpportunityEmbedding, index)
    index_seconds = time.perf_counter() - t0
    return {
        "backfill_s": round(embed_seconds + people_seconds + index_seconds, 1),
        "embedded_opportunities": count,
        "embed_opportunities_s": round(embed_seconds, 1),
        "embed_per_s": round(count / embed_seconds, 1) if embed_seconds and count else None,
        "embed_participants_s": round(people_seconds, 1),
        "hnsw_build_s": round(index_seconds, 1),
    }


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pct(p):
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "max_ms": round(ordered[-1] * 1000, 1),
        "n": len(ordered),
    }


def _queries_during(fn: Callable[[], T]) -> tuple[T, int]:
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    return result, len(captured)


def measure(*, samples: int = 100, seed: int = 2) -> dict:
    rng = random.Random(seed)
    people = list(ParticipantProfile.objects.order_by("?")[:samples])
    postings = list(
        Opportunity.objects.filter(status=Opportunity.Status.OPEN).order_by("?")[:samples]
    )
    # Warm up: model load, connection, caches.
    selectors.opportunities_for_participant(participant=people[0])
    selectors.opportunities_search(query="warm up")

    timings, feasible_share, queries = [], [], []
    for person in people:
        t0 = time.perf_counter()
        matches, n = _queries_during(
            partial(selectors.opportunities_for_participant, participant=person, limit=20)
        )
        timings.append(time.perf_counter() - t0)
        queries.append(n)
        feasible_share.append(sum(m.feasible for m in matches) / max(1, len(matches)))
    search_timings, personal_search = [], []
    for _ in range(samples):
        q = rng.choice(QUERIES)
        t0 = time.perf_counter()
        selectors.opportunities_search(query=q, limit=20)
        search_timings.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        selectors.opportunities_search(query=q, participant=rng.choice(people), limit=20)
        personal_search.append(time.perf_counter() - t0)
    reverse = []
    for posting in postings:
        t0 = time.perf_counter()
        selectors.participants_for_opportunity(opportunity=posting, limit=20)
        reverse.append(time.perf_counter() - t0)
    return {
        "for_participant": {
            **_summary(timings),
            "queries_per_call": round(statistics.mean(queries), 1),
            "feasible_share_top20": round(statistics.mean(feasible_share), 3),
        },
        "search_anonymous": _summary(search_timings),
        "search_personal": _summary(personal_search),
        "participants_for_opportunity": _summary(reverse),
    }


def pages(*, samples: int = 100, seed: int = 5) -> dict:
    """Page-level figures, as the participant pages build them (participant.selectors):
    "recommended for you" ranked live (what the home page did before issue 11)
    and read from the stored table (what it does now), the worker's cost of a
    refresh, and the search page (120 ranked, reasons for the 12 shown)."""
    from matching.models import Recommendation
    from participant import selectors as pages_selectors

    rng = random.Random(seed)
    people = list(ParticipantProfile.objects.order_by("?")[:samples])

    def shown(listings, n):
        # Rendering a card reads its reasons: count that work too.
        return [listing.reasons for listing in listings[:n]]

    live, refresh, stored, stored_queries = [], [], [], []
    for person in people:
        t0 = time.perf_counter()
        matches = selectors.opportunities_for_participant(participant=person, limit=12)
        [ranking.participant_reasons(m.facts) for m in matches[:6] if m.facts is not None]
        live.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        services.recommendations_refresh(participant=person)
        refresh.append(time.perf_counter() - t0)
    for person in people:
        t0 = time.perf_counter()
        listings, n = _queries_during(
            partial(pages_selectors.opportunity_recommended, participant=person, limit=6)
        )
        shown(listings, 6)
        stored.append(time.perf_counter() - t0)
        stored_queries.append(n)

    searches, personal = [], []
    embeddings._cached_query.cache_clear()
    for _ in range(samples):
        q = rng.choice(QUERIES)
        person = rng.choice(people)
        t0 = time.perf_counter()
        found = pages_selectors.opportunity_search(
            query=q,
            participant=None,
            opportunities=pages_selectors.opportunity_browse(),
            limit=120,
        )
        shown(found, 12)
        searches.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        found = pages_selectors.opportunity_search(
            query=q,
            participant=person,
            opportunities=pages_selectors.opportunity_browse(participant=person),
            limit=120,
        )
        shown(found, 12)
        personal.append(time.perf_counter() - t0)
    return {
        "page_recommended_live": _summary(live),
        "page_recommended_stored": {
            **_summary(stored),
            "queries_per_call": round(statistics.mean(stored_queries), 1),
        },
        "recommendations_refresh": _summary(refresh),
        "recommendations_rows": Recommendation.objects.count(),
        "page_search_anonymous": _summary(searches),
        "page_search_personal": _summary(personal),
    }


def embed_throughput(*, texts: int = 512) -> float:
    """Texts per second of the active backend on real posting documents
    (after a warm-up call, so loading the model is not counted)."""
    backend = embeddings.get_backend()
    docs = [services.opportunity_document(o) for o in Opportunity.objects.order_by("?")[:texts]]
    backend.encode(docs[:8])
    t0 = time.perf_counter()
    backend.encode(docs)
    return round(len(docs) / (time.perf_counter() - t0), 1)


def _ms(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)


def top10(*, samples: int = 200, k: int = 10, seed: int = 3) -> dict:
    """ "Top 10 opportunities for a participant" with the filters, through the
    HNSW index and by exact scan, over the same participants: the candidate
    query the pages use (selectors.nearest_opportunity_ids). Each timing includes fetching the
    participant's stored vector. recall_at_10 counts an indexed result as a hit
    when it is in the exact top 10; recall_at_10_ties also when its distance
    equals the exact 10th (synthetic postings share texts, so ties are common)."""
    rng = random.Random(seed)
    ids = list(
        ParticipantEmbedding.objects.filter(
            model_name=embeddings.get_backend().model_name
        ).values_list("participant_id", flat=True)
    )
    people = list(ParticipantProfile.objects.filter(pk__in=rng.sample(ids, min(samples, len(ids)))))
    hnsw, exact, hits, hits_ties, total = [], [], 0, 0, 0
    reachable: list[int] = []

    planned, planned_hits, planned_ties = [], 0, 0

    def run(person, exact_scan):
        t0 = time.perf_counter()
        vector = selectors._stored_vectors(ParticipantEmbedding, "participant_id", [person.pk])[
            person.pk
        ]
        found = selectors.nearest_opportunity_ids(vector, k, participant=person, exact=exact_scan)
        return found, vector, time.perf_counter() - t0

    for person in people[:5]:  # warm caches
        run(person, False)
        run(person, True)
    by_travel: dict[float, dict[str, list[float]]] = {}
    for person in people:
        approx, vector, seconds = run(person, False)
        hnsw.append(seconds)
        truth, _vector, exact_seconds = run(person, True)
        exact.append(exact_seconds)
        chosen, _vector, planned_seconds = run(person, None)
        planned.append(planned_seconds)
        bucket = by_travel.setdefault(
            person.max_travel_km, {"hnsw": [], "exact": [], "planned": []}
        )
        bucket["hnsw"].append(seconds)
        bucket["exact"].append(exact_seconds)
        bucket["planned"].append(planned_seconds)
        planned_hits += len(set(chosen) & set(truth))
        approx_planned = chosen
        hits += len(set(approx) & set(truth))
        total += len(truth)
        if truth:
            found = selectors._stored_vectors(
                OpportunityEmbedding, "opportunity_id", [*approx, *truth]
            )
            tenth = max(1.0 - float(vector @ found[i]) for i in truth)
            hits_ties += min(
                len(truth), sum(1.0 - float(vector @ found[i]) <= tenth + 1e-5 for i in approx)
            )
            found.update(
                selectors._stored_vectors(OpportunityEmbedding, "opportunity_id", approx_planned)
            )
            planned_ties += min(
                len(truth),
                sum(1.0 - float(vector @ found[i]) <= tenth + 1e-5 for i in approx_planned),
            )
        if len(reachable) < 50:
            reachable.append(selectors._candidate_vectors(len(vector), person, None).count())
    return {
        "top10_hnsw_p50_ms": _ms(hnsw, 0.50),
        "top10_hnsw_p95_ms": _ms(hnsw, 0.95),
        "top10_exact_p50_ms": _ms(exact, 0.50),
        "top10_exact_p95_ms": _ms(exact, 0.95),
        "recall_at_10": round(hits / total, 3) if total else None,
        "recall_at_10_ties": round(hits_ties / total, 3) if total else None,
        # What the pages do: exact when few rows pass the filters, else the index.
        "top10_planned_p50_ms": _ms(planned, 0.50),
        "top10_planned_p95_ms": _ms(planned, 0.95),
        "recall_at_10_planned": round(planned_hits / total, 3) if total else None,
        "recall_at_10_planned_ties": round(planned_ties / total, 3) if total else None,
        "exact_scan_limit": selectors.EXACT_SCAN_LIMIT,
        "top10_samples": len(people),
        "reachable_median": int(statistics.median(reachable)) if reachable else 0,
        # p95 per maximum travel distance: a short one keeps a few hundred of
        # the 10^5 postings, which an HNSW scan has to wade through the rest to find.
        "top10_p95_ms_by_travel_km": {
            f"{km:g}": {name: _ms(samples, 0.95) for name, samples in bucket.items()}
            for km, bucket in sorted(by_travel.items())
        },
    }


def coach_session(*, samples: int = 100, seed: int = 4) -> dict:
    """The coach's "participants for this session": selectors.participants_for_opportunity
    with one upcoming session, best 20 of every participant."""
    rng = random.Random(seed)
    ids = list(
        Session.objects.filter(
            opportunity__status=Opportunity.Status.OPEN, starts_at__gte=timezone.now()
        ).values_list("pk", flat=True)[:20000]
    )
    sessions = list(
        Session.objects.filter(pk__in=rng.sample(ids, min(samples, len(ids)))).select_related(
            "opportunity"
        )
    )
    timings = []
    for session in sessions[:3]:  # warm caches
        selectors.participants_for_opportunity(
            opportunity=session.opportunity, session=session, limit=20
        )
    for session in sessions:
        t0 = time.perf_counter()
        selectors.participants_for_opportunity(
            opportunity=session.opportunity, session=session, limit=20
        )
        timings.append(time.perf_counter() - t0)
    return {
        "coach_participants_for_session_p50_ms": _ms(timings, 0.50),
        "coach_participants_for_session_p95_ms": _ms(timings, 0.95),
    }


def explain_for_participant() -> str:
    """The plan of the indexed "top 10" query (selectors.nearest_opportunity_ids)."""
    from pgvector.django import CosineDistance

    person = ParticipantProfile.objects.filter(embedding__isnull=False).first()
    assert person is not None, "no participant has an embedding"
    vector = selectors._stored_vectors(ParticipantEmbedding, "participant_id", [person.pk])[
        person.pk
    ]
    dim = len(vector)
    rows = selectors._candidate_vectors(dim, person, None)
    query = rows.annotate(distance=CosineDistance(typed_vector(dim), vector.tolist())).order_by(
        "distance"
    )[: selectors.HNSW_OVERFETCH]
    with selectors._vector_search(10):
        return query.explain(analyze=True)


CONTRACT_KEYS = (
    "embed_texts_per_s",
    "backfill_s",
    "top10_hnsw_p50_ms",
    "top10_hnsw_p95_ms",
    "top10_exact_p50_ms",
    "top10_exact_p95_ms",
    "recall_at_10",
    "coach_participants_for_session_p50_ms",
    "coach_participants_for_session_p95_ms",
    "opportunities",
    "participants",
    "backend",
    "ef_search",
    "iterative_scan",
)


def run(
    *,
    opportunities: int,
    participants: int,
    samples: int = 100,
    contract_only: bool = False,
    database: str = "",
    log=print,
) -> dict:
    """Everything bench_matching prints, in the current (scratch) database."""
    result = {
        "backend": embeddings.get_backend().model_name,
        "dimensions": embeddings.get_backend().dimensions,
        "ef_search": selectors.EF_SEARCH,
        "iterative_scan": selectors.ITERATIVE_SCAN,
        "max_scan_tuples": selectors.MAX_SCAN_TUPLES,
        "hnsw_overfetch": selectors.HNSW_OVERFETCH,
        "hnsw_m": OpportunityEmbedding._meta.indexes[0].m,
        "hnsw_ef_construction": OpportunityEmbedding._meta.indexes[0].ef_construction,
    }
    have = Opportunity.objects.count()
    t0 = time.perf_counter()
    if have != opportunities:
        if have:
            raise SystemExit(f"{database} holds {have} opportunities; drop it or use --database")
        log("generating rows…")
        result.update(generate(opportunities=opportunities, participants=participants, log=log))
    else:
        result.update(
            {
                "opportunities": have,
                "participants": ParticipantProfile.objects.count(),
                "reused_rows": True,
            }
        )
    result["generate_s"] = round(time.perf_counter() - t0, 1)
    log("embedding…")
    result.update(embed_everything(log=log))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT pg_database_size(current_database())")
        result["database_mb"] = round(cursor.fetchone()[0] / 2**20)
        cursor.execute("SELECT pg_relation_size(%s)", [f"matching_opp_hnsw_{result['dimensions']}"])
        result["hnsw_index_mb"] = round(cursor.fetchone()[0] / 2**20)
    log("timing the candidate query…")
    result["embed_texts_per_s"] = embed_throughput()
    result.update(top10(samples=max(samples, 20)))
    result.update(coach_session(samples=samples))
    if not contract_only:
        log("timing selectors…")
        result.update(measure(samples=samples))
        log("timing the pages (stored recommendations, search)…")
        result.update(pages(samples=samples))
    return result
