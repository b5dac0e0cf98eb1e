"""Actors and events get `created` and `updated`, as articles, claims and citations have.

Feeds and the sitemap's lastmod read them. Rows that exist already get the
time of this migration for both: their real history is not recorded anywhere,
and a time later than the truth only makes a crawler look once more.

Claims get an index on `updated`: the feed of new and changed claims reads the latest few.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_citation_quote_context"),
    ]

    operations = [
        migrations.AddField(
            model_name=model,
            name=name,
            field=field(),
            preserve_default=False,
        )
        for model in ("actor", "event")
        for name, field in (
            ("created", lambda: models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now)),
            ("updated", lambda: models.DateTimeField(auto_now=True, default=django.utils.timezone.now)),
        )
    ] + [
        migrations.AddIndex(model_name="claim", index=models.Index(fields=["updated"], name="claim_updated_idx")),
    ]
