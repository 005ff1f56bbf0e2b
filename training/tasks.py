"""Periodic jobs of the training app, run by django-q2 workers."""

from training import notifications


def absence_digest_send() -> int:
    """Weekly (see the setup_schedules command): each coach's absences of the last 7 days."""
    return notifications.absence_digest_send()
