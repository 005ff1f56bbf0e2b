import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import override_settings

from devtools import matching_bench as bench
from matching import selectors


class Command(BaseCommand):
    help = (
        "Build a synthetic prefecture (postings with weekly sessions, participants with availability) "
        "in a scratch database, embed it, and time the matching selectors. Prints ONE JSON line "
        "whose keys include: embed_texts_per_s (throughput of the active backend, texts/s); "
        "backfill_s (embedding every posting and participant plus building the HNSW index, "
        "as embed_all would); top10_hnsw_p50_ms / top10_hnsw_p95_ms (top 10 open postings for a "
        "participant within readiness+1 and a bounding box of their maximum travel, through the "
        "HNSW index with an iterative scan); top10_exact_p50_ms / top10_exact_p95_ms (the same "
        "query without the index, same participants); recall_at_10 (indexed against exact) and "
        "recall_at_10_ties (distance ties with the exact 10th count as hits; also _planned_ties), "
        "top10_samples, "
        "reachable_median (postings within a sampled person's filters); "
        "top10_planned_p50_ms / _p95_ms and recall_at_10_planned (what the pages do: exact when "
        "at most exact_scan_limit rows pass the filters, else the index); "
        "coach_participants_for_session_p50_ms / _p95_ms (the coach's participants for one "
        "session); opportunities, participants, sessions, backend, dimensions, ef_search, "
        "iterative_scan, max_scan_tuples, hnsw_overfetch, hnsw_m, hnsw_ef_construction; "
        "and the wider selector timings (for_participant, "
        "search_anonymous, search_personal, participants_for_opportunity), and the page-level "
        "ones: page_recommended_live (ranking on every view, as before issue 11) and "
        "page_recommended_stored (the home page's read of the stored table, with its "
        "queries_per_call), recommendations_refresh (the worker's cost per person), "
        "page_search_anonymous / page_search_personal (the search page: 120 ranked, reasons "
        "for the 12 shown), each with p50_ms / p95_ms. "
        "The scratch database is dropped afterwards unless --keep is given; --keep also lets a later "
        "run reuse the rows and vectors (embedding 10^5 texts with the real model takes minutes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--opportunities", type=int, default=10000)
        parser.add_argument("--participants", type=int, default=1000)
        parser.add_argument("--samples", type=int, default=100, help="calls timed per selector")
        parser.add_argument(
            "--backend",
            help="embedding backend for this run, e.g. fake (fast) or use-multilingual-v3",
        )
        parser.add_argument(
            "--database", default="bench_matching", help="name of the scratch database"
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep (and reuse) the scratch database"
        )
        parser.add_argument(
            "--ef-search",
            type=int,
            help=f"hnsw.ef_search for this run (default {selectors.EF_SEARCH}, as the pages use)",
        )
        parser.add_argument(
            "--iterative-scan",
            choices=["strict_order", "relaxed_order"],
            help=f"hnsw.iterative_scan for this run (default {selectors.ITERATIVE_SCAN})",
        )
        parser.add_argument(
            "--exact-scan-limit",
            type=int,
            help=f"rows up to which the search is exact (default {selectors.EXACT_SCAN_LIMIT})",
        )
        parser.add_argument(
            "--contract-only",
            action="store_true",
            help="skip the wider selector timings (for_participant, search, …)",
        )
        parser.add_argument(
            "--explain",
            action="store_true",
            help="also print the plan of the filtered vector query",
        )

    def handle(self, *args, **options):
        backend = options["backend"] or settings.EMBEDDING_BACKEND
        # Trying other settings: the selectors read these module constants per call.
        if options["ef_search"]:
            selectors.EF_SEARCH = options["ef_search"]
        if options["exact_scan_limit"] is not None:
            selectors.EXACT_SCAN_LIMIT = options["exact_scan_limit"]
        if options["iterative_scan"]:
            selectors.ITERATIVE_SCAN = options["iterative_scan"]
        with override_settings(EMBEDDING_BACKEND=backend):
            self._run(options, backend)

    def _log(self, message):
        self.stderr.write(message)

    def _run(self, options, backend_name):
        settings.DATABASES["default"]["TEST"] = {
            **settings.DATABASES["default"].get("TEST", {}),
            "NAME": options["database"],
        }
        original = connection.settings_dict["NAME"]
        # The test-database machinery creates, migrates and later drops a separate
        # database, so the benchmark never touches the real data.
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=options["keep"]
        )
        try:
            result = bench.run(
                opportunities=options["opportunities"],
                participants=options["participants"],
                samples=options["samples"],
                contract_only=options["contract_only"],
                database=options["database"],
                log=self._log,
            )
            if options["explain"]:
                self._log(bench.explain_for_participant())
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        finally:
            connection.creation.destroy_test_db(original, verbosity=0, keepdb=options["keep"])
