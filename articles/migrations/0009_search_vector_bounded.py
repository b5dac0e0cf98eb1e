"""Search vectors index at most the first SEARCHED_CHARS characters of each column.

PostgreSQL refuses a tsvector over 1 MB, and a generated column that cannot be
computed fails the whole INSERT or UPDATE: a 2 MB claim text or event
description (the admin does not cap those) or an article body that got past
its limits another way could not be saved at all, and the editor's text was
lost. Truncating for the index only keeps every save possible; the stored
text is untouched, and no accepted body (100,000 characters at most) loses a
word from search.
"""

from django.db import migrations

SEARCHED_CHARS = 100_000

SEARCHED = {
    "articles_article": [("title", "A"), ("body", "B"), ("captions", "D")],
    "articles_claim": [("text", "A")],
    "articles_event": [("title", "A"), ("description", "B")],
    "articles_actor": [("name", "A"), ("description", "B")],
}


def _vector_sql(columns, limit):
    # left() and to_tsvector with an explicit configuration are immutable, as a generated column requires.
    def text(column):
        return f"left(coalesce({column}, ''), {limit})" if limit else f"coalesce({column}, '')"

    return " || ".join(
        f"setweight(to_tsvector('english'::regconfig, {text(column)}), '{weight}')" for column, weight in columns
    )


def _rebuild(schema_editor, limit):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in SEARCHED.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_gin")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({_vector_sql(columns, limit)}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {table}_search_gin ON {table} USING gin (search_vector)")


def bounded(apps, schema_editor):
    _rebuild(schema_editor, SEARCHED_CHARS)


def unbounded(apps, schema_editor):
    _rebuild(schema_editor, None)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_article_body_limits"),
    ]

    operations = [
        migrations.RunPython(bounded, unbounded, elidable=False),
    ]
