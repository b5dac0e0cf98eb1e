# Every name and alias an actor answers to, folded, stored once (ActorNameKey): the
# database refuses a second actor named "To Lam" beside "Tô Lâm", which the check in
# Actor.clean, a read before the write, let through when two editors saved at once.

import re

import django.db.models.deletion
import django.db.models.functions.text
from anyascii import anyascii
from django.db import migrations, models

# articles.names.fold as it was when the keys were first stored (a migration keeps its own copy).
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _word_key(word):
    if word[-2:] in ("'s", "’s"):
        word = word[:-2]
    return anyascii(word).lower().replace("'", "")


def fold(name):
    return " ".join(_word_key(word) for word in WORD.findall(anyascii(name)) if _word_key(word))


def store_keys(apps, schema_editor):
    Actor = apps.get_model("articles", "Actor")
    ActorAlias = apps.get_model("articles", "ActorAlias")
    ActorNameKey = apps.get_model("articles", "ActorNameKey")
    names = [*Actor.objects.order_by("pk").values_list("pk", "name")]
    names += ActorAlias.objects.order_by("actor_id", "pk").values_list("actor_id", "name")
    holders, clashes = {}, []
    for actor_id, name in sorted(names, key=lambda pair: pair[0]):
        key = fold(name)
        if not key:
            continue
        holder = holders.setdefault(key, actor_id)
        if holder != actor_id:
            clashes.append(f"“{name}” (actor {actor_id}) folds as actor {holder}'s “{key}”")
    ActorNameKey.objects.bulk_create(
        (ActorNameKey(actor_id=actor_id, key=key) for key, actor_id in holders.items()), batch_size=1000
    )
    if clashes:
        # Saved before the check existed: the first actor keeps the key, and check_kb lists
        # the rest until an editor merges them (the later actor cannot be saved meanwhile).
        print(f"\n  {len(clashes)} name(s) shared by two actors; check_kb lists them: " + "; ".join(clashes[:20]))


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0022_related_claim_candidates_in_index_order'),
    ]

    operations = [
        migrations.CreateModel(
            name='ActorNameKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.TextField()),
                ('actor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='name_keys', to='articles.actor')),
            ],
            options={
                'constraints': [models.UniqueConstraint(django.db.models.functions.text.MD5('key'), name='actor_name_key_unique')],
            },
        ),
        migrations.RunPython(store_keys, migrations.RunPython.noop),
    ]
