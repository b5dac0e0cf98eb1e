"""Placeholder views: the reader pages are being built (issue 4)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from articles.models import Actor, Article, Claim, Event


def home(request):
    return HttpResponse(
        f"<!doctype html><html lang=en><title>Knowledge base</title><h1>To Lam in Pyongyang</h1>"
        f"<p>{Article.objects.count()} articles, {Claim.objects.count()} claims.</p>"
    )


def _placeholder(model):
    def view(request, slug):
        obj = get_object_or_404(model, slug=slug)
        return HttpResponse(f"<!doctype html><html lang=en><title>{obj}</title><h1>{obj}</h1>")

    return view


def _listing(request, *args, **kwargs):
    return HttpResponse("<!doctype html><html lang=en><title>Coming soon</title><p>Coming soon")


timeline = claim_list = contested = agreement_grid = article_list = actor_list = search = _listing
event_detail = _placeholder(Event)
claim_detail = _placeholder(Claim)
article_detail = _placeholder(Article)
actor_detail = _placeholder(Actor)


def tag_detail(request, slug):
    return _listing(request)
