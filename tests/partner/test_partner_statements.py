"""A partner's own payout statements: approved or paid months only, only the
partner's own lines (page, CSV and PDF), another partner's or a draft is a 404."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from people.models import User
from tests.training.builders import (
    attend,
    make_opportunity,
    make_partner,
    make_rule,
    make_session,
    make_user,
)
from training.services import payout_run_approve, payout_run_compute

pytestmark = pytest.mark.django_db


@pytest.fixture
def farm():
    return make_partner(code="A001", name="さんぶ農園")


@pytest.fixture
def cafe():
    return make_partner(code="B002", name="カフェ・ほっと")


@pytest.fixture
def rule():
    return make_rule(code="FY2026-DAY", name="就労訓練指導料（日額）", rate_yen=2_500)


@pytest.fixture
def approved_run(farm, cafe, rule):
    for d in (11, 12):
        attend(make_session(opportunity=make_opportunity(partner=farm), day=date(2026, 5, d)))
    attend(make_session(opportunity=make_opportunity(partner=cafe), day=date(2026, 5, 20)))
    run = payout_run_compute(rule=rule, month=date(2026, 5, 1))
    return payout_run_approve(run=run, by=make_user(role="secretariat"))


@pytest.fixture
def farm_client(client, farm):
    client.force_login(make_user(role=User.Role.PARTNER_STAFF, partner=farm))
    return client


def test_the_list_shows_approved_months_with_the_partners_own_total(farm_client, approved_run):
    page = farm_client.get(reverse("partner_statement_list")).content.decode()
    assert f'data-run-id="{approved_run.pk}"' in page
    assert "¥5,000" in page  # two days at ¥2,500, not the run's ¥7,500
    assert "¥7,500" not in page


def test_the_detail_and_csv_hold_only_the_partners_lines(farm_client, approved_run):
    page = farm_client.get(reverse("partner_statement_detail", args=[approved_run.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "さんぶ農園" in text and "カフェ・ほっと" not in text

    response = farm_client.get(reverse("partner_statement_export", args=[approved_run.pk, "csv"]))
    assert response.status_code == 200
    assert "A001" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    payees = [row[0] for row in rows[1:] if row and row[0]]
    assert "A001" in payees
    assert "B002" not in payees
    assert "7500" not in response.content.decode("utf-8-sig")  # not the run's total


def test_the_pdf_holds_only_the_partners_statement(farm_client, approved_run):
    response = farm_client.get(reverse("partner_statement_export", args=[approved_run.pk, "pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1  # one payee: the farm, not the cafe


def test_another_partners_statement_and_drafts_are_404(client, cafe, rule, approved_run):
    outsider = make_partner(code="C003", name="別の機関")
    client.force_login(make_user(role=User.Role.PARTNER_STAFF, partner=outsider))
    assert client.get(reverse("partner_statement_list")).status_code == 200
    for name, args in (
        ("partner_statement_detail", [approved_run.pk]),
        ("partner_statement_export", [approved_run.pk, "csv"]),
        ("partner_statement_export", [approved_run.pk, "pdf"]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404

    attend(make_session(opportunity=make_opportunity(partner=cafe), day=date(2026, 6, 3)))
    draft = payout_run_compute(rule=rule, month=date(2026, 6, 1))
    client.force_login(make_user(role=User.Role.PARTNER_STAFF, partner=cafe))
    assert (
        f'data-run-id="{draft.pk}"'
        not in client.get(reverse("partner_statement_list")).content.decode()
    )
    assert client.get(reverse("partner_statement_detail", args=[draft.pk])).status_code == 404
    assert (
        client.get(reverse("partner_statement_export", args=[draft.pk, "csv"])).status_code == 404
    )


def test_other_roles_cannot_open_partner_statements(client, approved_run):
    for role in (User.Role.PARTICIPANT, User.Role.COACH, User.Role.SECRETARIAT):
        client.force_login(make_user(role=role))
        assert client.get(reverse("partner_statement_list")).status_code == 403
