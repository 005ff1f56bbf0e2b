"""No raw constraint name ever reaches a user: every model constraint carries a
sentence of its own, and the partner's opportunity form shows it."""

import pytest
from django.apps import apps
from django.urls import reverse

from opportunities.models import Opportunity

pytestmark = pytest.mark.django_db


def all_constraints():
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            yield pytest.param(constraint, id=f"{model._meta.label}.{constraint.name}")


@pytest.mark.parametrize("constraint", list(all_constraints()))
def test_every_constraint_has_a_sentence_of_its_own(constraint):
    message = str(constraint.violation_error_message)
    assert message != str(constraint.default_violation_error_message)
    assert constraint.name not in message
    assert message.endswith("。")


def test_partner_opportunity_form_shows_a_sentence_for_a_mismatched_employment_type(
    client, partner_staff
):
    client.force_login(partner_staff)
    response = client.post(
        reverse("partner_opportunity_new"),
        {
            "title": "野菜の袋詰め",
            "description": "",
            "kind": Opportunity.Kind.VOLUNTEERING,
            "employment_type": Opportunity.EmploymentType.EMPLOYMENT,
            "min_readiness": 2,
            "status": Opportunity.Status.OPEN,
            "capacity": 3,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "雇用形態は、種類が「中間的就労」のときだけ選んでください" in page
    assert "opportunities_opportunity_employment_type_matches_kind" not in page
    assert "制約" not in page
    assert not Opportunity.objects.filter(title="野菜の袋詰め").exists()
