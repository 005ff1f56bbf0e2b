"""Fuzz the API with schemathesis, in-process through the WSGI app: no 5xx
and no undocumented status or body, ever, for anonymous callers, for a
partner staff token and for a coach's browser session (with its CSRF token,
as the pages send it).

Bounded so the whole file runs in well under a minute on CI's two cores:
``API_FUZZ_EXAMPLES`` examples per operation, per strategy and per caller
(default 15), derandomised so CI is reproducible. Raise the number (and set
``API_FUZZ_RANDOM=1``) locally to explore further.

Random ids almost always answer 404, which tests little; so each operation is
also fuzzed with its path ids fixed to objects the caller owns, which drives
the bodies into the services.
"""

import os

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from people.auth import api_token_issue


@pytest.fixture
def wsgi_in_test_transaction():
    """Django closes the database connection when a request starts and
    finishes; the test client switches that off so that requests run inside
    the test's transaction, and so must we when calling the real WSGI app."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# No 5xx, and every answer is one the schema documents, in the documented shape.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "15"))
RANDOM = os.environ.get("API_FUZZ_RANDOM") == "1"


def _owned_ids(world, caller: str) -> dict[str, int]:
    return {
        "opportunity_id": world.opp_a.pk,
        "session_id": world.session_a.pk,
        # The coach decides on requests; anyone else only reaches their own.
        "signup_id": world.request_a.pk if caller == "coach_session" else world.signup_a.pk,
    }


def _credentials(world, caller: str) -> tuple[dict, dict]:
    """Headers and cookies that authenticate ``caller``."""
    if caller == "partner_token":
        return {"Authorization": f"Bearer {api_token_issue(user=world.staff_a)}"}, {}
    if caller == "coach_session":
        client = Client()
        client.force_login(world.coach_a)
        csrf = get_random_string(32)
        cookies = {
            django_settings.SESSION_COOKIE_NAME: client.cookies[
                django_settings.SESSION_COOKIE_NAME
            ].value,
            django_settings.CSRF_COOKIE_NAME: csrf,
        }
        return {"X-CSRFToken": csrf}, cookies
    return {}, {}


def _strategy(operation, owned: dict[str, int]):
    path_names = {p.name for p in operation.path_parameters}
    fixed = {name: owned[name] for name in path_names if name in owned}
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if fixed:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed))
    return st.one_of(strategies)


@pytest.mark.parametrize("caller", ["anonymous", "partner_token", "coach_session"])
def test_fuzzing_the_api_finds_no_server_error(world, caller, wsgi_in_test_transaction):
    headers, cookies = _credentials(world, caller)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_in_test_transaction)
    owned = _owned_ids(world, caller)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=not RANDOM,
            # No shrinking: a failure is reported with the example that found it,
            # and the run stays bounded even when something breaks.
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=_strategy(operation, owned))
        def fuzz(case):
            response = case.call(headers=headers, cookies=cookies)
            case.validate_response(response, checks=CHECKS)

        fuzz()
