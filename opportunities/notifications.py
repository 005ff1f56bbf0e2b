"""Notification emails: who is told what, in their language, exactly once.

Every email is recorded in NotificationLog under a key naming the event and the
recipient before it is sent, inside one transaction: if sending fails the row
rolls back and a retry sends it; if the row already exists the email went out
and a retried task sends nothing. Emails never carry a participant's support
background: the templates only get names, places and times.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.clock import day_bounds, local_today
from opportunities.models import NotificationLog, Session, Signup
from people.models import User

logger = logging.getLogger(__name__)

# The events the sign-up services enqueue, and who hears about each.
PARTICIPANT_EVENTS = {"confirmed", "waitlisted", "promoted", "approved", "declined"}
COACH_EVENTS = {"requested"}
# The partner's staff hear about a new sign-up (a seat or the waitlist), a
# cancellation and a promotion from the waitlist, unless the partner turned it off.
STAFF_EVENTS = {
    "confirmed": "partner_signup",
    "waitlisted": "partner_signup",
    "approved": "partner_signup",
    "cancelled": "partner_cancelled",
    "promoted": "partner_promoted",
}


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def notification_send(*, kind: str, key: str, user: User | None, context: dict) -> bool:
    """Send ``emails/<kind>`` to ``user`` once per ``key``; False when nothing was sent."""
    if user is None or not user.email or not user.is_active:
        return False
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"recipient": user, **context}
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
        body = render_to_string(f"emails/{kind}.txt", context)
    try:
        with transaction.atomic():
            NotificationLog.objects.create(kind=kind, key=key, recipient=user)
            send_mail(subject, body, None, [user.email])
    except IntegrityError:
        logger.info("notification %s already sent", key)
        return False
    return True


def _session_context(session: Session) -> dict:
    opportunity = session.opportunity
    return {
        "session": session,
        "opportunity": opportunity,
        "partner": opportunity.partner,
        "detail_url": site_url(reverse("opportunity_detail", args=[opportunity.code])),
        "schedule_url": site_url(reverse("my_schedule")),
    }


def partner_staff_send(*, signup: Signup, event: str) -> int:
    """Tell each active staff member of the session's partner (with an email
    address) about ``event``; nothing when the partner turned it off. Only the
    participant's name and code: never the support background."""
    kind = STAFF_EVENTS.get(event)
    partner = signup.session.opportunity.partner
    if kind is None or not partner.notify_staff:
        return 0
    context = {
        **_session_context(signup.session),
        "signup": signup,
        "participant_name": signup.participant.display_name,
        "participant_code": signup.participant.code,
        "roster_url": site_url(reverse("partner_session", args=[signup.session_id])),
    }
    staff = User.objects.filter(
        partner=partner, role=User.Role.PARTNER_STAFF, is_active=True
    ).exclude(email="")
    sent = 0
    for user in staff.order_by("pk"):
        sent += notification_send(
            kind=kind,
            key=f"signup:{signup.pk}:{event}:staff:{user.pk}",
            user=user,
            context={**context, "staff_name": user.display_name},
        )
    return sent


def signup_event_send(*, signup: Signup, event: str) -> bool:
    participant = signup.participant
    context = {
        **_session_context(signup.session),
        "signup": signup,
        "participant_name": participant.display_name,
    }
    if event in STAFF_EVENTS:
        partner_staff_send(signup=signup, event=event)
    if event == "cancelled":
        return False  # the person cancelled themself (or their coach did): no email to them
    if event in PARTICIPANT_EVENTS:
        if not participant.notify_signup:
            return False  # she asked for no emails about her sign-ups (her profile)
        return notification_send(
            kind=f"signup_{event}",
            key=f"signup:{signup.pk}:{event}",
            user=participant.user,
            context=context,
        )
    if event in COACH_EVENTS:
        context["caseload_url"] = site_url("/coach/")
        return notification_send(
            kind=f"signup_{event}",
            key=f"signup:{signup.pk}:{event}:coach",
            user=participant.coach,
            context=context,
        )
    logger.warning("unknown sign-up event %r for sign-up %s", event, signup.pk)
    return False


def session_cancelled_send(*, session: Session) -> int:
    """Tell everyone still signed up that the session will not take place."""
    signups = (
        Signup.objects.filter(session=session, status__in=Signup.ACTIVE_STATUSES)
        .select_related("participant__user")
        .order_by("pk")
    )
    context = _session_context(session)
    sent = 0
    for signup in signups:
        if not signup.participant.notify_changes:
            continue  # she asked for no emails about cancelled or changed sessions
        sent += notification_send(
            kind="session_cancelled",
            key=f"session:{session.pk}:cancelled:{signup.pk}",
            user=signup.participant.user,
            context={
                **context,
                "signup": signup,
                "participant_name": signup.participant.display_name,
            },
        )
    return sent


def session_reminders_send(*, day: date | None = None) -> int:
    """Remind everyone with a confirmed seat in a session on ``day`` (default: tomorrow)."""
    day = day or local_today() + timedelta(days=1)
    start, end = day_bounds(day)
    signups = (
        Signup.objects.filter(
            status=Signup.Status.CONFIRMED,
            session__status=Session.Status.SCHEDULED,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .select_related("participant__user", "session__opportunity__partner")
        .order_by("session__starts_at", "pk")
    )
    sent = 0
    for signup in signups:
        if not signup.participant.notify_reminder:
            continue  # she asked for no reminders the day before
        sent += notification_send(
            kind="session_reminder",
            key=f"signup:{signup.pk}:reminder",
            user=signup.participant.user,
            context={
                **_session_context(signup.session),
                "signup": signup,
                "participant_name": signup.participant.display_name,
            },
        )
    return sent
