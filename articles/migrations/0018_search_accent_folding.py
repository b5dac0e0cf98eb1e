"""Search folds accents on PostgreSQL: "Tô Lâm" finds "To Lam", "Doi Moi" finds "Đổi Mới".

The `unaccent` extension supplies a filtering dictionary. A text search
configuration, `kb_english`, is English with that dictionary in front of the
stemmer for words that are not plain ASCII, so "Lâm" is indexed, queried and
highlighted as "lam". to_tsvector(regconfig, text) is immutable, so the
generated search_vector columns can use the configuration directly: no
wrapper function is needed, and ts_headline with the same configuration marks
"Tô Lâm" in a text for the query "To Lam" (and the other way round).

The columns are rebuilt as migration 0009 left them (same weights, same
bounded prefixes), only with the new configuration. Their GIN indexes are
built with fastupdate off: with it on, rows added in bulk (an import,
generate_kb) wait in a pending list that every search scans until the next
VACUUM, which made a search for a missing word take 30 ms instead of 0.1 ms at
10,000 articles. On any other database this migration does nothing.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

CONFIG = "kb_english"
BODY_CHARS = 60_000
CAPTION_CHARS = 10_000
SEARCHED = {
    "articles_article": [("title", "A", None), ("body", "B", BODY_CHARS), ("captions", "D", CAPTION_CHARS)],
    "articles_claim": [("text", "A", BODY_CHARS)],
    "articles_event": [("title", "A", None), ("description", "B", BODY_CHARS)],
    "articles_actor": [("name", "A", None), ("description", "B", None)],
}


def _vector_sql(columns, config):
    parts = []
    for column, weight, limit in columns:
        text = f"coalesce({column}, '')" if limit is None else f"left(coalesce({column}, ''), {limit})"
        parts.append(f"setweight(to_tsvector('{config}'::regconfig, {text}), '{weight}')")
    return " || ".join(parts)


def _rebuild(config, index_options):
    def rebuild(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        # Rewriting every row's vector takes longer than a reader's statement may (half a
        # minute at 100,000 claims); only for this migration's transaction.
        schema_editor.execute("SET LOCAL statement_timeout = 0")
        for table, columns in SEARCHED.items():
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_gin")
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
            schema_editor.execute(
                f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
                f"GENERATED ALWAYS AS ({_vector_sql(columns, config)}) STORED"
            )
            schema_editor.execute(
                f"CREATE INDEX {table}_search_gin ON {table} USING gin (search_vector){index_options}"
            )

    return rebuild


def create_configuration(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [CONFIG])
        exists = cursor.fetchone()
    if not exists:
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = english)")
    schema_editor.execute(
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
    )


def drop_configuration(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0017_event_stored_counts"),
    ]

    operations = [
        # CREATE EXTENSION IF NOT EXISTS unaccent; a no-op on other databases. Since
        # PostgreSQL 13 unaccent is a trusted extension: the database owner may create it.
        UnaccentExtension(),
        migrations.RunPython(create_configuration, drop_configuration, elidable=False),
        migrations.RunPython(
            _rebuild(CONFIG, " WITH (fastupdate = off)"), _rebuild("english", ""), elidable=False
        ),
    ]
