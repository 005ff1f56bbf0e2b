"""Notifications, sent by django-q2 workers. Tasks take ids, load the rows and
call one function of opportunities.notifications; they are idempotent because
every email is recorded under a unique key before it goes out."""

import logging

from opportunities import notifications
from opportunities.models import Session, Signup

logger = logging.getLogger(__name__)


def signup_notify(signup_id: int, event: str) -> None:
    signup = (
        Signup.objects.select_related(
            "participant__user", "participant__coach", "session__opportunity__partner"
        )
        .filter(pk=signup_id)
        .first()
    )
    if signup is None:
        logger.warning("signup %s is gone; nothing to notify", signup_id)
        return
    notifications.signup_event_send(signup=signup, event=event)


def session_cancelled_notify(session_id: int) -> None:
    session = Session.objects.select_related("opportunity__partner").filter(pk=session_id).first()
    if session is not None:
        notifications.session_cancelled_send(session=session)


def session_reminders_send() -> int:
    """Daily (see the setup_schedules command): remind tomorrow's confirmed participants."""
    return notifications.session_reminders_send()
