"""The secretariat's import in Chromium: the upload queues a preview, the page
polls (htmx) until the worker is done, shows the rows that would be written,
and the confirmation writes them. Screenshots on a phone and a desktop."""

import pytest
from playwright.sync_api import expect

from people.models import ParticipantProfile, User
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, log_in
from tests.builders import make_user
from training import import_jobs
from training.models import ImportJob
from training.tasks import import_job_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTICIPANTS = (
    "code,display_name,name_kana,municipality,lat,lon,readiness,self_description,skills,interests\n"
    + "".join(f"U{n:03d},参加者 {n},,山武市,,,2,,,\n" for n in range(1, 31))
)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_secretariat_previews_an_import_while_it_runs_then_confirms(
    open_page, monkeypatch, tmp_path, viewport
):
    make_user(role=User.Role.SECRETARIAT, username="sec_browser")
    # The worker is this test: the upload only queues the job, so the page has
    # to poll until the test runs it.
    queued: list[int] = []
    monkeypatch.setattr(import_jobs, "_enqueue", lambda job: queued.append(job.pk))
    csv = tmp_path / "participants.csv"
    csv.write_text(PARTICIPANTS, encoding="utf-8")

    page, shots = open_page(viewport)
    log_in(page, "sec_browser", "/secretariat/imports/")
    page.get_by_label("種類").select_option("participants")
    page.get_by_label("ファイル").set_input_files(str(csv))
    page.get_by_role("button", name="確認する（まだ取り込みません）").click()
    status = page.locator("#job-status")
    expect(status).to_contain_text("まだ何も取り込んでいません")
    expect(status.get_by_role("link", name="再読み込み")).to_be_visible()
    shots.shot("queued")

    assert len(queued) == 1
    assert import_job_run(queued[0]) == "done"
    expect(status).to_contain_text("新規 30件・更新 0件・変更なし 0件")  # polled in
    expect(status.locator("#preview-rows")).to_contain_text("U001 参加者 1")
    expect(status.locator("progress")).to_have_attribute("value", "100")
    assert status.get_attribute("hx-trigger") is None  # polling stopped
    assert fits_the_screen(page)
    shots.shot("preview-done")
    assert ParticipantProfile.objects.count() == 0

    page.get_by_role("button", name="この内容で取り込む").click()
    expect(page.locator(".messages")).to_contain_text("取り込みを始めました")
    assert len(queued) == 2 and import_job_run(queued[1]) == "done"
    expect(status).to_contain_text("参加者を取り込みました: 新規 30件")
    shots.shot("written")
    assert ParticipantProfile.objects.count() == 30
    assert ImportJob.objects.filter(mode="write", status="done").count() == 1
