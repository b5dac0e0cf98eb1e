"""Per-client rate limiting of the read API, on the shared cache.

Only machine reads are counted: the JSON twins of the reader pages (a `.json`
address, or `Accept: application/json`), the annotations and the OpenAPI
description. Readers of the HTML pages and editors in the admin never are.

A client is its address (REMOTE_ADDR; behind a proxy, the proxy must set it to
the client's, as gunicorn does with --forwarded-allow-ips). Each gets
API_RATE_LIMIT requests per API_RATE_WINDOW seconds, counted in a fixed
window in the default cache (Redis in production, so every server shares the
count); past it, 429 with Retry-After until the window ends. A cache that
fails lets requests through: the limit protects the site, it must not take
it down.

A fixed window is enough here: it bounds any one client's share of the
servers to about twice the limit in the worst second, and costs one cache
round trip (`add` then `incr`, both atomic on Redis).
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from articles.api import error_response, representation

logger = logging.getLogger("kb.ratelimit")

API_PREFIXES = ("/annotations/", "/api/")


def is_api_request(request):
    path = request.path
    if path.startswith(API_PREFIXES) or path.endswith(".json"):
        return True
    return not path.startswith("/admin/") and representation(request) == "json"


def over_limit(client, now=None):
    """Seconds until `client` may ask again, or 0 when this request is within the limit (and is counted)."""
    window = settings.API_RATE_WINDOW
    now = time.time() if now is None else now
    start = int(now // window * window)
    key = f"kb:rate:{client}:{start}"
    try:
        cache.add(key, 0, timeout=window + 1)
        count = cache.incr(key)
    except Exception as error:  # noqa: BLE001  (any cache failure: let the request through)
        # One line, no traceback: the cache backend reports the outage itself (once every few
        # seconds), and a traceback per API request would bury it.
        logger.warning("Rate limit not checked: the cache failed (%s).", type(error).__name__)
        return 0
    if count is None or count <= settings.API_RATE_LIMIT:
        return 0
    return max(1, int(start + window - now + 0.999))


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.API_RATE_LIMIT and is_api_request(request):
            wait = over_limit(request.META.get("REMOTE_ADDR", ""))
            if wait:
                response = error_response(
                    429,
                    "Too many requests",
                    [
                        f"This address sent more than {settings.API_RATE_LIMIT} API requests in "
                        f"{settings.API_RATE_WINDOW} seconds; try again in {wait} seconds."
                    ],
                )
                response["Retry-After"] = str(wait)
                response["Cache-Control"] = "no-store"
                return response
        return self.get_response(request)
