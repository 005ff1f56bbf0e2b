"""Two of everything: organisation A and B, coach A and B, participant A
(coach A's caseload) and participant B (coach B's), each with sessions and
sign-ups. Tests act as the "A" side and reach for B's objects, which must
stay out of reach. The canaries are put where the support background lives,
so that a response body can be scanned for them."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from opportunities.models import Opportunity, Partner, Session, Signup
from opportunities.services import signup_create
from people.models import ParticipantProfile, User
from people.services import readiness_record
from tests.builders import make_opportunity, make_participant, make_partner, make_session, make_user

CANARIES = ("CANARY-SUPPORT-NOTE", "CANARY-SELF-DESCRIPTION", "CANARY-ASSESSMENT-NOTE")
PASSWORD = "pass-for-tests"


@dataclass
class World:
    secretariat: User
    org_a: Partner
    org_b: Partner
    staff_a: User
    staff_b: User
    coach_a: User
    coach_b: User
    participant_a: ParticipantProfile
    participant_b: ParticipantProfile
    opp_a: Opportunity
    opp_a_draft: Opportunity
    opp_a_next: Opportunity  # one step above participant A: a "next step"
    opp_b: Opportunity
    session_a: Session
    session_a_next: Session
    session_b: Session
    signup_a: Signup  # participant A, confirmed on session A
    signup_b: Signup  # participant B, confirmed on session B
    request_a: Signup  # participant A's next-step request, waiting for coach A
    request_b: Signup  # participant B's next-step request, waiting for coach B

    def users(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "participant_a": self.participant_a.user,
            "coach_a": self.coach_a,
            "staff_a": self.staff_a,
            "secretariat": self.secretariat,
        }


def _person(prefix: str, coach: User, n: str) -> ParticipantProfile:
    user = make_user(
        role=User.Role.PARTICIPANT, username=f"{prefix}_{n}", first_name=f"参加者{n.upper()}"
    )
    participant = make_participant(
        user=user,
        coach=coach,
        display_name=f"参加者{n.upper()}",
        name_kana=f"さんかしゃ{n}",
        readiness=2,
        support_notes=f"{CANARIES[0]} 生活保護の相談歴あり ({n})",
        self_description=f"{CANARIES[1]} 人と話すのが少し苦手です ({n})",
        emergency_contact=f"母 090-0000-000{1 if n == 'a' else 2}",
    )
    readiness_record(participant=participant, step=2, coach=coach, notes=f"{CANARIES[2]} ({n})")
    return participant


def build_world(prefix: str = "w") -> World:
    secretariat = make_user(role=User.Role.SECRETARIAT, username=f"{prefix}_jimukyoku")
    org_a = make_partner(name="さんぶ農園")
    org_b = make_partner(name="九十九里カフェ", municipality="東金市")
    staff_a = make_user(role=User.Role.PARTNER_STAFF, username=f"{prefix}_staff_a", partner=org_a)
    staff_b = make_user(role=User.Role.PARTNER_STAFF, username=f"{prefix}_staff_b", partner=org_b)
    coach_a = make_user(role=User.Role.COACH, username=f"{prefix}_coach_a")
    coach_b = make_user(role=User.Role.COACH, username=f"{prefix}_coach_b")
    participant_a = _person(prefix, coach_a, "a")
    participant_b = _person(prefix, coach_b, "b")

    opp_a = make_opportunity(partner=org_a, title="畑の草取りと収穫", min_readiness=1)
    opp_a_draft = make_opportunity(
        partner=org_a, title="下書きの活動", status=Opportunity.Status.DRAFT
    )
    opp_a_next = make_opportunity(partner=org_a, title="直売所の品出し", min_readiness=3)
    opp_b = make_opportunity(partner=org_b, title="カフェの皿洗い", min_readiness=1)
    opp_b_next = make_opportunity(partner=org_b, title="カフェの接客", min_readiness=3)
    # One day, four times that do not overlap: a person holds one seat or
    # request at a time, and the tests sign people up across organisations.
    day = (timezone.localtime() + timedelta(days=3)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )

    def two_hours(opportunity, hour):
        starts = day + timedelta(hours=hour)
        return make_session(
            opportunity=opportunity, starts_at=starts, ends_at=starts + timedelta(hours=2)
        )

    session_a = two_hours(opp_a, 8)
    session_a_next = two_hours(opp_a_next, 11)
    session_b = two_hours(opp_b, 14)
    session_b_next = two_hours(opp_b_next, 17)

    user_a, user_b = participant_a.user, participant_b.user
    return World(
        secretariat=secretariat,
        org_a=org_a,
        org_b=org_b,
        staff_a=staff_a,
        staff_b=staff_b,
        coach_a=coach_a,
        coach_b=coach_b,
        participant_a=participant_a,
        participant_b=participant_b,
        opp_a=opp_a,
        opp_a_draft=opp_a_draft,
        opp_a_next=opp_a_next,
        opp_b=opp_b,
        session_a=session_a,
        session_a_next=session_a_next,
        session_b=session_b,
        signup_a=signup_create(session=session_a, participant=participant_a, by=user_a),
        signup_b=signup_create(session=session_b, participant=participant_b, by=user_b),
        request_a=signup_create(session=session_a_next, participant=participant_a, by=user_a),
        request_b=signup_create(session=session_b_next, participant=participant_b, by=user_b),
    )


def move_to_today(session: Session) -> Session:
    """Let a session (signed up for while it was ahead) start an hour ago, so
    that its attendance can be taken: no one signs up for a session that has
    started, and no one takes attendance for a day that has not come."""
    now = timezone.localtime()
    starts = max(now - timedelta(hours=1), now.replace(hour=0, minute=0, second=0, microsecond=0))
    starts = starts.replace(second=0, microsecond=0)
    length = session.ends_at - session.starts_at
    Session.objects.filter(pk=session.pk).update(starts_at=starts, ends_at=starts + length)
    session.refresh_from_db()
    return session


def assert_no_canary(body: bytes | str) -> None:
    text = body.decode() if isinstance(body, bytes) else body
    for canary in CANARIES:
        assert canary not in text, f"support background leaked: {canary}"
