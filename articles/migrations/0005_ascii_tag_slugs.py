"""Give every existing tag an ASCII slug, and drop tags put on anything but content.

Tags made before articles.tagging existed kept taggit's Unicode slugs ("조선",
"triều-tiên"), which no tag URL can carry. Each such tag gets the slug the
rule in articles.tagging gives it; tags whose slug is already ASCII keep it,
so existing tag URLs do not move.

taggit's admin let editors tag any model (users, log entries). Such taggings
are not shown anywhere but were counted as uses on the tags page; they are
removed. Tags on articles, events and claims are untouched.
"""

from django.db import migrations

from articles.tagging import TAGGABLE_MODELS, is_url_slug, unique_slug


def ascii_slugs(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    db = schema_editor.connection.alias
    tags = list(Tag.objects.using(db).order_by("pk"))
    taken = {tag.slug for tag in tags if is_url_slug(tag.slug)}
    for tag in tags:
        if is_url_slug(tag.slug):
            continue
        tag.slug = unique_slug(tag.name, taken)
        taken.add(tag.slug)
        tag.save(update_fields=["slug"])


def drop_taggings_of_other_models(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    db = schema_editor.connection.alias
    content = [
        ContentType.objects.db_manager(db).get_or_create(app_label=app_label, model=model)[0].pk
        for app_label, model in TAGGABLE_MODELS
    ]
    TaggedItem.objects.using(db).exclude(content_type__in=content).delete()


def forwards(apps, schema_editor):
    ascii_slugs(apps, schema_editor)
    drop_taggings_of_other_models(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_voices_statuses_editor_notes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    # Backwards leaves the ASCII slugs: they work on either side.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
