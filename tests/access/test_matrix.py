"""The access matrix: role × endpoint × foreign object.

The acting roles are the "A" side of ``tests.api.world``: anonymous,
participant A, coach A, partner staff of organisation A (by session, and by
API token for the API). Every endpoint is aimed at a "B" object (participant
B of coach B, organisation B's opportunity and session, B's sign-ups) or at a
page of another role. Each cell that must be denied answers 403 or 404 (an
anonymous visitor is sent to the login page, or gets 401 from the API), and
leaves the database exactly as it was. Each endpoint also has a positive
control: its rightful owner is let in, so the matrix cannot pass vacuously
because a URL or an object is wrong.

Rows are built from URL names, so pages that do not exist (yet) drop out, and
``test_every_restricted_page_has_a_row`` fails when a page is added under a
restricted prefix without a row here.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from people.auth import api_token_issue
from tests.api.world import World, assert_no_canary, move_to_today
from training.models import ActivityRecord

ANON, PART, COACH, STAFF, TOKEN = (
    "anonymous",
    "participant_a",
    "coach_a",
    "staff_a",
    "staff_a_token",
)
A_SIDE = frozenset({ANON, PART, COACH, STAFF})
NOT_COACH = frozenset({ANON, PART, STAFF})
NOT_PARTNER = frozenset({ANON, PART, COACH})
NOT_PARTICIPANT = frozenset({ANON, COACH, STAFF})


@dataclass(frozen=True)
class Row:
    url_name: str
    method: str
    args: Callable[[World], list] = lambda w: []
    denied: frozenset = A_SIDE
    allowed: tuple = ()
    data: Callable[[World], dict] = lambda w: {}
    label: str = ""
    # Runs before the request (and before the state snapshot).
    prepare: Callable[[World], object] = lambda w: None
    api: bool = field(init=False, default=False)

    def __post_init__(self):
        object.__setattr__(self, "api", self.url_name.startswith("api:"))

    @property
    def id(self) -> str:
        return self.label or f"{self.method} {self.url_name}"


def _activity_b(w: World) -> int:
    """A ledger line of organisation B (made in ``prepare``, before the snapshot)."""
    record, _made = ActivityRecord.objects.get_or_create(
        partner_id=w.opp_b.partner_id,
        activity="place_visit",
        held_on=timezone.localdate() - timedelta(days=1),
        counterpart_type="",
        defaults={"count": 1, "persons": 3},
    )
    return record.pk


def _future_day(w: World) -> str:
    return (timezone.localdate() + timedelta(days=20)).isoformat()


ROWS = [
    # --- coach pages: coaches (and the secretariat) only; participant B belongs to coach B.
    Row("coach_caseload", "GET", denied=NOT_COACH, allowed=("coach_a", "secretariat")),
    Row("coach_progression", "GET", denied=NOT_COACH, allowed=("coach_a", "secretariat")),
    Row("coach_participant_create", "GET", denied=NOT_COACH, allowed=("coach_a",)),
    Row(
        "coach_participant",
        "GET",
        lambda w: [w.participant_b.code],
        allowed=("coach_b", "secretariat"),
    ),
    Row(
        "coach_assess",
        "POST",
        lambda w: [w.participant_b.code],
        allowed=("coach_b",),
        data=lambda w: {"step": 3, "notes": "乗っ取り"},
    ),
    Row(
        "coach_place",
        "POST",
        lambda w: [w.participant_b.code],
        allowed=("coach_b",),
        data=lambda w: {"session": w.session_a.pk},
    ),
    Row("coach_login_code", "POST", lambda w: [w.participant_b.code], allowed=("coach_b",)),
    Row(
        "coach_participant_edit",
        "GET",
        lambda w: [w.participant_b.code],
        allowed=("coach_b", "secretariat"),
    ),
    Row(
        "coach_participant_edit",
        "POST",
        lambda w: [w.participant_b.code],
        allowed=("coach_b",),
        data=lambda w: {
            "display_name": "乗っ取り",
            "max_travel_km": "5",
            "support_notes": "乗っ取り",
            "slots-TOTAL_FORMS": "0",
            "slots-INITIAL_FORMS": "0",
        },
    ),
    Row(
        "coach_case_note_add",
        "POST",
        lambda w: [w.participant_b.code],
        allowed=("coach_b",),
        data=lambda w: {"body": "乗っ取り"},
    ),
    Row("coach_signup_approve", "POST", lambda w: [w.request_b.pk], allowed=("coach_b",)),
    Row("coach_signup_decline", "GET", lambda w: [w.request_b.pk], allowed=("coach_b",)),
    Row("coach_signup_decline", "POST", lambda w: [w.request_b.pk], allowed=("coach_b",)),
    Row(
        "coach_opportunity", "GET", lambda w: [w.opp_b.code], denied=NOT_COACH, allowed=("coach_a",)
    ),
    # --- participant pages: only participants, only their own sign-ups.
    Row(
        "session_signup",
        "POST",
        lambda w: [w.session_b.pk],
        denied=NOT_PARTICIPANT,
        allowed=("participant_a",),
    ),
    Row("signup_cancel", "GET", lambda w: [w.signup_b.pk], allowed=("participant_b",)),
    Row("signup_cancel", "POST", lambda w: [w.signup_b.pk], allowed=("participant_b",)),
    Row("my_schedule", "GET", denied=NOT_PARTICIPANT, allowed=("participant_a",)),
    Row("my_calendar", "POST", denied=NOT_PARTICIPANT, allowed=("participant_a",)),
    Row("my_profile", "GET", denied=NOT_PARTICIPANT, allowed=("participant_a",)),
    # --- partner pages: staff of the organisation that owns the object.
    Row("partner_dashboard", "GET", denied=NOT_PARTNER, allowed=("staff_a",)),
    Row("partner_profile", "GET", denied=NOT_PARTNER, allowed=("staff_a",)),
    Row("partner_opportunity_list", "GET", denied=NOT_PARTNER, allowed=("staff_a", "secretariat")),
    Row("partner_opportunity_new", "GET", denied=NOT_PARTNER, allowed=("staff_a",)),
    Row("partner_opportunity", "GET", lambda w: [w.opp_b.code], allowed=("staff_b", "secretariat")),
    Row("partner_opportunity_edit", "GET", lambda w: [w.opp_b.code], allowed=("staff_b",)),
    Row(
        "partner_opportunity_edit",
        "POST",
        lambda w: [w.opp_b.code],
        data=lambda w: {"title": "乗っ取り"},
    ),
    Row("partner_opportunity_close", "GET", lambda w: [w.opp_b.code], allowed=("staff_b",)),
    Row("partner_opportunity_close", "POST", lambda w: [w.opp_b.code], allowed=("staff_b",)),
    Row(
        "partner_session_create",
        "POST",
        lambda w: [w.opp_b.code],
        allowed=("staff_b",),
        data=lambda w: {"day": _future_day(w), "start": "10:00", "end": "12:00"},
    ),
    Row(
        "partner_sessions_weekly",
        "POST",
        lambda w: [w.opp_b.code],
        allowed=("staff_b",),
        data=lambda w: {
            "weekdays": [0, 2],
            "start": "10:00",
            "end": "12:00",
            "date_from": _future_day(w),
            "date_to": _future_day(w),
        },
    ),
    Row("partner_session", "GET", lambda w: [w.session_b.pk], allowed=("staff_b", "secretariat")),
    Row("partner_session_cancel", "GET", lambda w: [w.session_b.pk], allowed=("staff_b",)),
    Row("partner_session_cancel", "POST", lambda w: [w.session_b.pk], allowed=("staff_b",)),
    Row(
        "partner_attendance",
        "POST",
        lambda w: [w.session_b.pk],
        prepare=lambda w: move_to_today(w.session_b),
        allowed=("staff_b",),
        data=lambda w: {"participant": w.participant_b.code, "status": "present"},
    ),
    Row(
        "partner_supporter_add",
        "POST",
        lambda w: [w.session_b.pk],
        prepare=lambda w: move_to_today(w.session_b),
        allowed=("staff_b",),
        data=lambda w: {"name": "山田 太郎", "minutes": 60},
    ),
    Row(
        "partner_walk_in",
        "GET",
        lambda w: [w.session_b.pk],
        allowed=("staff_b", "secretariat"),
        data=lambda w: {"q": w.participant_a.code},
    ),
    Row(
        "partner_walk_in",
        "POST",
        lambda w: [w.session_b.pk],
        prepare=lambda w: move_to_today(w.session_b),
        allowed=("staff_b",),
        data=lambda w: {
            "participant": w.participant_a.code,
            "q": f"{w.participant_a.code} {w.participant_a.display_name}",
        },
    ),
    Row("partner_statement_list", "GET", denied=NOT_PARTNER, allowed=("staff_a",)),
    Row("partner_activity_list", "GET", denied=NOT_PARTNER, allowed=("staff_a",)),
    Row("partner_activity_new", "GET", denied=NOT_PARTNER, allowed=("staff_a",)),
    *[
        Row(name, method, lambda w: [_activity_b(w)], prepare=_activity_b, allowed=("staff_b",))
        for name in ("partner_activity_edit", "partner_activity_delete")
        for method in ("GET", "POST")
    ],
    # No run pays organisation A: any run is another organisation's (or none), a 404.
    Row("partner_statement_detail", "GET", lambda w: [1]),
    Row("partner_statement_export", "GET", lambda w: [1, "csv"]),
    Row("partner_statement_export", "GET", lambda w: [1, "pdf"], label="GET statement pdf"),
    # --- secretariat pages: nobody else. Object ids do not matter: the role check comes first.
    *[
        Row(f"secretariat:{name}", "GET", allowed=("secretariat",))
        for name in (
            "dashboard",
            "targets_edit",
            "fee_rule_list",
            "payout_run_list",
            "training_days",
            "import_upload",
            "audit_log",
            "progression",
            "report",
            "activity_list",
            "activity_new",
        )
    ],
    *[
        Row(
            f"secretariat:{name}",
            method,
            lambda w: [_activity_b(w)],
            prepare=_activity_b,
            allowed=("secretariat",),
        )
        for name in ("activity_edit", "activity_delete")
        for method in ("GET", "POST")
    ],
    Row("secretariat:report_download", "GET", lambda w: ["xlsx"], allowed=("secretariat",)),
    Row("secretariat:fee_rule_new", "GET", allowed=("secretariat",)),
    Row("secretariat:fee_rule_new", "POST", data=lambda w: {"code": "MATRIX", "name": "乗っ取り"}),
    Row("secretariat:fee_rule_edit", "GET", lambda w: ["NO-SUCH-RULE"]),
    Row("secretariat:fee_rule_edit", "POST", lambda w: ["NO-SUCH-RULE"]),
    Row("secretariat:payout_run_compute", "POST"),
    Row("secretariat:payout_run_detail", "GET", lambda w: [1]),
    Row("secretariat:payout_line_sessions", "GET", lambda w: [1, 1]),
    Row("secretariat:payout_run_recompute", "POST", lambda w: [1]),
    Row("secretariat:payout_run_approve", "POST", lambda w: [1]),
    Row("secretariat:payout_run_mark_paid", "POST", lambda w: [1]),
    Row("secretariat:payout_adjustment_add", "POST", lambda w: [1]),
    Row("secretariat:payout_adjustment_remove", "POST", lambda w: [1, 1]),
    Row("secretariat:payout_run_export", "GET", lambda w: [1, "csv"]),
    Row("secretariat:import_job", "GET", lambda w: [1]),
    Row("secretariat:import_job_status", "GET", lambda w: [1]),
    Row("secretariat:import_job_confirm", "POST", lambda w: [1]),
    *[
        Row(f"secretariat:{name}", "GET", allowed=("secretariat",))
        for name in ("partner_list", "partner_new", "people_list", "people_new", "caseload")
    ],
    Row("secretariat:partner_new", "POST", data=lambda w: {"code": "MATRIX", "name": "乗っ取り"}),
    Row(
        "secretariat:partner_edit",
        "GET",
        lambda w: [w.opp_b.partner_id],
        allowed=("secretariat",),
    ),
    Row(
        "secretariat:partner_edit",
        "POST",
        lambda w: [w.opp_b.partner_id],
        data=lambda w: {"name": "乗っ取り"},
    ),
    Row("secretariat:partner_active", "GET", lambda w: [w.opp_b.partner_id]),
    Row("secretariat:partner_active", "POST", lambda w: [w.opp_b.partner_id]),
    Row(
        "secretariat:people_new",
        "POST",
        data=lambda w: {"username": "matrix", "last_name": "乗", "role": "secretariat"},
    ),
    Row("secretariat:people_edit", "GET", lambda w: [w.coach_b.pk], allowed=("secretariat",)),
    Row(
        "secretariat:people_edit",
        "POST",
        lambda w: [w.coach_b.pk],
        data=lambda w: {"last_name": "乗", "role": "secretariat", "language": "ja"},
    ),
    Row("secretariat:people_active", "GET", lambda w: [w.coach_b.pk]),
    Row("secretariat:people_active", "POST", lambda w: [w.coach_b.pk]),
    Row("secretariat:people_password_link", "POST", lambda w: [w.coach_b.pk]),
    Row(
        "secretariat:caseload",
        "POST",
        data=lambda w: {
            "from": w.coach_b.pk,
            "participants": [w.participant_b.code],
            "to": w.coach_a.pk,
        },
    ),
    # --- the API: organisation B's objects, participant B's sign-ups.
    Row("api:list_own_opportunities", "GET", denied=NOT_PARTNER, allowed=("staff_a",)),
    Row(
        "api:create_opportunity",
        "POST",
        denied=NOT_PARTNER,
        allowed=("staff_a",),
        data=lambda w: {"code": "MATRIX-1", "title": "草取り", "kind": "volunteering"},
    ),
    Row("api:list_partner_sessions", "GET", denied=NOT_PARTNER, allowed=("staff_a",)),
    Row("api:get_own_opportunity", "GET", lambda w: [w.opp_b.pk], allowed=("staff_b",)),
    Row(
        "api:update_opportunity",
        "PATCH",
        lambda w: [w.opp_b.pk],
        allowed=("staff_b",),
        data=lambda w: {"title": "乗っ取り"},
    ),
    Row("api:close_opportunity", "POST", lambda w: [w.opp_b.pk], allowed=("staff_b",)),
    Row("api:list_own_sessions", "GET", lambda w: [w.opp_b.pk], allowed=("staff_b",)),
    Row(
        "api:create_session",
        "POST",
        lambda w: [w.opp_b.pk],
        allowed=("staff_b",),
        data=lambda w: {
            "starts_at": "2030-04-01T10:00:00+09:00",
            "ends_at": "2030-04-01T12:00:00+09:00",
        },
    ),
    Row("api:cancel_session", "POST", lambda w: [w.session_b.pk], allowed=("staff_b",)),
    Row("api:list_session_roster", "GET", lambda w: [w.session_b.pk], allowed=("staff_b",)),
    Row("api:list_attendance", "GET", lambda w: [w.session_b.pk], allowed=("staff_b",)),
    Row(
        "api:record_attendance",
        "POST",
        lambda w: [w.session_b.pk],
        prepare=lambda w: move_to_today(w.session_b),
        allowed=("staff_b",),
        data=lambda w: {"participant_id": w.participant_b.pk, "status": "present"},
    ),
    Row(
        "api:get_signup",
        "GET",
        lambda w: [w.signup_b.pk],
        allowed=("participant_b", "coach_b", "secretariat"),
    ),
    Row("api:cancel_signup", "POST", lambda w: [w.signup_b.pk], allowed=("participant_b",)),
    Row("api:approve_signup", "POST", lambda w: [w.request_b.pk], allowed=("coach_b",)),
    Row("api:decline_signup", "POST", lambda w: [w.request_b.pk], allowed=("coach_b",)),
    Row(
        "api:create_signup",
        "POST",
        allowed=("coach_b",),
        data=lambda w: {"session_id": w.session_a.pk, "participant_id": w.participant_b.pk},
    ),
    Row("api:list_signups", "GET", denied=frozenset({ANON}), allowed=("participant_a",)),
    Row("api:me", "GET", denied=frozenset({ANON}), allowed=("participant_a",)),
]

# Reachable by anyone, or by a secret in the URL: deliberately not in the matrix.
PUBLIC = {
    "home",
    "opportunity_list",
    "opportunity_detail",
    "partner_map",
    "calendar_feed",
    "first_login",
    "api:api-root",
    "api:openapi-json",
    "api:openapi-view",
    "api:list_opportunities",
    "api:get_opportunity",
    "api:list_opportunity_sessions",
}
RESTRICTED_PREFIXES = ("coach/", "partner/", "secretariat/", "my/", "signups/", "sessions/", "api/")


def _all_url_names(patterns=None, prefix="", namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _all_url_names(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield route, namespace + pattern.name


def _exists(url_name: str) -> bool:
    return any(name == url_name for _route, name in _all_url_names())


PRESENT_ROWS = [row for row in ROWS if _exists(row.url_name)]
MISSING_ROWS = sorted({row.url_name for row in ROWS} - {row.url_name for row in PRESENT_ROWS})


def _client(world: World, role: str) -> Client:
    if role == TOKEN:
        return Client(headers={"Authorization": f"Bearer {api_token_issue(user=world.staff_a)}"})
    users = {
        PART: world.participant_a.user,
        COACH: world.coach_a,
        STAFF: world.staff_a,
        "secretariat": world.secretariat,
        "participant_b": world.participant_b.user,
        "coach_b": world.coach_b,
        "staff_b": world.staff_b,
    }
    client = Client()
    if role != ANON:
        client.force_login(users[role])
    return client


def _call(client: Client, row: Row, world: World, *, htmx: bool = False):
    url = reverse(row.url_name, args=row.args(world))
    data = row.data(world)
    if row.api:
        body = json.dumps(data) if row.method != "GET" else ""
        return client.generic(row.method, url, body, content_type="application/json")
    headers = {"HX-Request": "true"} if htmx else {}
    if row.method == "GET":
        return client.get(url, data, headers=headers)
    return client.post(url, data, headers=headers)


def _state() -> tuple:
    """Everything a denied request could have changed."""
    signup, session, opportunity = (
        apps.get_model("opportunities", m) for m in ("Signup", "Session", "Opportunity")
    )
    counted = [
        ("training", "Attendance"),
        ("training", "PayoutRun"),
        ("training", "FeeRule"),
        ("training", "ImportJob"),
        ("training", "ActivityRecord"),
        ("people", "ReadinessAssessment"),
        ("people", "CaseNote"),
        ("people", "ProfileChange"),
        ("people", "Supporter"),
        ("people", "ParticipantProfile"),
        ("people", "User"),
        ("opportunities", "LoginCode"),
        ("opportunities", "CalendarFeed"),
    ]
    counts = []
    for app_label, model_name in counted:
        try:
            counts.append(apps.get_model(app_label, model_name).objects.count())
        except LookupError:  # a model another helper has not added (yet)
            counts.append(None)
    return (
        sorted(signup.objects.values_list("pk", "status")),
        sorted(session.objects.values_list("pk", "status", "seats_taken", "capacity")),
        sorted(opportunity.objects.values_list("pk", "status", "title", "capacity")),
        sorted(ActivityRecord.objects.values_list("pk", "persons", "count", "note")),
        counts,
    )


def _denied_cells():
    for row in PRESENT_ROWS:
        roles = sorted(row.denied | ({TOKEN} if row.api and STAFF in row.denied else set()))
        for role in roles:
            yield pytest.param(row, role, False, id=f"{role}-{row.id}")
            if not row.api:
                # The htmx branch of a view must be as closed as the page itself.
                yield pytest.param(row, role, True, id=f"{role}-htmx-{row.id}")


def _allowed_cells():
    for row in PRESENT_ROWS:
        for role in row.allowed:
            yield pytest.param(row, role, id=f"{role}-{row.id}")


@pytest.mark.parametrize(("row", "role", "htmx"), list(_denied_cells()))
def test_denied(world, row, role, htmx):
    row.prepare(world)
    before = _state()
    response = _call(_client(world, role), row, world, htmx=htmx)
    if role == ANON and row.api:
        assert response.status_code == 401, response.content
    elif role == ANON:
        # A redirect to the login page; htmx may be told to go there instead.
        to_login = response.headers.get("HX-Redirect") or response.headers.get("Location", "")
        assert response.status_code in (200, 302), response.status_code
        assert urlparse(to_login).path == reverse("login")
    else:
        assert response.status_code in (403, 404), (response.status_code, response.content[:300])
    assert _state() == before, "a denied request changed the database"
    assert_no_canary(response.content)


@pytest.mark.parametrize(("row", "role"), list(_allowed_cells()))
def test_allowed_positive_control(world, row, role):
    row.prepare(world)
    response = _call(_client(world, role), row, world)
    assert response.status_code in (200, 201, 302), (response.status_code, response.content[:300])
    if response.status_code == 302:
        assert urlparse(response["Location"]).path != reverse("login")


def test_every_restricted_page_has_a_row():
    """A page added under a restricted prefix must get a row in this matrix."""
    covered = {row.url_name for row in ROWS}
    unrowed = sorted(
        name
        for route, name in _all_url_names()
        if route.startswith(RESTRICTED_PREFIXES) and name not in covered and name not in PUBLIC
    )
    assert unrowed == [], f"pages without an access-matrix row: {unrowed}"


def test_the_matrix_is_not_empty():
    # Pages land progressively; this records which rows were skipped.
    assert len(PRESENT_ROWS) >= 20, MISSING_ROWS
