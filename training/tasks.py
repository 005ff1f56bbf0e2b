"""Jobs of the training app, run by django-q2 workers."""

from training import import_jobs, notifications


def absence_digest_send() -> int:
    """Weekly (see the setup_schedules command): each coach's absences of the last 7 days."""
    return notifications.absence_digest_send()


def import_job_run(job_id: int) -> str:
    """A spreadsheet import of the secretariat's page (training.import_jobs);
    a job that already ran is not run again."""
    return import_jobs.import_job_execute(job_id)
