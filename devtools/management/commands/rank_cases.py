import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from devtools.evaluation import cases_into_db, load_cases, rank_loaded


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Rank every opportunity for every participant of a case file with the same "
        'ranker the pages use, and write {"rankings": {"p01": ["o07", ...]}}. '
        "The cases are loaded in a transaction that is rolled back: the database is left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", help="case file (format: /work/shared/eval/README.md)")
        parser.add_argument("--output", required=True, help="where to write the rankings JSON")

    def handle(self, *args, input, output, **options):
        cases = load_cases(input)
        rankings = {}
        try:
            with transaction.atomic():
                rankings = rank_loaded(cases_into_db(cases))
                raise Rollback
        except Rollback:
            pass
        Path(output).write_text(
            json.dumps({"rankings": rankings}, ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )
        self.stdout.write(
            f"ranked {len(cases['opportunities'])} opportunities for {len(rankings)} participants → {output}"
        )
