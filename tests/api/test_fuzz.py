"""Fuzz the API with schemathesis, in-process through the WSGI app: no 5xx,
ever, for anonymous callers and for a partner staff token.

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
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

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


EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "15"))
RANDOM = os.environ.get("API_FUZZ_RANDOM") == "1"


def _owned_ids(world) -> dict[str, int]:
    return {
        "opportunity_id": world.opp_a.pk,
        "session_id": world.session_a.pk,
        "signup_id": world.signup_a.pk,
    }


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


@pytest.mark.parametrize("caller", ["anonymous", "partner_token"])
def test_fuzzing_the_api_finds_no_server_error(world, caller, wsgi_in_test_transaction):
    headers = {}
    if caller == "partner_token":
        headers["Authorization"] = f"Bearer {api_token_issue(user=world.staff_a)}"
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_in_test_transaction)
    owned = _owned_ids(world)
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
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        fuzz()
