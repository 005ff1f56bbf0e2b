import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import override_settings

from matching import bench, embeddings


class Command(BaseCommand):
    help = (
        "Build a synthetic prefecture (postings with weekly sessions, participants with availability) "
        "in a scratch database, embed it, and time the matching selectors. Prints ONE JSON line. "
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
            "--explain",
            action="store_true",
            help="also print the plan of the filtered vector query",
        )

    def handle(self, *args, **options):
        backend = options["backend"] or settings.EMBEDDING_BACKEND
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
            from opportunities.models import Opportunity

            result = {
                "backend": embeddings.get_backend().model_name,
                "dimensions": embeddings.get_backend().dimensions,
            }
            have = Opportunity.objects.count()
            t0 = time.perf_counter()
            if have != options["opportunities"]:
                if have:
                    raise SystemExit(
                        f"{options['database']} holds {have} opportunities; drop it or use --database"
                    )
                self._log("generating rows…")
                result.update(
                    bench.generate(
                        opportunities=options["opportunities"],
                        participants=options["participants"],
                        log=self._log,
                    )
                )
            else:
                result.update({"opportunities": have, "reused_rows": True})
            result["generate_s"] = round(time.perf_counter() - t0, 1)
            self._log("embedding…")
            result.update(bench.embed_everything(log=self._log))
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
                cursor.execute("SELECT pg_database_size(current_database())")
                result["database_mb"] = round(cursor.fetchone()[0] / 2**20)
                cursor.execute(
                    "SELECT pg_relation_size(%s)", [f"matching_opp_hnsw_{result['dimensions']}"]
                )
                result["hnsw_index_mb"] = round(cursor.fetchone()[0] / 2**20)
            self._log("timing selectors…")
            result.update(bench.measure(samples=options["samples"]))
            if options["explain"]:
                self._log(bench.explain_for_participant())
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        finally:
            connection.creation.destroy_test_db(original, verbosity=0, keepdb=options["keep"])
