# The posting's status, step and place are copied beside its vector so the
# candidate search filters on the row the index returns (see models.py). The
# database keeps that copy now, on every write to a posting (a service's save,
# a queryset update, the admin, an import, raw SQL), instead of a post_save
# receiver that a bulk update silently skipped.
from django.db import migrations

FORWARD = """
CREATE FUNCTION matching_copy_opportunity_filters() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE matching_opportunityembedding
       SET is_open = (NEW.status = 'open'),
           min_readiness = NEW.min_readiness,
           lat = NEW.lat,
           lon = NEW.lon
     WHERE opportunity_id = NEW.id
       AND (is_open, min_readiness, lat, lon)
           IS DISTINCT FROM (NEW.status = 'open', NEW.min_readiness, NEW.lat, NEW.lon);
    RETURN NULL;
END
$$;

CREATE TRIGGER matching_opportunity_filters_follow
AFTER UPDATE OF status, min_readiness, lat, lon ON opportunities_opportunity
FOR EACH ROW EXECUTE FUNCTION matching_copy_opportunity_filters();

-- Rows a bulk update left stale before this migration.
UPDATE matching_opportunityembedding e
   SET is_open = (o.status = 'open'), min_readiness = o.min_readiness, lat = o.lat, lon = o.lon
  FROM opportunities_opportunity o
 WHERE o.id = e.opportunity_id
   AND (e.is_open, e.min_readiness, e.lat, e.lon)
       IS DISTINCT FROM (o.status = 'open', o.min_readiness, o.lat, o.lon);
"""

BACKWARD = """
DROP TRIGGER IF EXISTS matching_opportunity_filters_follow ON opportunities_opportunity;
DROP FUNCTION IF EXISTS matching_copy_opportunity_filters();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0004_box_index_with_step"),
        ("opportunities", "0004_logincode_moves_to_people"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
