"""Spreadsheet imports of the secretariat's page, run in the django-q2 worker.

An upload becomes a preview job (import_job_start). The worker checks every
row and writes it inside a transaction that it then rolls back
(core.importing), recording progress as it goes and, at the end, the counts,
the first errors and the first rows it would write. A done preview without
errors can be confirmed once (import_job_confirm): that starts a write job with
the very same bytes. The management commands import_* do not come here; they
run core.importing.import_path directly.

Progress is written through a second database connection in autocommit, so the
page sees it while the import's own transaction is still open (and a preview's
rollback does not take it back).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from core.errors import Conflict, DomainError, NotAllowed
from core.importing import ImportReport, import_file, importer_named, importer_names
from training.models import IMPORT_MAX_BYTES, ImportJob

logger = logging.getLogger(__name__)

TASK = "training.tasks.import_job_run"
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes
# A job still "running" after the worker's timeout lost its worker (killed,
# restarted); a retry of the task may take it up again. Its transaction died
# with the worker, so nothing of it was written.
_TIMEOUT = settings.Q_CLUSTER.get("timeout")
STALE_AFTER = timedelta(seconds=_TIMEOUT if isinstance(_TIMEOUT, int) else 600)


def _enqueue(job: ImportJob) -> None:
    transaction.on_commit(lambda: async_task(TASK, job.pk))


def _require_secretariat(by) -> None:
    if not getattr(by, "is_secretariat", False):
        raise NotAllowed(_("ファイルの取り込みは事務局だけが行えます。"))


def import_job_start(*, kind: str, filename: str, data: bytes, by) -> ImportJob:
    """A preview job for ``data``; the worker runs it once this transaction commits."""
    _require_secretariat(by)
    if kind not in importer_names():
        raise DomainError(_("取り込みの種類を一覧から選んでください。"))
    if len(data) > IMPORT_MAX_BYTES:
        raise DomainError(_("ファイルが大きすぎます（5MBまで）。"))
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            filename=(filename or "upload")[-255:],
            data=data,
            mode=ImportJob.Mode.PREVIEW,
            created_by=by,
        )
        _enqueue(job)
    return job


def import_job_confirm(*, job: ImportJob, by) -> ImportJob:
    """The write job for a done, error-free preview; a preview is confirmed once."""
    _require_secretariat(by)
    with transaction.atomic():
        preview = ImportJob.objects.select_for_update().get(pk=job.pk)
        if preview.mode != ImportJob.Mode.PREVIEW:
            raise DomainError(_("取り込み済みの処理はもう一度確定できません。"))
        if ImportJob.objects.filter(preview=preview).exists():
            raise Conflict(
                _("このファイルはすでに取り込みを始めています。二重には取り込みません。")
            )
        if preview.status != ImportJob.Status.DONE:
            raise Conflict(_("確認がまだ終わっていません。確認が終わってから取り込んでください。"))
        if preview.report.get("error_count", 0):
            raise DomainError(
                _(
                    "エラーのあるファイルは取り込めません。直してからもう一度アップロードしてください。"
                )
            )
        write = ImportJob.objects.create(
            kind=preview.kind,
            filename=preview.filename,
            data=preview.data,
            mode=ImportJob.Mode.WRITE,
            preview=preview,
            created_by=by,
        )
        _enqueue(write)
    return write


def report_as_json(report: ImportReport) -> dict:
    """What a job keeps of a report: counts, the capped errors, the first rows."""
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rows": report.rows,
        "written": report.written,
        "error_count": report.error_count,
        "errors": [str(e) for e in report.errors],
        "outcomes": [
            {"row": o.row, "outcome": o.outcome, "label": o.label} for o in report.outcomes
        ],
    }


class ProgressWriter:
    """The progress callback of a job: writes rows_done/rows_total through its
    own connection, at most every PROGRESS_INTERVAL seconds (and at the end)."""

    def __init__(self, job_id: int, interval: float = PROGRESS_INTERVAL):
        self.job_id = job_id
        self.interval = interval
        self.last = float("-inf")
        self.calls = 0
        self.writes = 0
        self._connection: BaseDatabaseWrapper | None = None

    def __call__(self, done: int, total: int) -> None:
        self.calls += 1
        now = time.monotonic()
        if done < total and now - self.last < self.interval:
            return
        self.last = now
        if self._connection is None:
            self._connection = connections.create_connection("default")
        connection = self._connection
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET rows_done = %s, rows_total = %s "
                "WHERE id = %s AND status = %s",
                [done, total, self.job_id, ImportJob.Status.RUNNING],
            )
        self.writes += 1

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def import_job_execute(job_id: int, *, progress: ProgressWriter | None = None) -> str:
    """Run a queued job once (a job that is done, failed or running elsewhere is
    left alone) and return its final status."""
    now = timezone.now()
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .filter(
            Q(status=ImportJob.Status.QUEUED)
            | Q(status=ImportJob.Status.RUNNING, started_at__lt=now - STALE_AFTER)
        )
        .update(status=ImportJob.Status.RUNNING, started_at=now, rows_done=0)
    )
    if not claimed:
        status = ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
        logger.info("import job %s not run: its status is %s", job_id, status)
        return status or "missing"
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    progress = progress or ProgressWriter(job.pk)
    try:
        report = import_file(
            importer_named(job.kind),
            data=bytes(job.data),
            filename=job.filename,
            dry_run=job.mode == ImportJob.Mode.PREVIEW,
            context={"by": job.created_by},
            progress=progress,
        )
    except Exception:
        logger.exception("import job %s (%s, %s) failed", job.pk, job.kind, job.filename)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            message=_(
                "予期しないエラーで処理が止まりました。何も取り込んでいません。"
                "もう一度お試しいただき、続く場合はシステム担当者にお知らせください。"
            ),
        )
        return ImportJob.Status.FAILED
    finally:
        progress.close()
    total = report.rows
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        finished_at=timezone.now(),
        rows_done=total,
        rows_total=total,
        report=report_as_json(report),
    )
    return ImportJob.Status.DONE
