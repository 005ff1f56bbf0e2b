"""The embedded PostgreSQL bootstrap, from an empty folder, as a new user would run it."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

JOIN_SERVER = """
import sys
from pathlib import Path
import psycopg
from config.embedded_db import embedded_database_url
url = embedded_database_url(Path(sys.argv[1]))
with psycopg.connect(url) as conn:
    version = conn.execute("SELECT current_setting('server_version_num')").fetchone()[0]
    pid = conn.execute("SELECT pg_postmaster_start_time()").fetchone()[0]
    buffers = conn.execute(
        "SELECT setting FROM pg_file_settings WHERE name = 'shared_buffers' ORDER BY seqno DESC LIMIT 1"
    ).fetchone()[0]
print(url, version, pid, buffers, sep="|")
"""


def run(args, env_extra=None, **kwargs):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(env_extra or {})
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, **kwargs
    )


def test_two_processes_share_one_embedded_server(tmp_path):
    pgdata = tmp_path / "pgdata"
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(lambda _: run([sys.executable, "-c", JOIN_SERVER, str(pgdata)]), range(2))
        )
    for result in results:
        assert result.returncode == 0, result.stderr
    first, second = (r.stdout.strip().split("|") for r in results)
    assert first[0] == second[0]  # same server, same database
    assert int(first[1]) >= 180000  # PostgreSQL 18
    assert (pgdata / "PG_VERSION").read_text().strip() == "18"
    # Set for the server's next start (vectors need more than the 128MB default).
    assert first[3] == second[3] == "1GB"


@pytest.mark.slow
def test_migrations_apply_to_an_empty_database(tmp_path):
    """No DATABASE_URL: settings start a fresh embedded server, and every
    migration (including the vector extension) applies to its empty database."""
    env = {"VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    migrate = run([sys.executable, "manage.py", "migrate", "--no-input"], env)
    assert migrate.returncode == 0, migrate.stderr
    check = run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.db import connection; c = connection.cursor(); "
            "c.execute(\"SELECT extversion FROM pg_extension WHERE extname = 'vector'\"); print(c.fetchone()[0])",
        ],
        env,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip().splitlines()[-1].startswith("0.8")


def test_models_and_migrations_agree():
    result = run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        {"DJANGO_SETTINGS_MODULE": "config.settings_test"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
