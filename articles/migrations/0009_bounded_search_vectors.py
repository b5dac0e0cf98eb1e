"""Index only a bounded prefix of long text, so no save fails on PostgreSQL's tsvector limit.

A tsvector holds at most 1 MB. Migration 0003 indexed whole columns, so a long
body with a large vocabulary (a 2 MB body of distinct words) made every save
of that article fail. Measured worst cases run to about 10.5 bytes of tsvector
per character (hyphenated pairs of 4-byte characters), so each unbounded text
column contributes at most its first 60,000 characters, and captions 10,000:
at worst about 740 kB, well under the limit. The text is stored whole; only the
search index stops there. CharFields are bounded by their max_length already.
articles/search.py (INDEXED_CHARS) cuts its snippets at the same place.

A generated column's expression cannot be altered in place before
PostgreSQL 17, so each column is dropped and added again, with its index.
On any other database this migration does nothing.
"""

from django.db import migrations

BODY_CHARS = 60_000
CAPTION_CHARS = 10_000

BOUNDED = {
    "articles_article": [("title", "A", None), ("body", "B", BODY_CHARS), ("captions", "D", CAPTION_CHARS)],
    "articles_claim": [("text", "A", BODY_CHARS)],
    "articles_event": [("title", "A", None), ("description", "B", BODY_CHARS)],
    "articles_actor": [("name", "A", None), ("description", "B", None)],
}
WHOLE = {table: [(column, weight, None) for column, weight, _ in columns] for table, columns in BOUNDED.items()}


def _vector_sql(columns):
    # to_tsvector with an explicit configuration and left() are immutable, as a generated column requires.
    parts = []
    for column, weight, limit in columns:
        text = f"coalesce({column}, '')" if limit is None else f"left(coalesce({column}, ''), {limit})"
        parts.append(f"setweight(to_tsvector('english'::regconfig, {text}), '{weight}')")
    return " || ".join(parts)


def _rebuild(searched):
    def rebuild(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, columns in searched.items():
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_gin")
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
            schema_editor.execute(
                f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
                f"GENERATED ALWAYS AS ({_vector_sql(columns)}) STORED"
            )
            schema_editor.execute(f"CREATE INDEX {table}_search_gin ON {table} USING gin (search_vector)")

    return rebuild


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_article_body_limits"),
    ]

    operations = [
        migrations.RunPython(_rebuild(BOUNDED), _rebuild(WHOLE), elidable=False),
    ]
