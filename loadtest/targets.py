"""Write the slugs the load test picks from, read from the scratch database run.sh just loaded."""

import json
import sys

import django

django.setup()

from django.templatetags.static import static  # noqa: E402
from taggit.models import Tag  # noqa: E402

from articles.models import Actor, Article, Claim, Event, Participation  # noqa: E402

targets = {
    "events": list(Event.objects.values_list("slug", flat=True)),
    "claims": list(Claim.objects.values_list("slug", flat=True)),
    "articles": list(Article.objects.values_list("slug", flat=True)),
    "actors": list(Actor.objects.values_list("slug", flat=True)),
    "timeline_actors": sorted(set(Participation.objects.values_list("actor__slug", flat=True))),
    "tags": list(Tag.objects.values_list("slug", flat=True)),
    "stylesheet": static("css/site.css"),
}
json.dump(targets, sys.stdout, indent=1)
print(" ".join(f"{kind}={len(v)}" for kind, v in targets.items() if isinstance(v, list)), file=sys.stderr)
