"""Page-level load benchmark (issue 11): the demo data served as the Dockerfile
serves it (gunicorn, 3 workers, DEBUG off), logged in as a demo participant,
measured with wrk on loopback.

Everything runs against a scratch database of its own (``bench_pages`` on the
same server as DATABASE_URL), filled with ``seed_demo`` and ``embed_all`` once
and reused while a stamp (migrations and demo data) says it is current. The
commands run in subprocesses with DATABASE_URL pointing at it, so this process
never touches the scratch rows itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings

SCRATCH_DB = "bench_pages"
DEFAULT_PAGES = ["/healthz", "/opportunities/", "/opportunities/?q=畑", "/"]
WORKERS = 3  # as the Dockerfile's gunicorn line
INSTALL_HINT = (
    "wrk が見つかりません。`sudo apt-get install wrk`（Debian/Ubuntu）でインストールするか、"
    "`make browser-deps` を実行してください。"
)

# wrk prints this after its own report: the figures as one JSON object.
WRK_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"p50_us": %d, "p95_us": %d, "requests": %d, "duration_us": %d, "errors": %d}\n',
    latency:percentile(50), latency:percentile(95), summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


class BenchError(Exception):
    pass


def wrk_path() -> str:
    path = shutil.which("wrk")
    if not path:
        raise BenchError(INSTALL_HINT)
    return path


def scratch_url(base_url: str, name: str = SCRATCH_DB) -> str:
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path="/" + name))


def _ensure_database(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(scratch_url(base_url, "postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _stamp() -> str:
    """Changes when the schema or the demo data change."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha1()
    files = sorted(base.glob("*/migrations/0*.py")) + sorted(
        [base / "devtools" / "demo_data.py", base / "devtools" / "demo_training.py"]
        + sorted((base / "devtools" / "management" / "commands").glob("seed_demo.py"))
    )
    for f in files:
        if f.exists():
            digest.update(str(f.relative_to(base)).encode())
            digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def _manage(env: dict, *args: str, log) -> str:
    cmd = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=settings.BASE_DIR)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(args[:1])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare(*, base_url: str, env: dict, log) -> None:
    """Migrate the scratch database, and seed and embed it unless the stamp
    says it already holds the current demo data."""
    _ensure_database(base_url, SCRATCH_DB)
    stamp_file = Path(settings.VAR_DIR) / "bench_pages" / f"{SCRATCH_DB}.stamp"
    stamp = _stamp()
    log("migrate")
    _manage(env, "migrate", "--no-input", log=log)
    if stamp_file.exists() and stamp_file.read_text().strip() == stamp:
        log("demo data: reused (stamp current)")
    else:
        _seed(env, log)
        stamp_file.parent.mkdir(parents=True, exist_ok=True)
        stamp_file.write_text(stamp + "\n")
    # No worker runs here: store the lists now, as a deployment's worker would.
    log("refresh_recommendations")
    _manage(env, "refresh_recommendations", "--verbosity", "0", log=log)


def _seed(env: dict, log) -> None:
    log("seed_demo (the first time takes a few minutes)")
    _manage(env, "seed_demo", log=log)
    log("embed_all")
    _manage(env, "embed_all", log=log)


LOGIN_SNIPPET = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils.module_loading import import_string
from people.models import User
user = (User.objects.filter(role=User.Role.PARTICIPANT, is_active=True, participant_profile__isnull=False)
        .order_by("pk").first())
assert user is not None, "no demo participant"
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = next(  # the first backend that loads users (not axes')
    path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user")
)
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
print("SESSION", settings.SESSION_COOKIE_NAME, store.session_key, user.username)
"""


def login_cookie(env: dict, log) -> str:
    """A logged-in session of the first demo participant, as a Cookie header."""
    out = _manage(env, "shell", "-c", LOGIN_SNIPPET, log=log)
    for line in out.splitlines():
        if line.startswith("SESSION "):
            _tag, name, key, username = line.split(" ", 3)
            log(f"logged in as {username}")
            return f"{name}={key}"
    raise BenchError("could not log in a demo participant:\n" + out[-2000:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, port: int, log_path: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [
        str(gunicorn) if gunicorn.exists() else "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
    ]
    with open(log_path, "wb") as log_file:  # a file, not a pipe: nobody reads it under load
        return subprocess.Popen(
            cmd,
            env=env,
            cwd=settings.BASE_DIR,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )


def _log_tail(log_path: Path) -> str:
    try:
        return log_path.read_text(errors="replace")[-3000:]
    except OSError:
        return ""


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def fetch(url: str, cookie: str) -> int:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with opener.open(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def wait_ready(base: str, proc: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError("gunicorn exited:\n" + _log_tail(log_path))
        try:
            if fetch(base + "/healthz", "") == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise BenchError("gunicorn did not answer /healthz in time")


def run_wrk(url: str, *, cookie: str, connections: int, seconds: int, script: str) -> dict:
    threads = max(1, min(connections, os.cpu_count() or 2, 4))
    cmd = [
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        script,
        "-H",
        f"Cookie: {cookie}",
        url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line[len("BENCH_JSON ") :])
            seconds_run = raw["duration_us"] / 1e6 or 1
            return {
                "p50_ms": round(raw["p50_us"] / 1000, 1),
                "p95_ms": round(raw["p95_us"] / 1000, 1),
                "req_s": round(raw["requests"] / seconds_run, 1),
                "requests": raw["requests"],
                "errors": raw["errors"],
            }
    raise BenchError(f"wrk printed no figures for {url}:\n{done.stdout}\n{done.stderr}")


def run(
    *, concurrency: int, seconds: int, pages: list[str], conn_max_age: int = 0, log=print
) -> dict:
    """Prepare the scratch database, serve it with gunicorn, load each page
    with wrk (``concurrency`` clients, then 1 client) and return the figures."""
    wrk_path()  # fail early, before minutes of seeding
    base_url = settings.DATABASE_URL
    env = {
        **os.environ,
        "DATABASE_URL": scratch_url(base_url),
        "DJANGO_DEBUG": "false",
        # 0 as the Dockerfile alone runs; .env.example deploys with 60.
        "DB_CONN_MAX_AGE": str(conn_max_age),
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or "bench-pages-not-secret",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    prepare(base_url=base_url, env=env, log=log)
    cookie = login_cookie(env, log)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if "/healthz" not in pages:
        pages = ["/healthz", *pages]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA)
        script = f.name
    log_path = Path(script).with_suffix(".log")
    proc = start_gunicorn(env, port, log_path)
    try:
        wait_ready(base, proc, log_path)
        results: dict[str, dict] = {}
        for page in pages:
            url = base + quote(page, safe="/?=&")
            status = fetch(url, cookie)
            if status != 200:
                raise BenchError(
                    f"{page} answered {status} for the logged-in participant:\n"
                    + _log_tail(log_path)
                )
            for _i in range(2 * WORKERS):  # warm every worker alike for every page
                fetch(url, cookie)
            log(f"{page}: {concurrency} clients, {seconds}s")
            loaded = run_wrk(
                url, cookie=cookie, connections=concurrency, seconds=seconds, script=script
            )
            log(f"{page}: 1 client, {seconds}s")
            single = run_wrk(url, cookie=cookie, connections=1, seconds=seconds, script=script)
            results[page] = {
                "p50_ms": loaded["p50_ms"],
                "p95_ms": loaded["p95_ms"],
                "req_s": loaded["req_s"],
                "errors": loaded["errors"],
                "single_p50_ms": single["p50_ms"],
                "single_p95_ms": single["p95_ms"],
                "single_errors": single["errors"],
            }
    finally:
        stop_gunicorn(proc)
        Path(script).unlink(missing_ok=True)
        log_path.unlink(missing_ok=True)
    floor = results["/healthz"]["p95_ms"] or None
    for row in results.values():
        row["p95_ratio_to_healthz"] = round(row["p95_ms"] / floor, 2) if floor else None
    return {
        "concurrency": concurrency,
        "seconds": seconds,
        "workers": WORKERS,
        "conn_max_age": conn_max_age,
        "database": SCRATCH_DB,
        "pages": results,
    }
