"""What changed since an approved payout month was computed.

A payout run computes its month from attendance, sessions, opportunities and
payee codes. Instead of computing every approved month again on each later
draft (to find corrections), PostgreSQL triggers note the local month of every
change to those rows in ``training_payoutchange`` (the month NULL: any month),
and each computation notes in ``training_payoutseen`` which of those changes it
saw (the change-log id it had reached and its snapshot). A later draft computes
again only the approved months with a change that their last computation did
not see (training/selectors.py ``payout_changed_months``).

Triggers are per statement, with transition tables: a bulk insert of 10^5
attendance rows writes one log row per month and transaction.
"""

from django.db import migrations

MONTH = "date_trunc('month', s.starts_at AT TIME ZONE 'Asia/Tokyo')::date"

# A change in a month already noted by this transaction gets a new id, so that
# a computation between the two changes (same transaction) sees the second.
BUMP = (
    "ON CONFLICT (month, xid) DO UPDATE"
    " SET id = nextval('training_payoutchange_id_seq'), changed_at = clock_timestamp()"
)

SQL = f"""
CREATE TABLE training_payoutchange (
    id bigserial PRIMARY KEY,
    month date NULL,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX training_payoutchange_month_xid ON training_payoutchange (month, xid) NULLS NOT DISTINCT;

CREATE TABLE training_payoutseen (
    run_id bigint PRIMARY KEY,
    watermark bigint NOT NULL,
    snap pg_snapshot NOT NULL,
    xid xid8 NOT NULL  -- the computing transaction: its own changes are not "in" snap
);

CREATE FUNCTION training_payoutchange_note_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'training_attendance' THEN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO training_payoutchange (month)
            SELECT DISTINCT {MONTH} FROM new_rows n JOIN opportunities_session s ON s.id = n.session_id
            {BUMP};
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            INSERT INTO training_payoutchange (month)
            SELECT DISTINCT {MONTH} FROM old_rows n JOIN opportunities_session s ON s.id = n.session_id
            {BUMP};
        END IF;
    ELSIF TG_TABLE_NAME = 'opportunities_session' THEN
        IF TG_OP = 'UPDATE' THEN
            INSERT INTO training_payoutchange (month)
            SELECT DISTINCT m FROM old_rows o JOIN new_rows n ON n.id = o.id,
                LATERAL (VALUES (date_trunc('month', o.starts_at AT TIME ZONE 'Asia/Tokyo')::date),
                                (date_trunc('month', n.starts_at AT TIME ZONE 'Asia/Tokyo')::date)) v(m)
            WHERE (o.status, o.starts_at, o.ends_at, o.opportunity_id)
                  IS DISTINCT FROM (n.status, n.starts_at, n.ends_at, n.opportunity_id)
            {BUMP};
        ELSE
            INSERT INTO training_payoutchange (month)
            SELECT DISTINCT date_trunc('month', o.starts_at AT TIME ZONE 'Asia/Tokyo')::date FROM old_rows o
            {BUMP};
        END IF;
    ELSIF TG_TABLE_NAME = 'opportunities_opportunity' THEN
        IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE (o.kind, o.partner_id) IS DISTINCT FROM (n.kind, n.partner_id)) THEN
            INSERT INTO training_payoutchange (month) VALUES (NULL) {BUMP};
        END IF;
    ELSE  -- payees: a changed code changes every month's lines
        IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE o.code IS DISTINCT FROM n.code) THEN
            INSERT INTO training_payoutchange (month) VALUES (NULL) {BUMP};
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER payoutchange_attendance_ins AFTER INSERT ON training_attendance
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION training_payoutchange_note_months();
CREATE TRIGGER payoutchange_attendance_upd AFTER UPDATE ON training_attendance
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION training_payoutchange_note_months();
CREATE TRIGGER payoutchange_attendance_del AFTER DELETE ON training_attendance
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION training_payoutchange_note_months();
CREATE TRIGGER payoutchange_session_upd AFTER UPDATE ON opportunities_session
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION training_payoutchange_note_months();
CREATE TRIGGER payoutchange_session_del AFTER DELETE ON opportunities_session
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION training_payoutchange_note_months();
CREATE TRIGGER payoutchange_opportunity_upd AFTER UPDATE ON opportunities_opportunity
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION training_payoutchange_note_months();
CREATE TRIGGER payoutchange_partner_upd AFTER UPDATE ON opportunities_partner
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION training_payoutchange_note_months();
CREATE TRIGGER payoutchange_supporter_upd AFTER UPDATE ON people_supporter
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION training_payoutchange_note_months();
CREATE TRIGGER payoutchange_participant_upd AFTER UPDATE ON people_participantprofile
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION training_payoutchange_note_months();
"""

REVERSE = """
DROP TRIGGER IF EXISTS payoutchange_attendance_ins ON training_attendance;
DROP TRIGGER IF EXISTS payoutchange_attendance_upd ON training_attendance;
DROP TRIGGER IF EXISTS payoutchange_attendance_del ON training_attendance;
DROP TRIGGER IF EXISTS payoutchange_session_upd ON opportunities_session;
DROP TRIGGER IF EXISTS payoutchange_session_del ON opportunities_session;
DROP TRIGGER IF EXISTS payoutchange_opportunity_upd ON opportunities_opportunity;
DROP TRIGGER IF EXISTS payoutchange_partner_upd ON opportunities_partner;
DROP TRIGGER IF EXISTS payoutchange_supporter_upd ON people_supporter;
DROP TRIGGER IF EXISTS payoutchange_participant_upd ON people_participantprofile;
DROP FUNCTION IF EXISTS training_payoutchange_note_months();
DROP TABLE IF EXISTS training_payoutseen;
DROP TABLE IF EXISTS training_payoutchange;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0005_activity_ledger"),
        ("opportunities", "0001_initial"),
        ("people", "0001_initial"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE)]
