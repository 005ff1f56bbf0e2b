from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from opportunities.models import Opportunity, Partner, Session


def municipality_list() -> list[str]:
    return list(
        Opportunity.objects.filter(status=Opportunity.Status.OPEN)
        .exclude(municipality="")
        .order_by("municipality")
        .values_list("municipality", flat=True)
        .distinct()
    )


def opportunity_list_open(
    *,
    kind: str = "",
    municipality: str = "",
    weekday: int | None = None,
    partner: Partner | None = None,
) -> QuerySet[Opportunity]:
    """Open opportunities with the browse filters; weekday matches upcoming sessions."""
    qs = Opportunity.objects.filter(
        status=Opportunity.Status.OPEN, partner__is_active=True
    ).select_related("partner")
    if kind:
        qs = qs.filter(kind=kind)
    if municipality:
        qs = qs.filter(municipality=municipality)
    if partner is not None:
        qs = qs.filter(partner=partner)
    if weekday is not None:
        # PostgreSQL's ISO day of week runs 1 = Monday … 7 = Sunday; ours 0 … 6.
        upcoming = Session.objects.filter(
            opportunity=OuterRef("pk"),
            status=Session.Status.SCHEDULED,
            starts_at__gte=timezone.now(),
            starts_at__iso_week_day=weekday + 1,
        )
        qs = qs.filter(Exists(upcoming))
    return qs.order_by("min_readiness", "code")


def session_list_upcoming(*, opportunity: Opportunity, limit: int = 20) -> QuerySet[Session]:
    return opportunity.sessions.filter(
        status=Session.Status.SCHEDULED, starts_at__gte=timezone.now()
    ).order_by("starts_at")[:limit]


def opportunities_managed_by(*, user) -> QuerySet[Opportunity]:
    """Partner staff manage their own organisation's opportunities; the secretariat all."""
    if not user.is_authenticated:
        return Opportunity.objects.none()
    if user.is_secretariat:
        return Opportunity.objects.all()
    if user.is_partner_staff and user.partner_id:
        return Opportunity.objects.filter(partner_id=user.partner_id)
    return Opportunity.objects.none()


def sessions_managed_by(*, user) -> QuerySet[Session]:
    return Session.objects.filter(opportunity__in=opportunities_managed_by(user=user))
