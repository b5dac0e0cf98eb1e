"""Full-text search on PostgreSQL: a stored, weighted tsvector per searched table.

Each column is GENERATED ... STORED, so PostgreSQL keeps it up to date on every
insert and update, whoever writes (the ORM, loaddata, raw SQL), and a GIN index
makes `search_vector @@ websearch_to_tsquery(...)` fast. The columns are not
model fields: SQLite has no tsvector, and the models must migrate there too.
On any other database this migration does nothing. articles/search.py reads
the columns.
"""

from django.db import migrations

# table: [(column, weight), ...]; weight A ranks above B.
SEARCHED = {
    "articles_article": [("title", "A"), ("body", "B"), ("captions", "D")],
    "articles_claim": [("text", "A")],
    "articles_event": [("title", "A"), ("description", "B")],
    "articles_actor": [("name", "A"), ("description", "B")],
}


def _vector_sql(columns):
    # to_tsvector with an explicit configuration is immutable, as a generated column requires.
    return " || ".join(
        f"setweight(to_tsvector('english'::regconfig, coalesce({column}, '')), '{weight}')"
        for column, weight in columns
    )


def add_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in SEARCHED.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({_vector_sql(columns)}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {table}_search_gin ON {table} USING gin (search_vector)")


def remove_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_gin")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_editors_group"),
    ]

    operations = [
        migrations.RunPython(add_search_vectors, remove_search_vectors, elidable=False),
    ]
