"""A NUL character in the query string of an admin page is refused with the site's 400 page.

PostgreSQL cannot store or compare text containing NUL, and psycopg refuses
such a parameter with DataError: a list filter (`?status__exact=%00`) or the
claim autocomplete (`?term=%00`) was a 500. The admin's views are Django's, so
the rule lives here, once, rather than in each of them. No value an editor can
choose contains NUL; a form posted with one gets the form's own message ("Null
characters are not allowed."), with what was typed kept, so only the query
string is checked. The public pages validate each parameter themselves.
"""

from django.urls import reverse

from articles.listing import bad_request


class AdminQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.GET and request.path.startswith(reverse("admin:index")):
            names = [name for name, values in request.GET.lists() if "\x00" in name + "".join(values)]
            if names:
                problems = [f"“{name}” contains a NUL character, which no value may." for name in names]
                # Rendered here: only a view's TemplateResponse is rendered by Django's handler.
                return bad_request(request, problems, retry_url=request.path).render()
        return self.get_response(request)
