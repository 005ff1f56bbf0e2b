"""The secretariat's imports run as django-q2 jobs: the upload only queues a
preview, the page follows its progress (htmx polling that stops when done) and
shows the rows that would be written; a done, error-free preview is confirmed
once and writes exactly the previewed bytes. The import_* commands do not go
through jobs and print what they always printed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connections
from django.urls import reverse

from core.importing import import_file
from opportunities.imports import partner_importer
from opportunities.models import Partner
from people.models import ParticipantProfile
from tests.training.builders import make_user
from training import import_jobs
from training.import_jobs import import_job_confirm, import_job_execute, import_job_start
from training.models import ImportJob
from training.tasks import import_job_run

pytestmark = pytest.mark.django_db

PARTICIPANTS = (
    "code,display_name,name_kana,municipality,lat,lon,readiness,self_description,skills,interests\r\n"
    "U901,佐藤 花子,さとう,山武市,35.6,140.4,2,朝は苦手です,草取り,農業\r\n"
    "U902,鈴木 一郎,すずき,東金市,,,,,,\r\n"
)
PARTNERS_HEADER = "code,name,name_kana,category,municipality,address,lat,lon,offers"


def partners_csv(n: int, *, bad_every: int = 0) -> bytes:
    rows = [
        f"X{i:05d},協力機関{i},,{'nowhere' if bad_every and i % bad_every == 0 else 'commerce'},"
        "山武市,,,,"
        for i in range(n)
    ]
    return ("\r\n".join([PARTNERS_HEADER, *rows]) + "\r\n").encode()


def upload(client, kind: str, data: bytes, name: str = "f.csv"):
    return client.post(
        reverse("secretariat:import_upload"),
        {"kind": kind, "file": SimpleUploadedFile(name, data)},
    )


def job_page(client, job: ImportJob) -> str:
    response = client.get(reverse("secretariat:import_job", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def logged_in(client, secretariat):
    client.force_login(secretariat)
    return client


def test_upload_only_queues_a_preview_and_writes_nothing(
    logged_in, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(logged_in, "participants", PARTICIPANTS.encode())
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("secretariat:import_job", args=[job.pk])
    assert len(callbacks) == 1  # the task is enqueued on commit, not run in the request
    assert (job.status, job.mode, job.report) == ("queued", "preview", {})
    assert bytes(job.data) == PARTICIPANTS.encode()
    assert ParticipantProfile.objects.count() == 0
    page = job_page(logged_in, job)
    assert 'hx-trigger="every 1s"' in page and "再読み込み" in page
    assert "この内容で取り込む" not in page


def test_preview_shows_progress_counts_and_rows_then_confirm_writes_them(
    logged_in, secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(logged_in, "participants", PARTICIPANTS.encode())
    job = ImportJob.objects.get()
    assert job.status == "done" and (job.rows_done, job.rows_total) == (2, 2)
    page = job_page(logged_in, job)
    assert 'value="100"' in page and "2 / 2行" in page
    assert "新規 2件・更新 0件・変更なし 0件" in page
    assert "U901 佐藤 花子" in page and "U902 鈴木 一郎" in page and "新規" in page
    assert "この内容で取り込む" in page and "hx-trigger" not in page
    assert ParticipantProfile.objects.count() == 0  # a preview writes nothing

    confirm = reverse("secretariat:import_job_confirm", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(confirm)
    write = ImportJob.objects.get(mode="write")
    assert response["Location"] == reverse("secretariat:import_job", args=[write.pk])
    assert write.preview == job and bytes(write.data) == bytes(job.data)
    assert write.status == "done" and write.report["written"] is True
    assert sorted(ParticipantProfile.objects.values_list("code", flat=True)) == ["U901", "U902"]
    page = job_page(logged_in, write)
    assert "参加者を取り込みました: 新規 2件・更新 0件・変更なし 0件" in page
    assert reverse("secretariat:import_upload") in page

    # Confirming again (a second click, a reload) writes nothing more.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = logged_in.post(confirm)
    assert again.status_code == 409 and callbacks == []
    assert "すでに取り込みを始めています" in again.content.decode()
    assert ImportJob.objects.filter(mode="write").count() == 1
    assert "この内容で取り込む" not in job_page(logged_in, job)
    with pytest.raises(import_jobs.Conflict):
        import_job_confirm(job=job, by=secretariat)


def test_a_write_job_runs_once_even_if_the_task_is_delivered_twice(
    secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_start(
            kind="partners", filename="p.csv", data=partners_csv(3), by=secretariat
        )
    with django_capture_on_commit_callbacks(execute=True):
        write = import_job_confirm(job=job, by=secretariat)
    assert Partner.objects.count() == 3
    Partner.objects.all().delete()
    assert import_job_run(write.pk) == "done"  # a retry of a done job does nothing
    assert import_job_run(job.pk) == "done"
    assert Partner.objects.count() == 0
    write.refresh_from_db()
    assert write.report["created"] == 3


def test_a_file_with_errors_shows_capped_errors_and_cannot_be_confirmed(
    logged_in, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(logged_in, "partners", partners_csv(240, bad_every=2))
    job = ImportJob.objects.get()
    assert job.status == "done" and job.report["error_count"] == 120
    page = job_page(logged_in, job)
    assert "120件のエラーがあります" in page and "何も取り込んでいません" in page
    assert "ほかに70件" in page and page.count("行目: ") == 50
    assert "この内容で取り込む" not in page and "hx-trigger" not in page
    with django_capture_on_commit_callbacks(execute=True):
        refused = logged_in.post(reverse("secretariat:import_job_confirm", args=[job.pk]))
    assert refused.status_code == 400
    assert "エラーのあるファイルは取り込めません" in refused.content.decode()
    assert ImportJob.objects.count() == 1 and Partner.objects.count() == 0


def test_a_preview_still_running_cannot_be_confirmed(logged_in, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        upload(logged_in, "partners", partners_csv(2))
    job = ImportJob.objects.get()
    refused = logged_in.post(reverse("secretariat:import_job_confirm", args=[job.pk]))
    assert refused.status_code == 409 and "確認がまだ終わっていません" in refused.content.decode()
    assert ImportJob.objects.count() == 1


def test_the_status_fragment_polls_while_running_and_stops_when_done(
    logged_in, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        upload(logged_in, "partners", partners_csv(2))
    job = ImportJob.objects.get()
    url = reverse("secretariat:import_job_status", args=[job.pk])
    fragment = logged_in.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="job-status"')
    assert "<html" not in fragment and 'hx-trigger="every 1s"' in fragment
    assert f'hx-get="{url}"' in fragment
    ImportJob.objects.filter(pk=job.pk).update(status="running", rows_done=1, rows_total=2)
    fragment = logged_in.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'value="50"' in fragment and "1 / 2行" in fragment and "hx-trigger" in fragment
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    import_job_run(job.pk)
    fragment = logged_in.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and "hx-get" not in fragment
    assert "新規 2件" in fragment
    # Without htmx the status address is the job page.
    assert logged_in.get(url)["Location"] == reverse("secretariat:import_job", args=[job.pk])


def test_progress_is_reported_while_a_big_file_runs(secretariat, monkeypatch):
    calls = []
    report = import_file(
        partner_importer,
        data=partners_csv(2000),
        filename="p.csv",
        dry_run=True,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert report.created == 2000 and Partner.objects.count() == 0
    assert calls[0] == (0, 2000) and calls[-1] == (2000, 2000)
    assert [d for d, _t in calls] == sorted(d for d, _t in calls) and len(calls) > 10
    assert len(report.outcomes) == 200 and report.outcomes[0].label == "X00000 協力機関0"

    # The job's writer throttles the database writes but sees every call.
    job = ImportJob.objects.create(
        kind="partners", filename="p.csv", data=partners_csv(2000), created_by=secretariat
    )
    writer = import_jobs.ProgressWriter(job.pk, interval=0.0)
    assert import_job_execute(job.pk, progress=writer) == "done"
    assert writer.calls == 2001 and writer.writes == 2001
    job.refresh_from_db()
    assert (job.rows_done, job.rows_total, job.percent) == (2000, 2000, 100)
    assert job.report["created"] == 2000 and len(job.report["outcomes"]) == 200
    assert Partner.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_the_page_while_the_import_transaction_is_open(monkeypatch):
    """The job page reads progress from another connection: the writer must
    commit it at once, outside the (rolled back) import transaction."""
    by = make_user(role="secretariat")
    job = ImportJob.objects.create(
        kind="partners", filename="p.csv", data=partners_csv(300), created_by=by
    )
    observer = connections.create_connection("default")
    seen = []
    original = import_jobs.ProgressWriter.__call__

    def observed(self, done, total):
        original(self, done, total)
        with observer.cursor() as cursor:
            cursor.execute("SELECT rows_done FROM training_importjob WHERE id = %s", [job.pk])
            seen.append(cursor.fetchone()[0])

    monkeypatch.setattr(import_jobs.ProgressWriter, "__call__", observed)
    try:
        assert import_job_execute(job.pk, progress=import_jobs.ProgressWriter(job.pk, 0.0)) == (
            "done"
        )
    finally:
        observer.close()
    assert seen[0] == 0 and 150 in seen and seen[-1] == 300
    assert Partner.objects.count() == 0


def test_an_unexpected_exception_marks_the_job_failed_and_logs_it(
    logged_in, secretariat, monkeypatch, caplog
):
    job = import_job_start(kind="partners", filename="p.csv", data=partners_csv(2), by=secretariat)

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_jobs, "import_file", broken)
    assert import_job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert "予期しないエラー" in job.message
    assert "disk on fire" in caplog.text and "Traceback" in caplog.text
    page = job_page(logged_in, job)
    assert "予期しないエラー" in page and "hx-trigger" not in page
    assert "disk on fire" not in page
    assert import_job_run(job.pk) == "failed"  # not run again


def test_jobs_are_for_the_secretariat_only_and_a_missing_job_is_404(
    client, logged_in, secretariat, coach
):
    with pytest.raises(import_jobs.NotAllowed):
        import_job_start(kind="partners", filename="p.csv", data=b"x", by=coach)
    job = import_job_start(kind="partners", filename="p.csv", data=b"x", by=secretariat)
    with pytest.raises(import_jobs.NotAllowed):
        import_job_confirm(job=job, by=coach)
    missing = job.pk + 1000
    assert logged_in.get(reverse("secretariat:import_job", args=[missing])).status_code == 404
    assert logged_in.post(
        reverse("secretariat:import_job_confirm", args=[missing])
    ).status_code == (404)
    other = client.__class__()
    other.force_login(coach)
    assert other.get(reverse("secretariat:import_job", args=[job.pk])).status_code == 403


def test_a_too_big_or_missing_file_is_refused_on_the_page(logged_in):
    url = reverse("secretariat:import_upload")
    response = logged_in.post(url, {"kind": "partners"})
    assert response.status_code == 400 and "ファイルを選んでください" in response.content.decode()
    big = SimpleUploadedFile("p.csv", b"x" * (5 * 1024 * 1024 + 1))
    response = logged_in.post(url, {"kind": "partners", "file": big})
    assert response.status_code == 400 and "5MBまで" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_import_commands_print_exactly_what_they_printed_before(tmp_path, capsys):
    good = tmp_path / "p.csv"
    good.write_bytes(partners_csv(2))
    call_command("import_partners", str(good), "--dry-run")
    assert capsys.readouterr() == ("（確認のみ）新規 2件・更新 0件・変更なし 0件\n", "")
    call_command("import_partners", str(good))
    assert capsys.readouterr() == ("新規 2件・更新 0件・変更なし 0件\n", "")
    call_command("import_partners", str(good))
    assert capsys.readouterr() == ("新規 0件・更新 0件・変更なし 2件\n", "")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(partners_csv(3, bad_every=2))
    with pytest.raises(CommandError) as raised:
        call_command("import_partners", str(bad))
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines()[0].startswith("2行目: category")
    assert len(err.splitlines()) == 2 and err.splitlines()[1].startswith("4行目: ")
    assert str(raised.value) == "2件のエラーがあるため、何も取り込みませんでした。"
    assert ImportJob.objects.count() == 0
