"""The payout benchmark measures the same data every time it runs."""

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _bench(capsys) -> dict:
    call_command(
        "bench_payouts",
        "--sessions",
        "300",
        "--partners",
        "10",
        "--participants",
        "30",
        "--supporters",
        "5",
    )
    return json.loads(capsys.readouterr().out.strip())


def test_bench_payouts_totals_do_not_depend_on_row_ids(capsys):
    # The first run is rolled back, but the session id sequence moves on: the
    # second run's sessions get other ids. Absences, supporters and minutes
    # must follow the session's place in the generated year, not its id.
    first, second = _bench(capsys), _bench(capsys)
    assert first["attendance_rows"] == second["attendance_rows"] == 1000
    assert first["hour_rule_total_yen"] == second["hour_rule_total_yen"]
    assert first["day_rule_total_yen"] == second["day_rule_total_yen"]
