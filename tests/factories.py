"""Small factories: each makes a valid object with sensible defaults.

Pass only what a test cares about; everything else gets a unique default.
"""

import datetime
import itertools

from articles.dates import DatePrecision
from articles.models import Actor, ActorAlias, Article, Citation, Claim, Event, Participation, Stance

_sequence = itertools.count(1)


def _next():
    return next(_sequence)


def make_actor(name=None, *, kind=Actor.Kind.PERSON, aliases=(), slug=None, **fields):
    n = _next()
    name = name or f"Actor {n}"
    actor = Actor.objects.create(slug=slug or f"actor-{n}", name=name, kind=kind, **fields)
    for alias in aliases:
        ActorAlias.objects.create(actor=actor, name=alias)
    return actor


def make_article(
    body="A plain sentence about nothing in particular.", *, title=None, slug=None, authors=(), tags=(), **fields
):
    n = _next()
    fields.setdefault("kind", Article.Kind.NEWS)
    fields.setdefault("published", datetime.date(2025, 10, 9))
    article = Article.objects.create(slug=slug or f"article-{n}", title=title or f"Article {n}", body=body, **fields)
    article.authors.set(authors)
    if tags:
        article.tags.add(*tags)
    return article


def make_event(title=None, *, start=datetime.date(2025, 10, 9), participants=(), slug=None, tags=(), **fields):
    n = _next()
    fields.setdefault("date_precision", DatePrecision.DAY)
    event = Event.objects.create(slug=slug or f"event-{n}", title=title or f"Event {n}", start=start, **fields)
    for actor, role in participants:
        Participation.objects.create(event=event, actor=actor, role=role)
    if tags:
        event.tags.add(*tags)
    return event


def make_claim(text=None, *, slug=None, subjects=(), tags=(), citations=(), **fields):
    """citations: (article, quote) or (article, quote, stance) tuples."""
    n = _next()
    claim = Claim.objects.create(slug=slug or f"claim-{n}", text=text or f"Claim number {n}.", **fields)
    claim.subjects.set(subjects)
    if tags:
        claim.tags.add(*tags)
    for article, quote, *stance in citations:
        cite(claim, article, quote, stance[0] if stance else Stance.SUPPORTS)
    return claim


def cite(claim, article, quote, stance=Stance.SUPPORTS):
    citation = Citation(claim=claim, article=article, quote=quote, stance=stance)
    citation.full_clean()
    citation.save()
    return citation


# --- People ----------------------------------------------------------------------
# The personas every permission test talks about, after healthchecks' alice/bob/charlie:
# alice runs the site (superuser), bob edits content (staff, in "Editors"),
# charlie is a signed-in reader (active, not staff) who must get no admin at all.
PASSWORD = "correct horse battery staple"


def make_user(username, *, staff=False, superuser=False, groups=(), **fields):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password=PASSWORD,
        is_staff=staff or superuser,
        is_superuser=superuser,
        **fields,
    )
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def make_admin(username="alice"):
    return make_user(username, superuser=True)


def make_editor(username="bob"):
    # The "Editors" group comes from migration 0002, so it exists in every test database.
    return make_user(username, staff=True, groups=["Editors"])


def make_reader(username="charlie"):
    return make_user(username)
