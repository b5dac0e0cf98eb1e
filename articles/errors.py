"""The server error handler: a database that cannot be reached is a 503, not a 500.

Django calls handler500 inside the `except` block of the failed request, so
the exception is at hand. Connection failures, timeouts (statement_timeout,
connect_timeout) and a locked SQLite file are all OperationalError: the site
is unavailable for a while, not broken, and says so with Retry-After. Like
500.html, 503.html needs no database, no request context and no URL reversing.
"""

import sys

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.template import loader
from django.template.response import TemplateResponse
from django.views import defaults


def database_unavailable():
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable()
    return defaults.server_error(request, template_name)


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    if isinstance(exception, DisallowedHost):
        # The site's 400 page builds absolute links (canonical, og:url, JSON-LD) from the
        # Host header, which is what was refused: rendering it raised again, a 500.
        return HttpResponseBadRequest(loader.get_template("400_host.html").render())
    if isinstance(exception, TooManyFieldsSent | RequestDataTooBig):
        # A form too large to read (DATA_UPLOAD_MAX_NUMBER_FIELDS, DATA_UPLOAD_MAX_MEMORY_SIZE):
        # not a bad address, and what was typed is still in the browser.
        return HttpResponseBadRequest(loader.get_template("400_form.html").render(request=request))
    return defaults.bad_request(request, exception, template_name)


def csrf_failure(request, reason=""):
    """A form the CSRF check refused: an editor's admin form shows what was typed (403), anything else Django's page.

    A form opened before its editor signed in again (in another tab, after
    being signed out) carries a token from the old session: the refusal was
    Django's bare 403 page, and everything typed was gone. Only for a signed-in
    editor: a forged cross-site post carries no session cookie (SameSite=Lax).
    """
    from django.contrib import admin
    from django.urls import reverse
    from django.views.csrf import csrf_failure as django_csrf_failure

    from articles.history_admin import typed_rows

    if request.method != "POST" or not request.path.startswith(reverse("admin:index")):
        return django_csrf_failure(request, reason)
    if not admin.site.has_permission(request) or request.path == reverse("admin:login"):
        return django_csrf_failure(request, reason)
    context = {
        **admin.site.each_context(request),
        "title": "This form was opened before you last signed in, so nothing was saved",
        "rows": typed_rows(request.POST),
    }
    return TemplateResponse(request, "admin/articles/stale_form.html", context, status=403)
