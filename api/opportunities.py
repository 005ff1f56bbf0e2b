"""JSON API for partners' systems and integrations.

Three routers: ``router`` (public, read-only open opportunities), ``partner_router``
(partner staff: their own organisation's opportunities, sessions, rosters and
attendance) and ``signups_router`` (participants, coaches, the secretariat).
Objects outside the caller's scope are looked up inside the caller's queryset,
so they answer 404 exactly like objects that do not exist.
"""

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from api import selectors as sel
from api.auth import require_partner_staff
from api.schemas import (
    AttendanceIn,
    AttendanceOut,
    ManagedOpportunityOut,
    ManagedSessionOut,
    OpportunityFilter,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    Pagination,
    RosterEntryOut,
    SessionFilter,
    SessionIn,
    SessionOut,
    SignupFilter,
    SignupIn,
    SignupOut,
    errors,
)
from opportunities.models import Opportunity
from opportunities.partner_services import (
    opportunity_close,
    partner_opportunity_create,
    partner_opportunity_update,
)
from opportunities.selectors import opportunities_managed_by, sessions_managed_by
from opportunities.services import (
    session_cancel,
    session_create,
    signup_approve,
    signup_cancel,
    signup_create,
    signup_decline,
)
from people.selectors import participants_visible_to
from training.attendance import attendance_record

router = Router(tags=["opportunities"])
partner_router = Router(tags=["partner"])
signups_router = Router(tags=["signups"])

AUTH_ERRORS = (401, 403)

# --- public --------------------------------------------------------------------


@router.get(
    "/",
    response={200: list[OpportunityOut], **errors(400)},
    auth=None,
    summary="Open opportunities",
)
@paginate(Pagination)
def list_opportunities(request, filters: Query[OpportunityFilter]):
    return sel.opportunity_search_open(
        q=filters.q, kind=filters.kind, municipality=filters.municipality
    )


@router.get("/{opportunity_id}", response={200: OpportunityOut, **errors(404)}, auth=None)
def get_opportunity(request, opportunity_id: int):
    return get_object_or_404(sel.opportunities_public(), pk=opportunity_id)


@router.get(
    "/{opportunity_id}/sessions", response={200: list[SessionOut], **errors(400, 404)}, auth=None
)
@paginate(Pagination)
def list_opportunity_sessions(request, opportunity_id: int):
    opportunity = get_object_or_404(sel.opportunities_public(), pk=opportunity_id)
    return sel.session_list_public(opportunity=opportunity)


# --- partner staff: their own organisation ------------------------------------


@partner_router.get(
    "/opportunities", response={200: list[ManagedOpportunityOut], **errors(400, *AUTH_ERRORS)}
)
@paginate(Pagination)
def list_own_opportunities(request):
    user = require_partner_staff(request)
    return opportunities_managed_by(user=user).select_related("partner").order_by("code")


@partner_router.post(
    "/opportunities", response={201: ManagedOpportunityOut, **errors(400, *AUTH_ERRORS)}
)
def create_opportunity(request, payload: OpportunityIn):
    user = require_partner_staff(request)
    partner = sel.partner_for_staff(user=user)
    opportunity = Opportunity(partner=partner, **payload.dict())
    return Status(
        201, partner_opportunity_create(partner=partner, opportunity=opportunity, by=user)
    )


@partner_router.get(
    "/opportunities/{opportunity_id}",
    response={200: ManagedOpportunityOut, **errors(*AUTH_ERRORS, 404)},
)
def get_own_opportunity(request, opportunity_id: int):
    user = require_partner_staff(request)
    return get_object_or_404(
        opportunities_managed_by(user=user).select_related("partner"), pk=opportunity_id
    )


@partner_router.patch(
    "/opportunities/{opportunity_id}",
    response={200: ManagedOpportunityOut, **errors(400, *AUTH_ERRORS, 404)},
)
def update_opportunity(request, opportunity_id: int, payload: OpportunityPatch):
    user = require_partner_staff(request)
    opportunity = get_object_or_404(
        opportunities_managed_by(user=user).select_related("partner"), pk=opportunity_id
    )
    for field, value in payload.changes().items():
        setattr(opportunity, field, value)
    return partner_opportunity_update(opportunity=opportunity, by=user)


@partner_router.post(
    "/opportunities/{opportunity_id}/close",
    response={200: ManagedOpportunityOut, **errors(400, *AUTH_ERRORS, 404)},
)
def close_opportunity(request, opportunity_id: int):
    user = require_partner_staff(request)
    opportunity = get_object_or_404(
        opportunities_managed_by(user=user).select_related("partner"), pk=opportunity_id
    )
    return opportunity_close(opportunity=opportunity, by=user)


@partner_router.get(
    "/opportunities/{opportunity_id}/sessions",
    response={200: list[ManagedSessionOut], **errors(400, *AUTH_ERRORS, 404)},
)
@paginate(Pagination)
def list_own_sessions(request, opportunity_id: int):
    user = require_partner_staff(request)
    opportunity = get_object_or_404(opportunities_managed_by(user=user), pk=opportunity_id)
    return sel.session_list_managed(user=user, opportunity=opportunity)


@partner_router.get("/sessions", response={200: list[ManagedSessionOut], **errors(*AUTH_ERRORS)})
@paginate(Pagination)
def list_partner_sessions(request, filters: Query[SessionFilter]):
    """Every session of your organisation between two days: who runs what, when."""
    user = require_partner_staff(request)
    return sel.session_list_for_partner(user=user, **filters.dict())


@partner_router.post(
    "/opportunities/{opportunity_id}/sessions",
    response={201: ManagedSessionOut, **errors(400, *AUTH_ERRORS, 404)},
)
def create_session(request, opportunity_id: int, payload: SessionIn):
    user = require_partner_staff(request)
    opportunity = get_object_or_404(opportunities_managed_by(user=user), pk=opportunity_id)
    return Status(201, session_create(opportunity=opportunity, **payload.dict()))


@partner_router.post(
    "/sessions/{session_id}/cancel",
    response={200: ManagedSessionOut, **errors(*AUTH_ERRORS, 404, 409)},
)
def cancel_session(request, session_id: int):
    user = require_partner_staff(request)
    return session_cancel(session=get_object_or_404(sessions_managed_by(user=user), pk=session_id))


@partner_router.get(
    "/sessions/{session_id}/signups",
    response={200: list[RosterEntryOut], **errors(400, *AUTH_ERRORS, 404)},
)
@paginate(Pagination)
def list_session_roster(request, session_id: int):
    """Confirmed sign-ups: the participant's display name and emergency contact only."""
    user = require_partner_staff(request)
    return sel.roster_for_session(
        session=get_object_or_404(sessions_managed_by(user=user), pk=session_id)
    )


@partner_router.get(
    "/sessions/{session_id}/attendance",
    response={200: list[AttendanceOut], **errors(400, *AUTH_ERRORS, 404)},
)
@paginate(Pagination)
def list_attendance(request, session_id: int):
    user = require_partner_staff(request)
    return sel.attendance_for_session(
        session=get_object_or_404(sessions_managed_by(user=user), pk=session_id)
    )


@partner_router.post(
    "/sessions/{session_id}/attendance",
    response={200: AttendanceOut, **errors(400, *AUTH_ERRORS, 404, 409)},
)
def record_attendance(request, session_id: int, payload: AttendanceIn):
    """Record or correct one participant's attendance (the same call again overwrites it)."""
    user = require_partner_staff(request)
    session = get_object_or_404(sessions_managed_by(user=user), pk=session_id)
    participant = get_object_or_404(participants_visible_to(user=user), pk=payload.participant_id)
    return attendance_record(
        session=session,
        participant=participant,
        status=payload.status,
        minutes=payload.minutes,
        by=user,
    )


# --- sign-ups: participants, coaches, the secretariat ---------------------------


@signups_router.get("/", response={200: list[SignupOut], **errors(400, *AUTH_ERRORS)})
@paginate(Pagination)
def list_signups(request, filters: Query[SignupFilter]):
    """A participant's own sign-ups; a coach's caseload's; everyone's for the secretariat."""
    return sel.signup_list(
        user=request.auth, status=filters.status, participant_id=filters.participant_id
    )


@signups_router.post("/", response={201: SignupOut, **errors(400, *AUTH_ERRORS, 404, 409)})
def create_signup(request, payload: SignupIn):
    """A participant signs up (a "next step" becomes a request to their coach);
    a coach places someone from their caseload (which approves a next step)."""
    participant = sel.participant_to_sign_up(
        user=request.auth, participant_id=payload.participant_id
    )
    session = get_object_or_404(sel.sessions_open_to_signup(), pk=payload.session_id)
    return Status(201, signup_create(session=session, participant=participant, by=request.auth))


@signups_router.get("/{signup_id}", response={200: SignupOut, **errors(*AUTH_ERRORS, 404)})
def get_signup(request, signup_id: int):
    return get_object_or_404(sel.signups_visible_to(user=request.auth), pk=signup_id)


@signups_router.post(
    "/{signup_id}/cancel", response={200: SignupOut, **errors(*AUTH_ERRORS, 404, 409)}
)
def cancel_signup(request, signup_id: int):
    signup = get_object_or_404(sel.signups_visible_to(user=request.auth), pk=signup_id)
    return signup_cancel(signup=signup, by=request.auth)


@signups_router.post(
    "/{signup_id}/approve", response={200: SignupOut, **errors(*AUTH_ERRORS, 404, 409)}
)
def approve_signup(request, signup_id: int):
    """A coach approves their caseload participant's next-step request."""
    signup = get_object_or_404(sel.signups_visible_to(user=request.auth), pk=signup_id)
    sel.require_can_decide(user=request.auth, signup=signup)
    return signup_approve(signup=signup, by=request.auth)


@signups_router.post(
    "/{signup_id}/decline", response={200: SignupOut, **errors(*AUTH_ERRORS, 404, 409)}
)
def decline_signup(request, signup_id: int):
    signup = get_object_or_404(sel.signups_visible_to(user=request.auth), pk=signup_id)
    sel.require_can_decide(user=request.auth, signup=signup)
    return signup_decline(signup=signup, by=request.auth)
