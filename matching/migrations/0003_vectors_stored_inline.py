"""Keep vectors of up to about 1,000 dimensions inside the table row, not in TOAST.

A 512-dimensional vector takes 2,052 bytes, just over PostgreSQL's default
TOAST threshold (about 2 kB), so every vector went to the TOAST table and each
distance computed without the HNSW index (the exact search over the postings
near a person, re-scoring) fetched it from there. With the rows kept whole,
bench_matching's exact top 10 took half the time at 10^5 postings (p50 34 → 17 ms).
Rows written before this migration move back into the table when they are
re-embedded, or at once with ``VACUUM FULL``.
"""

from django.db import migrations

TABLES = ("matching_opportunityembedding", "matching_participantembedding")


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_search_filters_and_hnsw_m32")]

    operations = [
        migrations.RunSQL(
            sql=[f"ALTER TABLE {table} SET (toast_tuple_target = 4080)" for table in TABLES],
            reverse_sql=[f"ALTER TABLE {table} RESET (toast_tuple_target)" for table in TABLES],
        ),
    ]
