"""Notifications, sent by django-q2 workers. Tasks take ids and are idempotent."""

import logging

logger = logging.getLogger(__name__)


def signup_notify(signup_id: int, event: str) -> None:
    logger.info("signup %s: %s", signup_id, event)


def session_cancelled_notify(session_id: int) -> None:
    logger.info("session %s cancelled", session_id)
