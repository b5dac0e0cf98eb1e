from django.db import migrations, models

# Related claims (ClaimQuerySet.related_to) draw their candidates from each source in
# index order, and stop after a few hundred rows: these indexes hold that order, so a
# popular actor's or tag's first rows are read without sorting all of them. The subject
# links and taggit's items have no model of ours to declare an index on.
SUBJECT_INDEX = "claim_subjects_actor_claim_idx"
TAGGED_INDEX = "taggeditem_tag_type_object_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0021_quote_uniqueness_by_digest"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["claimant", "slug"], name="claim_claimant_slug_idx"),
        ),
        migrations.RunSQL(
            f"CREATE INDEX {SUBJECT_INDEX} ON articles_claim_subjects (actor_id, claim_id)",
            f"DROP INDEX {SUBJECT_INDEX}",
        ),
        migrations.RunSQL(
            f"CREATE INDEX {TAGGED_INDEX} ON taggit_taggeditem (tag_id, content_type_id, object_id)",
            f"DROP INDEX {TAGGED_INDEX}",
        ),
    ]
