"""No clashes: a person holds at most one seat or request at any moment.

The session's time is copied onto each sign-up (kept equal by triggers, so a
session whose time changes carries its sign-ups along), and an exclusion
constraint over (participant, tstzrange) refuses overlaps. Existing clashes are
never resolved silently: if any exist, the migration stops and lists them, so
that a person decides which sign-up to cancel."""

import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
import django.db.models.expressions
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models

import opportunities.models

COPY_EXISTING = """
UPDATE opportunities_signup AS su
   SET session_starts_at = se.starts_at,
       session_ends_at = se.ends_at,
       session_cancelled = (se.status = 'cancelled')
  FROM opportunities_session AS se
 WHERE se.id = su.session_id
"""

TRIGGERS = """
CREATE FUNCTION opportunities_signup_copy_session_time() RETURNS trigger AS $$
BEGIN
    SELECT starts_at, ends_at, status = 'cancelled'
      INTO NEW.session_starts_at, NEW.session_ends_at, NEW.session_cancelled
      FROM opportunities_session WHERE id = NEW.session_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER opportunities_signup_copy_session_time
BEFORE INSERT OR UPDATE OF session_id, session_starts_at, session_ends_at, session_cancelled
ON opportunities_signup
FOR EACH ROW EXECUTE FUNCTION opportunities_signup_copy_session_time();

CREATE FUNCTION opportunities_session_time_to_signups() RETURNS trigger AS $$
BEGIN
    UPDATE opportunities_signup
       SET session_starts_at = NEW.starts_at,
           session_ends_at = NEW.ends_at,
           session_cancelled = (NEW.status = 'cancelled')
     WHERE session_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER opportunities_session_time_to_signups
AFTER UPDATE OF starts_at, ends_at, status ON opportunities_session
FOR EACH ROW
WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at
      OR OLD.ends_at IS DISTINCT FROM NEW.ends_at
      OR (OLD.status = 'cancelled') IS DISTINCT FROM (NEW.status = 'cancelled'))
EXECUTE FUNCTION opportunities_session_time_to_signups();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS opportunities_session_time_to_signups ON opportunities_session;
DROP FUNCTION IF EXISTS opportunities_session_time_to_signups();
DROP TRIGGER IF EXISTS opportunities_signup_copy_session_time ON opportunities_signup;
DROP FUNCTION IF EXISTS opportunities_signup_copy_session_time();
"""

FIND_CLASHES = """
SELECT a.participant_id, a.id, b.id, a.session_starts_at, b.session_starts_at
  FROM opportunities_signup AS a
  JOIN opportunities_signup AS b
    ON a.participant_id = b.participant_id AND a.id < b.id
   AND tstzrange(a.session_starts_at, a.session_ends_at)
       && tstzrange(b.session_starts_at, b.session_ends_at)
 WHERE a.status IN ('requested', 'confirmed') AND NOT a.session_cancelled
   AND b.status IN ('requested', 'confirmed') AND NOT b.session_cancelled
 ORDER BY a.participant_id, a.session_starts_at
"""


def refuse_existing_clashes(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FIND_CLASHES)
        clashes = cursor.fetchall()
    if clashes:
        lines = "\n".join(
            f"  participant {p}: signup {a} ({a_at:%Y-%m-%d %H:%M}) overlaps "
            f"signup {b} ({b_at:%Y-%m-%d %H:%M})"
            for p, a, b, a_at, b_at in clashes[:200]
        )
        raise RuntimeError(
            f"{len(clashes)} clashing sign-up pair(s) exist; nothing was changed. "
            "Cancel one sign-up of each pair before migrating: with the previous release's "
            "pages or admin, or in `manage.py dbshell` with "
            "UPDATE opportunities_signup SET status = 'cancelled' WHERE id IN (...); "
            "(then check those sessions' waitlists and seat counts, which a direct UPDATE "
            "does not promote or free), and migrate again:\n" + lines
        )


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0005_partner_notify_staff"),
        ("people", "0002_logincode_from_opportunities"),
    ]

    operations = [
        BtreeGistExtension(),
        migrations.AddField(
            model_name="signup",
            name="session_starts_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="開始"),
        ),
        migrations.AddField(
            model_name="signup",
            name="session_ends_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="終了"),
        ),
        migrations.AddField(
            model_name="signup",
            name="session_cancelled",
            field=models.BooleanField(default=False, editable=False, verbose_name="開催回が中止"),
        ),
        migrations.RunSQL(COPY_EXISTING, migrations.RunSQL.noop),
        migrations.RunPython(refuse_existing_clashes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="signup",
            name="session_starts_at",
            field=models.DateTimeField(editable=False, verbose_name="開始"),
        ),
        migrations.AlterField(
            model_name="signup",
            name="session_ends_at",
            field=models.DateTimeField(editable=False, verbose_name="終了"),
        ),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
        migrations.AddConstraint(
            model_name="signup",
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(
                condition=models.Q(
                    ("session_cancelled", False), ("status__in", ["requested", "confirmed"])
                ),
                expressions=[
                    ("participant", "="),
                    (
                        opportunities.models.TsTzRange(
                            "session_starts_at",
                            "session_ends_at",
                            django.contrib.postgres.fields.ranges.RangeBoundary(),
                        ),
                        "&&",
                    ),
                ],
                name="opportunities_signup_no_clash",
                violation_error_message="同じ時間に別の予定があります。",
            ),
        ),
        migrations.AlterConstraint(
            model_name="signup",
            name="opportunities_signup_one_active_per_person",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "cancelled"), _negated=True),
                fields=("session", "participant"),
                name="opportunities_signup_one_active_per_person",
                violation_error_message="すでにこの回に申し込んでいます。",
            ),
        ),
    ]
