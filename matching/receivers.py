"""Signal receivers, connected in apps.py. They only enqueue work on commit:
re-embedding when a text may have changed, and refreshing stored
recommendations when a participant, a posting or a session changed. The
posting's filters beside its vector are kept by a database trigger (migration
0005), so no rule lives here."""

import threading

from django.db import transaction
from django.utils import timezone


def _enqueue(task: str, object_id: int) -> None:
    from django_q.tasks import async_task

    # On commit, so a rolled-back save enqueues nothing and the worker sees the row.
    transaction.on_commit(lambda: async_task(task, object_id, group="embeddings"))


# Saves limited to other fields (status, seats, location…) cannot change the text.
OPPORTUNITY_TEXT_FIELDS = frozenset({"title", "description", "skills", "useful_skills", "kind"})
PARTICIPANT_TEXT_FIELDS = frozenset({"self_description", "skills", "interests"})
# What a participant's ranking reads besides the text (notification settings,
# contacts and notes change nothing in it).
PARTICIPANT_RANKING_FIELDS = PARTICIPANT_TEXT_FIELDS | {"lat", "lon", "max_travel_km", "readiness"}
OPPORTUNITY_IGNORED_FIELDS = frozenset({"updated_at"})


def _text_may_have_changed(update_fields, text_fields) -> bool:
    return update_fields is None or bool(text_fields & set(update_fields))


def _only(update_fields, ignored) -> bool:
    return update_fields is not None and set(update_fields) <= ignored


# ---------------------------------------------------------------- recommendations


class _Batch:
    """Ids changed in one transaction. Every change registers ``flush`` on
    commit, and the first call enqueues one task for the whole batch (the others
    find it empty): one refresh per commit however many rows a service or an
    import saves, and a callback dropped with a rolled-back savepoint loses nothing."""

    def __init__(self) -> None:
        self.participants: set[int] = set()
        self.opportunities: set[int] = set()

    def flush(self) -> None:
        from django_q.tasks import async_task

        participants, opportunities = sorted(self.participants), sorted(self.opportunities)
        self.participants, self.opportunities = set(), set()
        if participants or opportunities:
            async_task(
                "matching.tasks.recommendations_refresh_changed",
                participants,
                opportunities,
                timezone.now().isoformat(),
                group="recommendations",
            )


class _Current(threading.local):
    batch: _Batch | None = None


_current = _Current()


def _batch_for(connection) -> _Batch:
    """This transaction's batch: the one whose callbacks are still waiting for
    the commit, else a new one (the last transaction committed or rolled back)."""
    batch = _current.batch
    if (
        batch is None
        or not connection.in_atomic_block
        or not any(
            getattr(entry[1], "__self__", None) is batch for entry in connection.run_on_commit
        )
    ):
        batch = _current.batch = _Batch()
    return batch


def recommendations_stale(*, participant_ids=(), opportunity_ids=()) -> None:
    """Mark these people's (or these postings') recommendations for a refresh
    after the current transaction commits (at once outside a transaction)."""
    batch = _batch_for(transaction.get_connection())
    batch.participants.update(participant_ids)
    batch.opportunities.update(opportunity_ids)
    transaction.on_commit(batch.flush)


def opportunity_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw:
        return
    if _text_may_have_changed(update_fields, OPPORTUNITY_TEXT_FIELDS):
        _enqueue("matching.tasks.embed_opportunity", instance.pk)
    if not _only(update_fields, OPPORTUNITY_IGNORED_FIELDS):
        recommendations_stale(opportunity_ids=[instance.pk])


def participant_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw:
        return
    if _text_may_have_changed(update_fields, PARTICIPANT_TEXT_FIELDS):
        _enqueue("matching.tasks.embed_participant", instance.pk)
    if _text_may_have_changed(update_fields, PARTICIPANT_RANKING_FIELDS):
        recommendations_stale(participant_ids=[instance.pk])


def session_changed(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """A session saved or deleted: its posting's schedule changed. Seat counts
    move by queryset updates (no signal); the nightly refresh follows them."""
    if raw or _only(update_fields, frozenset({"seats_taken", "updated_at"})):
        return
    recommendations_stale(opportunity_ids=[instance.opportunity_id])


def availability_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    recommendations_stale(participant_ids=[instance.participant_id])
