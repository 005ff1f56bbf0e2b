"""python manage.py bench_pages --concurrency 50 --seconds 20

Serves the demo data (a scratch database of its own) with gunicorn as the
Dockerfile does, logs in as a demo participant and loads /healthz,
/opportunities/, a search and the home page with wrk: ``--concurrency``
clients, then one client, ``--seconds`` each. Prints ONE JSON line: per page
p50/p95 (ms), req/s and errors under load, the 1-client p50/p95, and the
ratio of each page's p95 to /healthz's. ``--conn-max-age`` is the workers'
DB_CONN_MAX_AGE: 0 by default, as the Dockerfile alone runs (a connection per
request, how issue 11's figures were taken); 60 as .env.example deploys it. See devtools/page_bench.py.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from devtools import page_bench


class Command(BaseCommand):
    help = "ページ単位の負荷測定（gunicorn と wrk。結果を JSON 1行で出力）"

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=50)
        parser.add_argument("--seconds", type=int, default=20)
        parser.add_argument(
            "--pages",
            nargs="+",
            default=None,
            help="測るページのパス（既定: /healthz /opportunities/ /opportunities/?q=畑 /）",
        )
        parser.add_argument(
            "--conn-max-age",
            type=int,
            default=0,
            help="gunicorn のワーカーが DB 接続を保つ秒数（既定 0: リクエストごとに接続。.env.example は 60）",
        )

    def handle(self, *args, concurrency, seconds, pages, conn_max_age, **options):
        if concurrency < 1 or seconds < 1:
            raise CommandError("--concurrency と --seconds は 1 以上を指定してください。")
        if conn_max_age < 0:
            raise CommandError("--conn-max-age は 0 以上を指定してください。")
        try:
            result = page_bench.run(
                concurrency=concurrency,
                seconds=seconds,
                conn_max_age=conn_max_age,
                pages=pages or list(page_bench.DEFAULT_PAGES),
                log=lambda msg: self.stderr.write(msg),
            )
        except page_bench.BenchError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))
