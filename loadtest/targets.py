"""Write what the load test requests, from the registry of reader pages (articles/pages.py).

Reads the scratch database run.sh just loaded: for each page its URL (with a
{slug} placeholder for pages about one object, and the slugs to pick from),
its load weight, and its filtered samples; plus the stylesheet's URL.
"""

import json
import sys
from urllib.parse import urlencode

import django

django.setup()

from django.templatetags.static import static  # noqa: E402
from django.urls import reverse  # noqa: E402

from articles.pages import READER_PAGES  # noqa: E402

pages = []
for page in READER_PAGES:
    if page.is_detail:
        url = reverse(f"articles:{page.name}", args=["SLUG"]).replace("SLUG", "{slug}")
        pages.append(
            {
                "name": url.replace("{slug}", "[slug]"),
                "url": url,
                "weight": page.load_weight,
                "slugs": list(page.slugs()),
            }
        )
    else:
        url = reverse(f"articles:{page.name}")
        pages.append({"name": url, "url": url, "weight": page.load_weight})
    for label, params in page.samples.items():
        pages.append({"name": f"{url} {label}", "url": f"{url}?{urlencode(params)}", "weight": 1})

json.dump({"pages": pages, "stylesheet": static("css/site.css")}, sys.stdout, indent=1)
print(" ".join(f"{p['name']}={len(p.get('slugs', [1]))}" for p in pages), file=sys.stderr)
