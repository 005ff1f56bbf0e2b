"""Readiness progression: the figures worked out by hand for a small year, the
cohort filters, small-number suppression, and who sees what on which page."""

import json
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from people.models import ParticipantProfile, ReadinessAssessment
from reports.progression import Cohort, Progression, add_months, progression, progression_display
from reports.suppression import SUPPRESSED, WITHHELD, suppress_count
from tests.reports.world import FY, assess, build_progression_world, session_on
from tests.training.builders import attend, make_participant, make_user

pytestmark = pytest.mark.django_db


def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month():
    assert add_months(date(2025, 4, 15), 3) == date(2025, 7, 15)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2025, 12, 1), 1) == date(2026, 1, 1)


def test_the_year_worked_out_by_hand():
    world = build_progression_world()
    result = progression(Cohort(fiscal_year=FY))
    assert result.participants == 5  # A–E; D was never assessed
    assert result.assessed == 4
    assert result.moved_up == 2  # A (2→4) and B (1→2); C went down
    flow = result.flow
    assert flow[1][3] == 1 and flow[0][1] == 1 and flow[2][1] == 1 and flow[1][1] == 1
    assert sum(map(sum, flow)) == result.assessed
    # Moved up is exactly the cells above the diagonal.
    assert result.moved_up == sum(flow[i][j] for i in range(5) for j in range(5) if j > i)
    assert sorted(result.step_up_days) == [30, 90, 101]
    assert result.median_days == 90
    three, six = result.retention
    # Everyone first attended in the year; A is back in the month after 3
    # months, B in the month after 6 months, nobody else.
    assert (three.months, three.eligible, three.retained) == (3, 5, 1)
    assert (six.months, six.eligible, six.retained) == (6, 5, 1)
    # The same from the ORM directly: assessed people with a higher last step
    # than their start step.
    ids = set(world["people"][k].pk for k in "ABCDE")
    assert (
        ReadinessAssessment.objects.filter(participant_id__in=ids)
        .values("participant_id")
        .distinct()
        .count()
        == result.assessed
    )


def test_cohort_filters_partner_kind_municipality():
    world = build_progression_world()
    shop, farm = world["shop"], world["farm"]
    assert progression(Cohort(fiscal_year=FY, partner_id=shop.pk)).participants == 1
    assert progression(Cohort(fiscal_year=FY, partner_id=farm.pk)).participants == 4
    assert progression(Cohort(fiscal_year=FY, kind="supported_work")).participants == 4
    assert progression(Cohort(fiscal_year=FY, kind="farm_welfare")).participants == 0
    by_town = progression(Cohort(fiscal_year=FY, municipality="山武市"))
    assert by_town.participants == 3  # A, B, D
    assert by_town.moved_up == 2
    # Another year sees none of it.
    assert progression(Cohort(fiscal_year=FY - 2)).participants == 0


def test_suppression_rules():
    assert [suppress_count(n) for n in (0, 1, 4, 5, 12)] == [0, SUPPRESSED, SUPPRESSED, 5, 12]
    build_progression_world()
    result = progression(Cohort(fiscal_year=FY))
    exact = progression_display(result, suppress=False)
    assert exact["participants"] == 5 and exact["moved_up"] == 2
    assert exact["flow"][1]["cells"][3] == 1 and exact["grand_total"] == 4
    hidden = progression_display(result, suppress=True)
    assert hidden["participants"] == 5  # five or more is shown
    assert hidden["flow"][1]["cells"][3] == SUPPRESSED
    assert hidden["flow"][0]["cells"][0] == 0  # a zero stays zero
    # With suppressed cells every margin is withheld, so none can be worked back.
    assert {row["total"] for row in hidden["flow"]} == {WITHHELD}
    assert set(hidden["column_totals"]) == {WITHHELD}
    assert hidden["grand_total"] == WITHHELD
    assert hidden["moved_up"] == WITHHELD and hidden["assessed"] == WITHHELD
    assert hidden["median_days"] == WITHHELD  # three step-ups: someone's own figure
    assert hidden["retention"][0]["retained"] == SUPPRESSED
    assert hidden["retention"][0]["percent"] == WITHHELD
    # No small count is left anywhere in what is shown.
    shown = json.dumps(hidden, default=str)
    for row in hidden["flow"]:
        assert all(c in (0, SUPPRESSED) or c >= 5 for c in row["cells"] if c != WITHHELD)
    assert '"retained": 1' not in shown


def _big_world(coach, world=None):
    """Six people who all went 2 → 3: no cell is small, nothing is withheld."""
    world = world or build_progression_world()
    opp = world["work"]
    for n in range(6):
        person = make_participant(coach=coach, municipality="芝山町")
        assess(person, date(2025, 3, 1), 2)
        assess(person, date(2025, 6, 1 + n), 3)
        attend(session_on(opp, date(2025, 5, 1 + n)), person)
    return world


def test_nothing_is_withheld_when_every_count_is_zero_or_five_and_more():
    coach = make_user(role="coach")
    _big_world(coach)
    mine = ParticipantProfile.objects.filter(coach=coach)
    shown = progression_display(
        progression(Cohort(fiscal_year=FY), participants=mine), suppress=True
    )
    assert shown["participants"] == 6
    assert shown["flow"][1]["cells"][2] == 6
    assert shown["flow"][1]["total"] == 6 and shown["grand_total"] == 6
    assert shown["moved_up"] == 6
    assert shown["median_days"] == 94.5  # 2025-03-01 → 2025-06-01…06 is 92…97 days
    assert shown["retention"][0] == {"months": 3, "eligible": 6, "retained": 0, "percent": 0.0}
    assert shown["withheld_any"] is False


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_coach_page_shows_only_the_own_caseload_suppressed():
    me, other = make_user(role="coach"), make_user(role="coach")
    world = build_progression_world(coach=me)
    # Another coach's six people, all moving 2 → 3 in the year.
    _big_world(other, world)
    response = _client(me).get(reverse("coach_progression"), {"fy": FY})
    assert response.status_code == 200
    p = response.context["p"]
    assert p["suppressed"] is True
    assert p["participants"] == 5  # not 11: the other coach's people are not counted
    assert p["flow"][1]["cells"][2] == 0  # the other coach's 2 → 3 moves are not here
    assert p["flow"][1]["cells"][3] == SUPPRESSED
    body = response.content.decode()
    assert "&lt;5" in body
    # The chart's data does not carry the suppressed numbers either.
    chart = response.context["chart"]
    assert chart["series"][3]["data"][1] is None
    assert all(v in (None, 0) or v >= 5 for s in chart["series"] for v in s["data"])


def test_secretariat_page_is_never_suppressed_and_filters_by_get():
    coach = make_user(role="coach")
    world = _big_world(coach)
    client = _client(make_user(role="secretariat"))
    response = client.get(reverse("secretariat:progression"), {"fy": FY})
    assert response.status_code == 200
    p = response.context["p"]
    assert p["suppressed"] is False
    assert p["participants"] == 11
    assert p["flow"][1]["cells"][3] == 1  # exact, even though small
    assert p["flow"][1]["cells"][2] == 6
    assert p["moved_up"] == 8 and p["grand_total"] == 10
    assert "&lt;5" not in response.content.decode()
    shop = client.get(reverse("secretariat:progression"), {"fy": FY, "partner": "SHOP"})
    assert shop.context["p"]["participants"] == 1
    town = client.get(reverse("secretariat:progression"), {"fy": FY, "municipality": "芝山町"})
    assert town.context["p"]["participants"] == 6
    assert world["shop"].code == "SHOP"


def test_secretariat_on_the_coach_page_sees_everyone_exactly():
    build_progression_world(coach=make_user(role="coach"))
    response = _client(make_user(role="secretariat")).get(reverse("coach_progression"), {"fy": FY})
    assert response.context["p"]["suppressed"] is False
    assert response.context["p"]["moved_up"] == 2


@pytest.mark.parametrize(
    "params", [{"fy": "abc"}, {"fy": "1999"}, {"partner": "NOPE"}, {"kind": "cooking"}]
)
def test_bad_filters_are_400_with_a_japanese_message(params):
    build_progression_world()
    response = _client(make_user(role="secretariat")).get(
        reverse("secretariat:progression"), params
    )
    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]]


def test_coach_page_bad_year_is_400_and_others_are_refused():
    coach = make_user(role="coach")
    assert _client(coach).get(reverse("coach_progression"), {"fy": "x"}).status_code == 400
    participant = make_user(role="participant")
    assert _client(participant).get(reverse("coach_progression")).status_code == 403
    assert _client(coach).get(reverse("secretariat:progression")).status_code == 403


def test_a_median_from_few_people_is_withheld_however_many_step_ups_they_made():
    result = Progression(cohort=Cohort(fiscal_year=FY), participants=40, assessed=40)
    result.step_up_days = [30, 40, 50, 60, 70, 80]  # six step-ups by two people
    result.step_up_people = 2
    assert progression_display(result, suppress=True)["median_days"] == WITHHELD
    assert progression_display(result, suppress=False)["median_days"] == 55.0
    result.step_up_people = 6
    assert progression_display(result, suppress=True)["median_days"] == 55.0
