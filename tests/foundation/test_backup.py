"""manage.py backup / restore: a round trip keeps every row of every table;
restore asks first, and refuses a missing file or one that is not a backup."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_q.models import Schedule

from opportunities.models import Opportunity, Partner
from tests.training.builders import attend, make_opportunity, make_partner, make_rule, make_session
from training.models import PayoutRun
from training.services import payout_run_compute


def row_counts() -> dict[str, int]:
    """Every table of the database (Django's, the apps', django_q's, the M2M ones)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def build_data():
    opportunity = make_opportunity(
        partner=make_partner(code="A001", name="さんぶ農園"), title="野菜の収穫「春」"
    )
    attend(make_session(opportunity=opportunity, day=date(2026, 5, 11)))
    attend(make_session(opportunity=opportunity, day=date(2026, 5, 12)))
    payout_run_compute(rule=make_rule(code="DAY", budget_yen=5_000), month=date(2026, 5, 1))
    Schedule.objects.create(name="nightly", func="math.floor", args="1", schedule_type="D")


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_keeps_every_row_of_every_table(tmp_path, capsys):
    build_data()
    before = row_counts()
    assert before["django_q_schedule"] == 1
    assert before["training_payoutline"] > 0 and before["django_migrations"] > 0
    dump = tmp_path / "marketplace.dump"

    call_command("backup", output=str(dump))
    assert dump.read_bytes().startswith(b"PGDMP")

    # Most rows go (partners cascade to opportunities, sessions, attendance,
    # payout lines), and a row that was not in the backup appears.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE opportunities_partner, django_q_schedule CASCADE")
    make_partner(code="Z999", name="バックアップ後の機関")
    assert row_counts() != before

    call_command("restore", str(dump), interactive=False)

    assert row_counts() == before
    assert not Partner.objects.filter(code="Z999").exists()
    assert Partner.objects.get(code="A001").name == "さんぶ農園"
    assert Opportunity.objects.get().title == "野菜の収穫「春」"
    assert Schedule.objects.get().name == "nightly"
    run = PayoutRun.objects.get()
    assert run.lines.count() == before["training_payoutline"]
    out = capsys.readouterr().out
    assert "バックアップしました" in out and "置き換えます" in out and "復元しました" in out


@pytest.mark.django_db(transaction=True)
def test_restore_asks_first_and_a_no_changes_nothing(tmp_path, monkeypatch):
    make_partner(code="A001", name="さんぶ農園")
    dump = tmp_path / "marketplace.dump"
    call_command("backup", output=str(dump))
    Partner.objects.update(name="新しい名前")

    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="取りやめました"):
        call_command("restore", str(dump))
    assert Partner.objects.get().name == "新しい名前"

    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    call_command("restore", str(dump))
    assert Partner.objects.get().name == "さんぶ農園"


@pytest.mark.django_db
def test_restore_refuses_a_missing_file_and_a_file_that_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="見つかりません"):
        call_command("restore", str(tmp_path / "absent.dump"), interactive=False)
    text = tmp_path / "notes.dump"
    text.write_text("これはバックアップではありません\n", encoding="utf-8")
    with pytest.raises(CommandError, match="バックアップファイルではありません"):
        call_command("restore", str(text), interactive=False)
    fake = tmp_path / "fake.dump"
    fake.write_bytes(b"PGDMP" + b"\0" * 100)
    with pytest.raises(CommandError, match="バックアップファイルではありません"):
        call_command("restore", str(fake), interactive=False)


@pytest.mark.django_db
def test_backup_into_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(CommandError, match="フォルダ"):
        call_command("backup", output=str(tmp_path / "absent" / "x.dump"))
