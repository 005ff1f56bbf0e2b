"""Writes of the matching app: computing and storing embeddings.

Each stored vector carries the model name and a hash of its source text, so these
functions are idempotent: an unchanged text under the same model is skipped.
"""

from collections.abc import Iterable, Sequence

import numpy as np
from django.db import transaction
from django.utils import timezone

from matching import embeddings
from matching.models import (
    OpportunityEmbedding,
    ParticipantEmbedding,
    Recommendation,
    TermEmbedding,
)
from opportunities.models import Opportunity
from people.models import ParticipantProfile
from people.skills import term_labels_all

# Fixed Japanese words for each kind, so the text (and its hash) does not depend
# on the language active when the task runs.
KIND_WORDS: dict[str, str] = {
    Opportunity.Kind.VOLUNTEERING: "ボランティア",
    Opportunity.Kind.SUPPORTED_WORK: "就労体験",
    Opportunity.Kind.INTERMEDIATE_EMPLOYMENT: "中間的就労",
    Opportunity.Kind.FARM_WELFARE: "農福連携 農作業",
}


def opportunity_document(opportunity: Opportunity) -> str:
    skills = "、".join([*opportunity.skills, *opportunity.useful_skills])
    parts = [
        opportunity.title,
        opportunity.description,
        skills,
        KIND_WORDS.get(opportunity.kind, ""),
    ]
    return embeddings.normalise_text("\n".join(p for p in parts if p))


def participant_terms(participant: ParticipantProfile) -> list[str]:
    """Interests first, then skills, without repeats; each is matched on its own,
    under every label the bilingual vocabulary (people.skills) gives it, so an
    English posting meets 園芸 and a Japanese one meets "gardening"."""
    return list(
        dict.fromkeys(
            label
            for t in [*participant.interests, *participant.skills]
            for label in term_labels_all(t)
        )
    )


def participant_document(participant: ParticipantProfile) -> str:
    terms = "、".join(participant_terms(participant))
    return embeddings.normalise_text(
        "\n".join(p for p in [terms, participant.self_description] if p)
    )


def participant_own_text(participant: ParticipantProfile) -> str:
    """Her words as stored (without the vocabulary's other-language labels):
    what tells which language she reads (rules.japanese_share)."""
    terms = "、".join(t.strip() for t in [*participant.interests, *participant.skills] if t.strip())
    return embeddings.normalise_text(
        "\n".join(p for p in [terms, participant.self_description] if p)
    )


def terms_embed(*, terms: Iterable[str]) -> dict[str, np.ndarray]:
    """Vectors for short phrases, from the cache or embedded now (and cached)."""
    backend = embeddings.get_backend()
    wanted = list(dict.fromkeys(t.strip()[:100] for t in terms if t and t.strip()))
    if not wanted:
        return {}
    found = {
        row.term: np.asarray(row.vector, dtype=np.float32)
        for row in TermEmbedding.objects.filter(model_name=backend.model_name, term__in=wanted)
    }
    missing = [t for t in wanted if t not in found]
    if missing:
        vectors = backend.encode(missing)
        TermEmbedding.objects.bulk_create(
            [
                TermEmbedding(
                    model_name=backend.model_name, term=t, dimensions=backend.dimensions, vector=v
                )
                for t, v in zip(missing, vectors, strict=True)
            ],
            ignore_conflicts=True,  # another worker may cache the same phrase meanwhile
        )
        found.update(zip(missing, vectors, strict=True))
    return found


FILTER_FIELDS = ["is_open", "min_readiness", "lat", "lon"]


def opportunity_filters(opportunity: Opportunity) -> dict:
    """The cheap filters of candidate generation, copied beside the vector when
    it is written; afterwards the trigger of migration 0005 keeps them."""
    return {
        "is_open": opportunity.status == Opportunity.Status.OPEN,
        "min_readiness": opportunity.min_readiness,
        "lat": opportunity.lat,
        "lon": opportunity.lon,
    }


def opportunities_embed(*, opportunities: Sequence[Opportunity], force: bool = False) -> int:
    """Embed the postings whose text or model changed; returns how many were embedded.
    The filter copies of the others are brought up to date too."""
    backend = embeddings.get_backend()
    docs = {o.pk: opportunity_document(o) for o in opportunities}
    hashes = {pk: embeddings.source_hash(backend.model_name, doc) for pk, doc in docs.items()}
    if not force:
        current = set(
            OpportunityEmbedding.objects.filter(
                opportunity__in=list(docs), model_name=backend.model_name
            ).values_list("opportunity_id", "source_hash")
        )
        docs = {pk: doc for pk, doc in docs.items() if (pk, hashes[pk]) not in current}
        unchanged = [
            OpportunityEmbedding(opportunity_id=o.pk, **opportunity_filters(o))
            for o in opportunities
            if o.pk not in docs and (o.pk, hashes[o.pk]) in current
        ]
        if unchanged:
            OpportunityEmbedding.objects.bulk_update(unchanged, FILTER_FIELDS, batch_size=1000)
    if not docs:
        return 0
    vectors = backend.encode(list(docs.values()))
    now = timezone.now()
    by_pk = {o.pk: o for o in opportunities}
    rows = [
        OpportunityEmbedding(
            opportunity_id=pk,
            model_name=backend.model_name,
            dimensions=backend.dimensions,
            source_hash=hashes[pk],
            vector=vector,
            updated_at=now,
            **opportunity_filters(by_pk[pk]),
        )
        for pk, vector in zip(docs, vectors, strict=True)
    ]
    with transaction.atomic():
        OpportunityEmbedding.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["opportunity"],
            update_fields=[
                "model_name",
                "dimensions",
                "source_hash",
                "vector",
                "updated_at",
                *FILTER_FIELDS,
            ],
        )
    terms_embed(
        terms=[s for o in opportunities if o.pk in docs for s in [*o.skills, *o.useful_skills]]
    )
    return len(rows)


def participants_embed(*, participants: Sequence[ParticipantProfile], force: bool = False) -> int:
    backend = embeddings.get_backend()
    docs = {p.pk: participant_document(p) for p in participants}
    hashes = {pk: embeddings.source_hash(backend.model_name, doc) for pk, doc in docs.items()}
    if not force:
        current = set(
            ParticipantEmbedding.objects.filter(
                participant__in=list(docs), model_name=backend.model_name
            ).values_list("participant_id", "source_hash")
        )
        docs = {pk: doc for pk, doc in docs.items() if (pk, hashes[pk]) not in current}
    if not docs:
        return 0
    vectors = backend.encode(list(docs.values()))
    now = timezone.now()
    rows = [
        ParticipantEmbedding(
            participant_id=pk,
            model_name=backend.model_name,
            dimensions=backend.dimensions,
            source_hash=hashes[pk],
            vector=vector,
            updated_at=now,
        )
        for pk, vector in zip(docs, vectors, strict=True)
    ]
    with transaction.atomic():
        ParticipantEmbedding.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["participant"],
            update_fields=["model_name", "dimensions", "source_hash", "vector", "updated_at"],
        )
    terms_embed(terms=[t for p in participants if p.pk in docs for t in participant_terms(p)])
    return len(rows)


def opportunity_embed(*, opportunity: Opportunity, force: bool = False) -> bool:
    """(Re-)embed one posting if its text or the model changed."""
    return opportunities_embed(opportunities=[opportunity], force=force) == 1


def participant_embed(*, participant: ParticipantProfile, force: bool = False) -> bool:
    return participants_embed(participants=[participant], force=force) == 1


# --------------------------------------------------------------------------- recommendations

# How many postings each participant keeps stored: the home page shows 6, the
# coach's match list 10; the rest leaves room for postings that close meanwhile.
RECOMMENDATIONS_STORED = 30


def recommendations_refresh(
    *, participant: ParticipantProfile, limit: int = RECOMMENDATIONS_STORED
) -> int:
    """Rank the participant's postings now (selectors.opportunities_for_participant)
    and replace her stored recommendations with the top ``limit``, in one
    transaction (readers see the old list or the new one). Returns how many rows
    are stored."""
    from matching.ranking import facts_to_json
    from matching.selectors import opportunities_for_participant

    matches = opportunities_for_participant(participant=participant, limit=limit, explain=False)
    now = timezone.now()
    rows = [
        Recommendation(
            participant=participant,
            opportunity=match.opportunity,
            rank=rank,
            score=match.score,
            feasible=match.feasible,
            readiness_fit=match.readiness_fit,
            facts=facts_to_json(match.facts) if match.facts is not None else {},
            computed_at=now,
        )
        for rank, match in enumerate(matches, start=1)
    ]
    with transaction.atomic():
        # Lock the person's row so two workers refreshing her at once do not interleave.
        ParticipantProfile.objects.select_for_update().filter(pk=participant.pk).first()
        Recommendation.objects.filter(participant=participant).delete()
        Recommendation.objects.bulk_create(rows)
    return len(rows)
