"""post_save receivers, connected in apps.py. They only enqueue re-embedding on
commit; the posting's filters beside its vector are kept by a database trigger
(migration 0005), so no rule lives here."""

from django.db import transaction


def _enqueue(task: str, object_id: int) -> None:
    from django_q.tasks import async_task

    # On commit, so a rolled-back save enqueues nothing and the worker sees the row.
    transaction.on_commit(lambda: async_task(task, object_id, group="embeddings"))


# Saves limited to other fields (status, seats, location…) cannot change the text.
OPPORTUNITY_TEXT_FIELDS = frozenset({"title", "description", "skills", "useful_skills", "kind"})
PARTICIPANT_TEXT_FIELDS = frozenset({"self_description", "skills", "interests"})


def _text_may_have_changed(update_fields, text_fields) -> bool:
    return update_fields is None or bool(text_fields & set(update_fields))


def opportunity_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or not _text_may_have_changed(update_fields, OPPORTUNITY_TEXT_FIELDS):
        return
    _enqueue("matching.tasks.embed_opportunity", instance.pk)


def participant_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or not _text_may_have_changed(update_fields, PARTICIPANT_TEXT_FIELDS):
        return
    _enqueue("matching.tasks.embed_participant", instance.pk)
