import json

from django.core.management.base import BaseCommand
from django.db import transaction

from devtools.evaluation import (
    cases_into_db,
    evaluate,
    keyword_rankings,
    load_cases,
    per_participant_ndcg,
    random_baseline,
    rank_loaded,
)
from matching import embeddings


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "NDCG@5 and the share of infeasible opportunities in the top 5, for our ranker "
        "and two baselines (random, keyword-only) on the same case file. Leaves the database unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="case file with judgements")
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object instead of a table"
        )
        parser.add_argument(
            "--per-participant", action="store_true", help="also show NDCG@5 per participant"
        )

    def handle(self, *args, file, **options):
        cases = load_cases(file)
        try:
            with transaction.atomic():
                ours = rank_loaded(cases_into_db(cases))
                raise Rollback
        except Rollback:
            pass
        rows = {
            "ours": evaluate(cases, ours),
            "keyword-only": evaluate(cases, keyword_rankings(cases)),
            "random": random_baseline(cases),
        }
        model = embeddings.get_backend().model_name
        if options["json"]:
            out = {
                "backend": model,
                "cases": file,
                **{name: m.as_dict() for name, m in rows.items()},
            }
            if options["per_participant"]:
                out["ours_per_participant"] = {
                    k: round(v, 4) for k, v in per_participant_ndcg(cases, ours).items()
                }
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        self.stdout.write(f"cases: {file}  backend: {model}")
        self.stdout.write(f"{'ranker':<14}{'NDCG@5':>8}{'infeasible@5':>14}")
        for name, m in rows.items():
            self.stdout.write(f"{name:<14}{m.ndcg5:>8.3f}{m.infeasible_top5:>14.3f}")
        if options["per_participant"]:
            for pid, value in per_participant_ndcg(cases, ours).items():
                self.stdout.write(f"  {pid}: {value:.3f}  {' '.join(ours[pid][:5])}")
