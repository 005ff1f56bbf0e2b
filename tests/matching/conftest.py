from datetime import time, timedelta

import pytest

from core.clock import at, local_today
from matching import services
from opportunities.models import Opportunity, Session
from people.models import AvailabilitySlot, ParticipantProfile
from tests.builders import make_opportunity, make_participant


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def weekly_sessions(
    opportunity: Opportunity, weekday: int, start: str, end: str, weeks: int = 3
) -> list[Session]:
    """Sessions on a local weekday (0 = Monday) for the next few weeks, from tomorrow."""
    first = local_today() + timedelta(days=1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    return [
        Session.objects.create(
            opportunity=opportunity,
            starts_at=at(day + timedelta(weeks=n), _clock(start)),
            ends_at=at(day + timedelta(weeks=n), _clock(end)),
            capacity=opportunity.capacity,
        )
        for n in range(weeks)
    ]


def available(participant: ParticipantProfile, weekday: int, start: str, end: str) -> None:
    AvailabilitySlot.objects.create(
        participant=participant, weekday=weekday, start=_clock(start), end=_clock(end)
    )


def embed_everything() -> None:
    services.opportunities_embed(opportunities=list(Opportunity.objects.all()))
    services.participants_embed(participants=list(ParticipantProfile.objects.all()))


@pytest.fixture
def farm_lover(db):
    """Readiness 2, free on Monday and Wednesday mornings, lives near 山武市役所, travels 8 km."""
    person = make_participant(
        display_name="高橋",
        self_description="畑で野菜を育てるのが好きです。静かな場所で作業したいです。",
        skills=["草取り"],
        interests=["畑", "野菜"],
        readiness=2,
        lat=35.6030,
        lon=140.4140,
        max_travel_km=8,
    )
    available(person, 0, "09:00", "12:00")
    available(person, 2, "09:00", "12:00")
    return person


@pytest.fixture
def postings(db):
    """Four open postings near the farm lover, each good or bad in one way."""
    near = {"lat": 35.6100, "lon": 140.4200, "municipality": "山武市"}
    farm = make_opportunity(
        title="畑の草取りと野菜の収穫",
        description="静かな畑で、野菜の収穫と草取りをします。",
        skills=["草取り", "収穫"],
        kind=Opportunity.Kind.FARM_WELFARE,
        min_readiness=2,
        **near,
    )
    weekly_sessions(farm, 0, "09:00", "11:00")
    too_high = make_opportunity(
        title="畑の管理と出荷作業（雇用型）",
        description="畑の野菜の収穫と出荷を担当します。",
        skills=["収穫"],
        kind=Opportunity.Kind.INTERMEDIATE_EMPLOYMENT,
        employment_type="employment",
        min_readiness=5,
        **near,
    )
    weekly_sessions(too_high, 0, "09:00", "11:00")
    wrong_time = make_opportunity(
        title="夕方の畑の水やり",
        description="夕方に畑の野菜に水をやります。",
        skills=["水やり"],
        min_readiness=1,
        **near,
    )
    weekly_sessions(wrong_time, 4, "17:00", "19:00")
    far = make_opportunity(
        title="遠くの農園での野菜の収穫",
        description="野菜の収穫と草取り。",
        skills=["草取り"],
        min_readiness=2,
        lat=35.30,
        lon=140.10,
        municipality="市原市",
    )
    weekly_sessions(far, 2, "09:00", "11:00")
    office = make_opportunity(
        title="事務所での書類のファイリング",
        description="書類を番号順にファイルに綴じます。",
        skills=["ファイリング"],
        min_readiness=1,
        **near,
    )
    weekly_sessions(office, 2, "09:30", "11:30")
    next_step = make_opportunity(
        title="畑の野菜の袋詰め",
        description="収穫した野菜を袋に詰めて出荷の準備をします。",
        skills=["袋詰め"],
        kind=Opportunity.Kind.FARM_WELFARE,
        min_readiness=3,
        **near,
    )
    weekly_sessions(next_step, 2, "10:00", "12:00")
    return {
        "farm": farm,
        "too_high": too_high,
        "wrong_time": wrong_time,
        "far": far,
        "office": office,
        "next_step": next_step,
    }
