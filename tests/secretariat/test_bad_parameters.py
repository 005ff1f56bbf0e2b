"""Secretariat pages answer bad query parameters and form values with 400 and
a Japanese message, never 500, and save nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from core.clock import fiscal_year_of, local_today
from people.models import User
from tests.builders import make_user
from tests.training.builders import make_rule
from training.models import PayoutRun, ProgrammeTarget

pytestmark = pytest.mark.django_db

FY_PAGES = ["secretariat:dashboard", "secretariat:training_days", "secretariat:targets_edit"]


@pytest.fixture
def client():
    client = Client(raise_request_exception=False)
    client.force_login(make_user(role=User.Role.SECRETARIAT))
    return client


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("page", FY_PAGES)
@pytest.mark.parametrize("fy", ["-1", "1999", "2101", "abc", "99999999999999999999", "20.5"])
def test_a_fiscal_year_out_of_range_is_400_with_a_message(client, page, fy):
    response = client.get(reverse(page), {"fy": fy})
    assert response.status_code == 400
    assert any("年度は2000〜2100の整数で指定してください" in m for m in page_messages(response))
    # The page still shows, for the current fiscal year.
    assert response.context["fy"] == fiscal_year_of(local_today())


@pytest.mark.parametrize("page", FY_PAGES)
def test_a_fiscal_year_in_range_is_shown(client, page):
    for fy in ("2000", "2100", " 2026 "):
        response = client.get(reverse(page), {"fy": fy})
        assert response.status_code == 200
        assert response.context["fy"] == int(fy)


def test_a_target_too_large_for_the_database_is_a_form_error_and_saves_nothing(client):
    url = reverse("secretariat:targets_edit") + "?fy=2026"
    response = client.post(url, {"ue_days": "120", "places_sites": "12345678901234567890"})
    assert response.status_code == 400
    assert any("何も保存していません" in m for m in page_messages(response))
    assert not ProgrammeTarget.objects.exists()  # not even the good value
    typed = {f["name"]: f["value"] for f in response.context["fields"]}
    assert typed["places_sites"] == "12345678901234567890"


@pytest.mark.parametrize("bad", ["-1", "abc", "1.5", "2147483648"])
def test_targets_must_be_whole_numbers_from_0_to_the_integer_limit(client, bad):
    url = reverse("secretariat:targets_edit") + "?fy=2026"
    assert client.post(url, {"ue_days": bad}).status_code == 400
    assert not ProgrammeTarget.objects.exists()
    assert client.post(url, {"ue_days": "2147483647"}).status_code == 302
    assert ProgrammeTarget.objects.get(fiscal_year=2026, metric="ue_days").target == 2**31 - 1


def test_targets_are_not_saved_for_a_bad_fiscal_year(client):
    url = reverse("secretariat:targets_edit") + "?fy=-1"
    assert client.post(url, {"ue_days": "5"}).status_code == 400
    assert not ProgrammeTarget.objects.exists()


@pytest.mark.parametrize("rule", ["abc", "", "-3", "99999999999999999999999"])
def test_computing_a_payout_run_for_a_rule_that_is_not_a_number_is_400(client, rule):
    make_rule(code="DAY")
    response = client.post(
        reverse("secretariat:payout_run_compute"), {"rule": rule, "month": "2026-05"}
    )
    assert response.status_code == 400
    assert any("謝金ルールを一覧から選んでください" in m for m in page_messages(response))
    assert not PayoutRun.objects.exists()


def test_the_payout_list_ignores_an_unknown_query_parameter(client):
    assert client.get(reverse("secretariat:payout_run_list"), {"rule": "abc"}).status_code == 200
