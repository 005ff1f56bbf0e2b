"""A network in which every text a person can type holds markup that would run
if a page (or a map popup) ever read it as HTML.

Every payload adds one to ``window.__xss`` when it runs, in three ways: an
``<img onerror>``, an inline ``<script>`` and, after closing a quoted
attribute, an ``<svg onload>``. Each starts with a short tag naming its field
(``PN`` partner name, ``OT`` opportunity title, …), so a test can tell which
text it sees. Fields are given the longest payload that fits their column.
"""

from dataclasses import dataclass, field
from datetime import time, timedelta

from django.utils import timezone

from core.clock import at
from opportunities.models import Opportunity, Partner, Session, Signup
from opportunities.services import signup_create
from people.models import ParticipantProfile, Supporter, User
from people.services import readiness_record
from tests.api.world import move_to_today
from tests.builders import make_opportunity, make_participant, make_partner, make_session, make_user
from training.models import Attendance, FeeRule, PayoutRun
from training.services import fee_rule_save, payout_run_compute

IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1">'
SCRIPT = "<script>window.__xss=(window.__xss||0)+1</script>"
SVG = '"\'><svg onload="window.__xss=(window.__xss||0)+1">'
# Shorter forms for short columns, longest first.
FORMS = (
    IMG + SCRIPT + SVG,
    "<script>__xss=1</script>\"'><svg onload=__xss=1><img src=x onerror=__xss=1>",
    "\"'><svg onload=__xss=1><img src=x onerror=__xss=1>",
    "\"'><svg onload=__xss=1>",
)


def payload(tag: str, max_length: int = 10_000) -> str:
    """``tag`` and the longest payload form that fits a column of ``max_length``."""
    for body in FORMS:
        if len(tag) + len(body) <= max_length:
            return tag + body
    raise AssertionError(f"no payload fits {max_length} characters")


@dataclass
class XssWorld:
    secretariat: User
    coach: User
    staff: User
    partner: Partner
    participant: ParticipantProfile
    opportunity: Opportunity
    next_step: Opportunity
    upcoming: Session
    today: Session
    past: Session
    signup: Signup
    request: Signup
    supporter: Supporter
    partner_run: PayoutRun
    supporter_run: PayoutRun
    texts: dict[str, str] = field(default_factory=dict)

    def users(self) -> dict[str, User]:
        return {
            "participant": self.participant.user,
            "coach": self.coach,
            "staff": self.staff,
            "secretariat": self.secretariat,
        }


def build_xss_world(prefix: str = "x") -> XssWorld:
    t: dict[str, str] = {}

    def p(tag: str, max_length: int = 10_000) -> str:
        t[tag] = payload(tag, max_length)
        return t[tag]

    secretariat = make_user(
        role=User.Role.SECRETARIAT,
        username=f"{prefix}_jimu",
        first_name=p("SF", 150),
        last_name=p("SL", 150),
        is_staff=True,
        is_superuser=True,
    )
    coach = make_user(
        role=User.Role.COACH,
        username=f"{prefix}_coach",
        first_name=p("CF", 150),
        last_name=p("CL", 150),
    )
    partner = make_partner(
        name=p("PN", 200),
        name_kana=p("PK", 200),
        description=p("PD"),
        municipality=p("PM", 50),
        address=p("PA", 300),
        phone=p("PP", 30),
        opening_notes=p("PO"),
        lat=35.63,
        lon=140.41,
        offers_work_acceptance=True,
    )
    staff = make_user(
        role=User.Role.PARTNER_STAFF,
        username=f"{prefix}_staff",
        partner=partner,
        first_name=p("TF", 150),
        last_name=p("TL", 150),
    )
    participant_user = make_user(
        role=User.Role.PARTICIPANT,
        username=f"{prefix}_participant",
        first_name=p("UF", 150),
        last_name=p("UL", 150),
    )
    participant = make_participant(
        user=participant_user,
        coach=coach,
        display_name=p("DN", 100),
        name_kana=p("DK", 100),
        self_description=p("SD"),
        skills=[p("SK", 50)],
        interests=[p("IN", 50)],
        municipality=p("DM", 50),
        emergency_contact=p("EC", 200),
        support_notes=p("SU"),
        readiness=2,
    )
    readiness_record(participant=participant, step=2, coach=coach, notes=p("AN"))
    opportunity = make_opportunity(
        partner=partner,
        title=p("OT", 200),
        description=p("OD"),
        what_to_bring=p("OB"),
        contact_name=p("OC", 100),
        skills=[p("OS", 50)],
        useful_skills=[p("OU", 50)],
        address=p("OA", 300),
        municipality=p("OM", 50),
        min_readiness=1,
    )
    next_step = make_opportunity(partner=partner, title=p("NT", 200), min_readiness=3)
    upcoming = make_session(opportunity=opportunity, instructor_name=p("IN1", 100))
    today = make_session(
        opportunity=opportunity,
        starts_at=upcoming.starts_at + timedelta(days=1),
        instructor_name=p("IN2", 100),
    )
    # Two days on: a person holds one sign-up at a time (no clashes).
    request_session = make_session(
        opportunity=next_step, starts_at=upcoming.starts_at + timedelta(days=2)
    )
    signup = signup_create(session=upcoming, participant=participant, by=participant_user)
    signup_create(session=today, participant=participant, by=participant_user)
    today = move_to_today(today)
    request = signup_create(session=request_session, participant=participant, by=participant_user)

    # Last month, held, with a trainee and a supporter: what the payouts count.
    supporter = Supporter.objects.create(code=f"{prefix.upper()}SUP1", name=p("SN", 100))
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    day = month + timedelta(days=9)
    past = make_session(
        opportunity=opportunity,
        starts_at=at(day, time(10)),
        ends_at=at(day, time(13)),
        status=Session.Status.HELD,
        instructor_name=p("IN3", 100),
    )
    Attendance.objects.create(
        session=past, participant=participant, role="trainee", status="present", minutes=180
    )
    Attendance.objects.create(
        session=past, supporter=supporter, role="supporter", status="present", minutes=180
    )
    fy = month.year if month.month >= 4 else month.year - 1
    partner_rule, _ = fee_rule_save(
        code=f"{prefix.upper()}DAY",
        values={
            "name": p("FR", 200),
            "payee": FeeRule.Payee.PARTNER,
            "basis": FeeRule.Basis.DAY,
            "rate_yen": 2_500,
            "budget_yen": 100_000,
            "fiscal_year": fy,
        },
        by=secretariat,
    )
    supporter_rule, _ = fee_rule_save(
        code=f"{prefix.upper()}HOUR",
        values={
            "name": p("FS", 200),
            "payee": FeeRule.Payee.SUPPORTER,
            "basis": FeeRule.Basis.HOUR,
            "rate_yen": 1_000,
            "budget_yen": 100_000,
            "fiscal_year": fy,
        },
        by=secretariat,
    )
    partner_run = payout_run_compute(rule=partner_rule, month=month, by=secretariat)
    supporter_run = payout_run_compute(rule=supporter_rule, month=month, by=secretariat)
    assert partner_run.lines.exists() and supporter_run.lines.exists()
    return XssWorld(
        secretariat=secretariat,
        coach=coach,
        staff=staff,
        partner=partner,
        participant=participant,
        opportunity=opportunity,
        next_step=next_step,
        upcoming=upcoming,
        today=today,
        past=past,
        signup=signup,
        request=request,
        supporter=supporter,
        partner_run=partner_run,
        supporter_run=supporter_run,
        texts=t,
    )
