"""Tag slugs, and the content that can carry tags.

Every tag gets an ASCII slug, whatever its name: tag pages live at
/tags/<slug:slug>/, and Django's slug converter accepts only ASCII letters,
digits, hyphens and underscores. A Unicode slug such as "조선" cannot be put
into a URL, so one such tag among the home page's top tags used to turn every
page that links to it into a 500.

Names are transliterated (anyascii: "조선" → "joseon", "Triều Tiên" →
"trieu-tien", "🎉" → "tada"); a name with nothing to transliterate gets a
fallback made from a hash of the name, so it is unique and stays the same on
every database the name is loaded into. A slug another tag already has gets a
number ("trieu-tien-2").

This is the one place the rule lives: a pre_save signal applies it to every
tag, whichever path creates it (the admin, `tags.set()` in load_kb, taggit's
own get_or_create), and migration 0004 applies it to the tags that already
existed.
"""

import hashlib
import re
import unicodedata

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from taggit.forms import TagField

from articles.bidi import bidi_control_problem, without_bidi_controls

# taggit's Tag.slug is a SlugField(max_length=100).
SLUG_MAX_LENGTH = 100
# taggit's Tag.name is a CharField(max_length=100), which its form field does
# not check: a longer name reached the database and failed there (a 500).
NAME_MAX_LENGTH = 100
# Each new tag costs a few queries to save (its slug is checked too): 2,000
# names typed into one form took 25 s to save, near gunicorn's timeout, and
# every page that shows an object lists all its tags.
MAX_TAGS_PER_OBJECT = 50
# Exactly what Django's <slug:…> path converter accepts.
URL_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")

# Tags may be put on these models, and only these (app label, model name).
TAGGABLE_MODELS = (("articles", "article"), ("articles", "event"), ("articles", "claim"))
# The home page's tag cloud is recounted at least this often, even with no edit.
MOST_USED_SECONDS = 3600


def base_slug(name):
    """The slug a tag name reads as, before any number that makes it unique."""
    slug = slugify(anyascii(name))[:SLUG_MAX_LENGTH].strip("-_")
    if slug:
        return slug
    digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"tag-{digest}"


def unique_slug(name, taken):
    """base_slug(name), numbered if `taken` (a container of slugs) already holds it."""
    base = base_slug(name)
    slug = base
    number = 2
    while slug in taken:
        suffix = f"-{number}"
        slug = base[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-_") + suffix
        number += 1
    return slug


def is_url_slug(slug):
    return bool(slug) and len(slug) <= SLUG_MAX_LENGTH and URL_SLUG.match(slug) is not None


def give_tag_an_ascii_slug(sender, instance, **kwargs):
    """pre_save of taggit's Tag: keep a usable, unused slug; otherwise make one from the name.

    An editor may type a slug in the admin; it is kept if it is ASCII and no
    other tag has it. taggit's own slug for a new tag is Unicode, and is replaced.
    """
    others = sender._default_manager.using(kwargs.get("using")).exclude(pk=instance.pk)
    if is_url_slug(instance.slug) and not others.filter(slug=instance.slug).exists():
        return
    base = base_slug(instance.name)
    taken = set(others.filter(slug__startswith=base[:50]).values_list("slug", flat=True))
    instance.slug = unique_slug(instance.name, taken)


def most_used(limit):
    """The `limit` most used tags, each with `uses`, most used first (ties by name).

    Counted once per content version (caching.per_version): counting means
    reading every tag link, 195,000 of them at 100,000 claims.
    """
    from django.db.models import Count
    from taggit.models import Tag

    from articles.caching import per_version

    def count():
        return list(Tag.objects.annotate(uses=Count("taggit_taggeditem_items")).order_by("-uses", "name")[:limit])

    return per_version(f"most-used-tags:{limit}", count, MOST_USED_SECONDS)


def connect_signals():
    from django.db.models.signals import pre_save
    from taggit.models import Tag

    pre_save.connect(give_tag_an_ascii_slug, sender=Tag, dispatch_uid="kb-tag-ascii-slug")


def normalized_tag_name(name):
    """A tag's name as stored: Unicode-composed (NFC), so one name is one tag however its accents were typed."""
    return unicodedata.normalize("NFC", name)


class BoundedTagField(TagField):
    """taggit's comma-separated tags field, refusing what the database or the pages cannot take."""

    def clean(self, value):
        # Composed (NFC), as every tag is stored: "Triều Tiên" typed with combining accents
        # was a second tag beside the first, the same name to the eye.
        names = list(dict.fromkeys(normalized_tag_name(name) for name in super().clean(value)))
        for name in names:
            problem = bidi_control_problem(name)
            if problem:
                raise ValidationError(f"The tag “{without_bidi_controls(name)}” {problem}", code="bidi_control")
            if len(name) > NAME_MAX_LENGTH:
                shown = name if len(name) <= 40 else f"{name[:40]}…"
                raise ValidationError(
                    f"A tag may have at most {NAME_MAX_LENGTH} characters; “{shown}” has {len(name):,}. "
                    "Separate tags with commas."
                )
        if len(names) > MAX_TAGS_PER_OBJECT:
            raise ValidationError(
                f"This has {len(names):,} tags; the limit is {MAX_TAGS_PER_OBJECT}. "
                "Keep the ones a reader would follow."
            )
        return names
