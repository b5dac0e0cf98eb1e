"""The <head> lines that let machines read a page: JSON-LD, the share card and feed links.

base.html calls `{% linked_data %}` once. It reads what the view already put
in the context (articles.structured_data), so it adds no query.
"""

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe

from articles import cards, structured_data

register = template.Library()


def _feeds(name, context):
    """(title, path) of the Atom feeds a page links to: the lists it belongs to, or its own actor's or tag's."""
    claims = ("New and changed claims", reverse("linked:claims-feed"))
    articles = ("New articles", reverse("linked:articles-feed"))
    if name == "home":
        return [claims, articles]
    if name in ("claims", "contested", "grid", "claim"):
        return [claims]
    if name in ("articles", "article"):
        return [articles]
    if name == "actor" and context.get("actor") is not None:
        actor = context["actor"]
        return [(f"{actor.name}: claims, articles and events", reverse("linked:actor-feed", args=[actor.slug]))]
    if name == "tag" and context.get("tag") is not None:
        tag = context["tag"]
        return [(f"Tagged “{tag.name}”", reverse("linked:tag-feed", args=[tag.slug]))]
    return []


def _card(name, context):
    """(image path, alt text): a claim's own card, or the site's."""
    claim = context.get("claim")
    if name == "claim" and claim is not None:
        return reverse("linked:claim-card", args=[claim.slug]), cards.claim_card_alt(claim)
    return static("img/share-card.png"), cards.SITE_CARD_ALT


@register.inclusion_tag("includes/linked_data.html", takes_context=True)
def linked_data(context):
    request = context.get("request")
    if request is None:
        return {}
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match is not None and match.namespace == "articles" else None
    graph = structured_data.graph_for(request, context)
    image, alt = _card(name, context)
    return {
        "json_ld": mark_safe(structured_data.to_script_json(graph)) if graph else "",
        "card_url": request.build_absolute_uri(image),
        "card_alt": alt,
        "card_size": (cards.WIDTH, cards.HEIGHT),
        "feeds": [(title, request.build_absolute_uri(path)) for title, path in _feeds(name, context)],
    }
