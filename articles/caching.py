"""Whole-page caching for readers, invalidated by any change to the content.

Reader pages are the same for every anonymous reader and change only when an
editor changes content, so each is rendered once per version of the content.
Every save or delete of a content model (and every change to its many-to-many
links or tags) bumps a version number kept in the cache; the version is part
of every page's key, so an edit retires all cached pages at once, in every
server process that shares the cache (see CACHES in settings).

Signed-in users (editors) always get a fresh render, and only 200 responses
are kept, so error pages and bad filters are never served from the cache.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse

VERSION_KEY = "kb:content-version"


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        # add() leaves a version another process set meanwhile alone.
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_content_version(**kwargs):
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(VERSION_KEY, 2, timeout=None)


def connect_signals():
    from taggit.models import Tag, TaggedItem

    from articles.models import Actor, ActorAlias, Article, Citation, Claim, ClaimConflict, Event, Participation

    for model in (Actor, ActorAlias, Article, Citation, Claim, ClaimConflict, Event, Participation, Tag, TaggedItem):
        post_save.connect(bump_content_version, sender=model, dispatch_uid=f"kb-cache-save-{model.__name__}")
        post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"kb-cache-delete-{model.__name__}")
    for through in (Article.authors.through, Claim.subjects.through, Claim.conflicts_with.through):
        m2m_changed.connect(bump_content_version, sender=through, dispatch_uid=f"kb-cache-m2m-{through.__name__}")


def _page_key(request):
    where = f"{request.get_host()}{request.get_full_path()}"
    return f"kb:page:{content_version()}:{hashlib.sha256(where.encode()).hexdigest()}"


def reader_page(view):
    """Serve `view` from the page cache for anonymous GET and HEAD requests."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = _page_key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if response.status_code == 200 and not response.cookies:
            cache.set(key, (response.content, response["Content-Type"]), seconds)
        return response

    return cached_view
