from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("マッチング")
    default = True

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from matching import (
            checks,  # noqa: F401  (registers the system check)
            receivers,
        )

        # Embeddings are matching's private business: listening to saves here keeps
        # people/ and opportunities/ free of any embedding code or imports, and
        # whichever service or admin form saves a profile or posting, its vector
        # follows. The receivers only enqueue a task after commit; no embedding
        # happens inside the request.
        post_save.connect(
            receivers.opportunity_saved,
            sender="opportunities.Opportunity",
            dispatch_uid="matching_opportunity_saved",
        )
        post_save.connect(
            receivers.participant_saved,
            sender="people.ParticipantProfile",
            dispatch_uid="matching_participant_saved",
        )
        # Stored recommendations (Recommendation) follow sessions and free time too.
        for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(
                receivers.session_changed,
                sender="opportunities.Session",
                dispatch_uid=f"matching_session_{name}",
            )
            signal.connect(
                receivers.availability_changed,
                sender="people.AvailabilitySlot",
                dispatch_uid=f"matching_availability_{name}",
            )
