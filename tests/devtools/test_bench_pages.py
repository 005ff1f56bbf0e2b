"""bench_pages really serves the demo data with gunicorn and loads it with wrk
(no skipping: without wrk this fails, and `make browser-deps` installs it)."""

import json
import shutil
import subprocess

from django.core.management import call_command

from devtools import page_bench


def test_wrk_is_installed():
    assert shutil.which("wrk"), page_bench.INSTALL_HINT


def test_bench_pages_prints_one_json_line_per_page_and_stops_gunicorn(capsys):
    before = subprocess.run(["pgrep", "-f", "gunicorn config.wsgi"], capture_output=True, text=True)
    # Kept connections, as .env.example deploys: the workers still answer without errors.
    call_command("bench_pages", "--concurrency", "2", "--seconds", "2", "--conn-max-age", "60")
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    result = json.loads(out[0])
    assert result["concurrency"] == 2 and result["workers"] == 3
    assert result["conn_max_age"] == 60
    assert list(result["pages"]) == page_bench.DEFAULT_PAGES
    for page, row in result["pages"].items():
        assert row["errors"] == 0 and row["single_errors"] == 0, page
        assert row["req_s"] > 0 and 0 < row["p50_ms"] <= row["p95_ms"], page
        assert row["single_p50_ms"] > 0, page
        assert row["p95_ratio_to_healthz"] > 0, page
    assert result["pages"]["/healthz"]["p95_ratio_to_healthz"] == 1.0
    # Its own gunicorn is gone again.
    after = subprocess.run(["pgrep", "-f", "gunicorn config.wsgi"], capture_output=True, text=True)
    assert set(after.stdout.split()) <= set(before.stdout.split())
