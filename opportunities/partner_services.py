"""Writes made by partner staff from their pages: their organisation's
profile and opening slots, and creating/closing their opportunities. Sessions
and sign-ups go through opportunities.services."""

import secrets
from datetime import time

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotAllowed
from opportunities.models import OpeningSlot, Opportunity, Partner
from opportunities.services import opportunity_save
from people.models import User


def _check_partner(*, partner: Partner, by: User) -> None:
    if not (by.is_secretariat or (by.is_partner_staff and by.partner_id == partner.pk)):
        raise NotAllowed(_("この協力機関の情報は変更できません。"))


@transaction.atomic
def partner_profile_update(
    *, partner: Partner, by: User, opening_slots: list[tuple[int, time, time]] | None = None
) -> Partner:
    """Save the profile fields already set on ``partner``; when ``opening_slots``
    is given it replaces the weekly opening times as a whole."""
    _check_partner(partner=partner, by=by)
    partner.full_clean()
    partner.save()
    if opening_slots is not None:
        unique = sorted({(weekday, start, end) for weekday, start, end in opening_slots})
        starts = [(w, s) for w, s, _e in unique]
        if len(starts) != len(set(starts)):
            raise Conflict(_("同じ曜日・開始時刻の開所時間が重なっています。"))
        partner.opening_slots.all().delete()
        OpeningSlot.objects.bulk_create(
            [OpeningSlot(partner=partner, weekday=w, start=s, end=e) for w, s, e in unique]
        )
    return partner


def _new_opportunity_code(partner: Partner) -> str:
    prefix = partner.code[:12]
    for _attempt in range(50):
        code = f"{prefix}-{secrets.randbelow(10**6):06d}"
        if not Opportunity.objects.filter(code=code).exists():
            return code
    raise Conflict(_("活動コードを作れませんでした。もう一度お試しください。"))


def partner_opportunity_create(
    *, partner: Partner, opportunity: Opportunity, by: User
) -> Opportunity:
    _check_partner(partner=partner, by=by)
    opportunity.partner = partner
    if not opportunity.code:
        opportunity.code = _new_opportunity_code(partner)
    return opportunity_save(opportunity=opportunity)


def partner_opportunity_update(*, opportunity: Opportunity, by: User) -> Opportunity:
    _check_partner(partner=opportunity.partner, by=by)
    return opportunity_save(opportunity=opportunity)


def opportunity_close(*, opportunity: Opportunity, by: User) -> Opportunity:
    """Stop taking sign-ups. Sessions already planned stay as they are; staff
    cancel those they will not hold (which notifies the people signed up)."""
    _check_partner(partner=opportunity.partner, by=by)
    opportunity.status = Opportunity.Status.CLOSED
    opportunity.save(update_fields=["status", "updated_at"])
    return opportunity


# -- The secretariat's partner pages ----------------------------------------


def _check_secretariat(by: User) -> None:
    if not by.is_secretariat:
        raise NotAllowed(_("協力機関の登録と変更は事務局だけができます。"))


@transaction.atomic
def partner_create(*, partner: Partner, by: User) -> Partner:
    """Register a new partner organisation (the fields already set on ``partner``)."""
    _check_secretariat(by)
    partner.code = partner.code.strip()
    if not partner.code:
        raise DomainError(_("機関コードを入れてください。"))
    if Partner.objects.filter(code__iexact=partner.code).exists():
        raise Conflict(_("その機関コードはすでに使われています。別のコードにしてください。"))
    partner.full_clean()
    partner.save()
    return partner


def partner_update(*, partner: Partner, by: User) -> Partner:
    """Save the secretariat's changes to a partner (its code stays)."""
    _check_secretariat(by)
    return partner_profile_update(partner=partner, by=by)


def partner_set_active(*, partner: Partner, active: bool, by: User) -> Partner:
    """Deactivate (or reactivate) a partner. Its opportunities, sessions,
    attendance and payouts stay as they are; a partner with data is never deleted."""
    _check_secretariat(by)
    partner.is_active = active
    partner.save(update_fields=["is_active", "updated_at"])
    return partner
