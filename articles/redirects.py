"""Old slugs keep working: a renamed object's old address answers 301 to its current one, for good.

The rule lives here, once:

- `slug_renamed()` records an old slug. It runs from a pre_save/post_save
  signal pair on every model with a reader page of its own (claim, article,
  event, actor, tag), because renames come from several paths (the admin
  change form, load_kb, a history revert, the shell) and, as in
  articles.services, only model signals see all of them. It runs in the
  writer's transaction, so the record commits or rolls back with the rename.
- A redirect points at the object's id, not at the next slug: renaming
  a → b → c sends both a and b straight to c (chains collapse).
- A slug in use wins over a redirect: an object that takes an old slug (a new
  one, or the renamed one taking its old name back) drops the record.
- Deleting the object drops its records: its old addresses answer 404 like
  its current one.
- `following_renames()` wraps a view about one object (a detail page, through
  `with_slug_redirects()`; a feed or a share card, through articles.linked_urls):
  only when the view answers 404 does it look for an old slug (one query), so
  pages that exist cost nothing more.
"""

from functools import wraps

from django.db.models.signals import post_delete, post_save, pre_save
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from taggit.models import Tag

from articles.models import Actor, Article, Claim, Event, SlugRedirect

KIND_OF = {Claim: "claim", Article: "article", Event: "event", Actor: "actor", Tag: "tag"}
MODEL_OF = {kind: model for model, kind in KIND_OF.items()}
KIND_OF_LABEL = {model._meta.label: kind for model, kind in KIND_OF.items()}  # "articles.Claim" -> "claim"


def slug_renamed(*, kind, object_id, old_slug, new_slug):
    """Record that the object `kind`/`object_id` was renamed from `old_slug` to `new_slug`."""
    if old_slug == new_slug:
        return
    SlugRedirect.objects.filter(kind=kind, old_slug=new_slug).delete()
    SlugRedirect.objects.update_or_create(kind=kind, old_slug=old_slug, defaults={"object_id": object_id})


def current_slug(kind, old_slug):
    """The slug the `kind` object once at `old_slug` has now, or None (never renamed, or gone)."""
    object_id = SlugRedirect.objects.filter(kind=kind, old_slug=old_slug).values_list("object_id", flat=True).first()
    if object_id is None:
        return None
    return MODEL_OF[kind]._default_manager.filter(pk=object_id).values_list("slug", flat=True).first()


def current_url(kind, old_slug):
    """The page the object once at `old_slug` has now, or None."""
    slug = current_slug(kind, old_slug)
    return None if slug is None else reverse(f"articles:{kind}", args=[slug])


def with_slug_redirects(view, page, slug_model, *, json=False):
    """`view` (the reader page `page` about one `slug_model` object, taking `slug`), answering an old slug
    with a 301 to the current address."""
    return following_renames(view, KIND_OF_LABEL[slug_model], f"articles:{page}{'-json' if json else ''}")


def following_renames(view, kind, url_name):
    """`view` (about the `kind` object named by `slug`), answering an old slug with a 301 to `url_name`
    at the current one; a view that has the slug answers as it is."""

    @wraps(view)
    def serve(request, *args, slug, **kwargs):
        try:
            response = view(request, *args, slug=slug, **kwargs)
        except Http404:
            response = None
        if response is not None and response.status_code != 404:
            return response
        current = current_slug(kind, slug)
        if current is None:
            if response is None:
                raise Http404
            return response
        target = reverse(url_name, args=[current])
        query = request.META.get("QUERY_STRING")
        redirect = HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
        patch_cache_control(redirect, public=True, max_age=3600)
        return redirect

    return serve


# --- Signal receivers ------------------------------------------------------------


def _remember_slug(sender, instance, raw=False, **kwargs):
    instance._slug_before = None
    if instance.pk is not None and not raw:
        instance._slug_before = sender._default_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()


def _record_rename(sender, instance, created, raw=False, **kwargs):
    kind = KIND_OF[sender]
    before = getattr(instance, "_slug_before", None)
    if before and before != instance.slug:
        slug_renamed(kind=kind, object_id=instance.pk, old_slug=before, new_slug=instance.slug)
    elif created or raw:
        # A new object taking a slug someone else had: it wins.
        SlugRedirect.objects.filter(kind=kind, old_slug=instance.slug).delete()


def _forget_object(sender, instance, **kwargs):
    SlugRedirect.objects.filter(kind=KIND_OF[sender], object_id=instance.pk).delete()


def connect_signals():
    for model, kind in KIND_OF.items():
        pre_save.connect(_remember_slug, sender=model, dispatch_uid=f"kb-redirects-before-{kind}")
        post_save.connect(_record_rename, sender=model, dispatch_uid=f"kb-redirects-after-{kind}")
        post_delete.connect(_forget_object, sender=model, dispatch_uid=f"kb-redirects-delete-{kind}")
