"""The API's rules are stated in /api/openapi.json and enforced with 400s, and a
body the server cannot read is a 400 with a message, never a 500."""

import json

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from opportunities.models import Opportunity, Session, Signup

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def schemas():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


# --- the schema states the rules -------------------------------------------------


def test_the_schema_states_the_year_range(schemas):
    components = schemas["components"]["schemas"]
    for field in ("starts_at", "ends_at"):
        prop = components["SessionIn"]["properties"][field]
        assert "2000" in prop["description"] and "2100" in prop["description"]
        assert (prop["x-year-minimum"], prop["x-year-maximum"]) == (2000, 2100)
    params = schemas["paths"]["/api/partner/sessions"]["get"]["parameters"]
    date_from = next(p for p in params if p["name"] == "date_from")
    assert "2000" in date_from["description"] and "2100" in date_from["description"]


def test_the_schema_states_that_a_session_ends_after_it_starts(schemas):
    session_in = schemas["components"]["schemas"]["SessionIn"]
    assert "ends_at must be after starts_at" in session_in["description"]
    assert session_in["properties"]["ends_at"]["x-after"] == "starts_at"


def test_the_schema_states_employment_type_by_kind(schemas):
    opportunity_in = schemas["components"]["schemas"]["OpportunityIn"]
    assert (
        "intermediate_employment" in opportunity_in["properties"]["employment_type"]["description"]
    )
    assert opportunity_in["if"] == {
        "properties": {"kind": {"const": "intermediate_employment"}},
        "required": ["kind"],
    }
    assert opportunity_in["then"]["required"] == ["employment_type"]
    assert opportunity_in["else"] == {"properties": {"employment_type": {"const": ""}}}
    patch_props = schemas["components"]["schemas"]["OpportunityPatch"]["properties"]
    assert "intermediate_employment" in patch_props["employment_type"]["description"]


# --- and the API enforces them ---------------------------------------------------


@pytest.mark.parametrize(
    "starts_at, ends_at, says",
    [
        ("1999-12-31T10:00:00+09:00", "1999-12-31T12:00:00+09:00", "2000〜2100"),
        ("2101-01-01T10:00:00+09:00", "2101-01-01T12:00:00+09:00", "2000〜2100"),
        ("2030-04-01T12:00:00+09:00", "2030-04-01T10:00:00+09:00", "終了日時は開始日時より後"),
        ("2030-04-01T12:00:00+09:00", "2030-04-01T12:00:00+09:00", "終了日時は開始日時より後"),
    ],
)
def test_session_rules_are_400_with_the_rule_in_the_detail(world, bearer, starts_at, ends_at, says):
    before = Session.objects.count()
    response = post(
        bearer(world.staff_a),
        f"/api/partner/opportunities/{world.opp_a.pk}/sessions",
        {"starts_at": starts_at, "ends_at": ends_at},
    )
    assert response.status_code == 400
    assert says in response.json()["detail"]
    assert Session.objects.count() == before


def test_a_date_filter_outside_the_year_range_is_400(world, bearer):
    response = bearer(world.staff_a).get("/api/partner/sessions", {"date_from": "1999-01-01"})
    assert response.status_code == 400
    assert "2000〜2100" in response.json()["detail"]


@pytest.mark.parametrize(
    "kind, employment_type, says",
    [
        ("intermediate_employment", "", "中間的就労では雇用形態"),
        ("volunteering", "employment", "中間的就労（intermediate_employment）のときだけ"),
        ("farm_welfare", "non_employment", "中間的就労（intermediate_employment）のときだけ"),
    ],
)
def test_employment_type_by_kind_is_400_with_the_rule_in_the_detail(
    world, bearer, kind, employment_type, says
):
    response = post(
        bearer(world.staff_a),
        "/api/partner/opportunities",
        {"code": "RULE-1", "title": "x", "kind": kind, "employment_type": employment_type},
    )
    assert response.status_code == 400
    assert says in response.json()["detail"]
    assert not Opportunity.objects.filter(code="RULE-1").exists()


def test_a_patch_that_breaks_the_employment_type_rule_is_400(world, bearer):
    client = bearer(world.staff_a)
    url = f"/api/partner/opportunities/{world.opp_a.pk}"
    response = client.patch(
        url,
        json.dumps({"kind": "volunteering", "employment_type": "employment"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "のときだけ" in response.json()["detail"]
    # Only the kind changes, and the stored employment type no longer fits: the
    # model's constraint answers 400 as well.
    response = client.patch(
        url, json.dumps({"kind": "intermediate_employment"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert Opportunity.objects.get(pk=world.opp_a.pk).kind == world.opp_a.kind


def test_the_rules_accept_valid_input(world, bearer):
    client = bearer(world.staff_a)
    response = post(
        client,
        "/api/partner/opportunities",
        {
            "code": "RULE-OK",
            "title": "x",
            "kind": "intermediate_employment",
            "employment_type": "non_employment",
        },
    )
    assert response.status_code == 201, response.content
    response = post(
        client,
        f"/api/partner/opportunities/{world.opp_a.pk}/sessions",
        {"starts_at": "2100-12-31T10:00:00+09:00", "ends_at": "2100-12-31T10:01:00+09:00"},
    )
    assert response.status_code == 201, response.content


# --- bodies the server cannot read -----------------------------------------------


def browser(user) -> tuple[Client, str]:
    """A logged-in browser session that passes the CSRF check (so the check reads
    request.POST, as it does for a real page's fetch)."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return client, token


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=xyz"],
)
def test_a_multipart_body_without_a_usable_boundary_is_400_not_500(world, content_type):
    client, token = browser(world.participant_a.user)
    before = Signup.objects.count()
    response = client.generic(
        "POST",
        "/api/signups/",
        b"--xyz\r\nnot really multipart",
        content_type=content_type,
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "本文を読み取れませんでした" in response.json()["detail"]
    assert Signup.objects.count() == before


def test_a_multipart_body_with_a_bearer_token_is_400_in_japanese(world, bearer):
    response = bearer(world.staff_a).generic(
        "POST",
        f"/api/partner/opportunities/{world.opp_a.pk}/sessions",
        b"garbage",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "本文を読み取れませんでした" in response.json()["detail"]
