"""The ledger's migration moves the old activity names to the new ones
(place → place_visit, food_bank → food_distribution), keeps the persons, and
goes back again when reversed."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.training.builders import make_partner

BEFORE = [("training", "0004_import_jobs")]
AFTER = [("training", "0005_activity_ledger")]


@pytest.mark.django_db(transaction=True)
def test_old_activity_names_move_forward_and_back():
    partner = make_partner(code="M1")  # the partners' table is not the migration's
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        records = old.get_model("training", "ActivityRecord").objects
        for activity, day, persons in [("place", 1, 3), ("food_bank", 2, 7), ("cafeteria", 13, 20)]:
            records.create(
                partner_id=partner.pk,
                activity=activity,
                held_on=date(2026, 6, day),
                persons=persons,
            )

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("training", "ActivityRecord")
        assert sorted(new.objects.values_list("activity", "persons", "count", "weight_kg")) == [
            ("cafeteria", 20, 1, None),
            ("food_distribution", 7, 1, None),
            ("place_visit", 3, 1, None),
        ]

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        back = executor.loader.project_state(BEFORE).apps.get_model("training", "ActivityRecord")
        assert sorted(back.objects.values_list("activity", "persons")) == [
            ("cafeteria", 20),
            ("food_bank", 7),
            ("place", 3),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
