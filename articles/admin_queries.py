"""What Django's admin takes from a request without checking, checked: a 400 or a form error, not a 500.

- A NUL character in an admin page's query string is refused with the site's
  400 page naming the parameter. PostgreSQL cannot store or compare text
  containing NUL, and psycopg refuses such a parameter: a list filter
  (`?status__exact=%00`) or the claim autocomplete (`?term=%00`) was a 500.
  No value an editor can choose contains NUL; a form posted with one gets the
  form's own message ("Null characters are not allowed."), with what was typed
  kept, so only the query string is checked. The public pages validate each
  parameter themselves.
- A list's action posted with a ticked row that is not an id
  (`_selected_action=abc`) raised ValueError in Django's filter: a 500. Every
  model in this admin has numeric ids, so anything else is refused, as above.
- An autocomplete field (a claim, an article, an actor…) posted with a value
  that is not an id ("abc", "1.5") redrew the form with Django's select2 widget,
  which looked the value up as an id and raised ValueError: a 500 instead of
  "Select a valid choice.". A browser posts only ids; a script or a hand-edited
  form need not.
"""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError

from articles.listing import bad_request
from articles.models import fixed_url


class AdminQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(fixed_url("admin:index")):
            problems = [
                f"“{name}” contains a NUL character, which no value may."
                for name, values in request.GET.lists()
                if "\x00" in name + "".join(values)
            ]
            if request.method == "POST" and ACTION_CHECKBOX_NAME in request.POST:
                ticked = request.POST.getlist(ACTION_CHECKBOX_NAME)
                if not all(value.isascii() and value.isdigit() for value in ticked):
                    problems.append("The rows ticked for the action are named by their ids, which are numbers.")
            if problems:
                # Rendered here: only a view's TemplateResponse is rendered by Django's handler.
                return bad_request(request, problems, retry_url=request.path).render()
        return self.get_response(request)


class _ChosenIdsOnly:
    """Mixed into Django's autocomplete widgets: only values that can be ids are looked up to be drawn."""

    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        target = opts.get_field(getattr(self.field.remote_field, "field_name", None) or opts.pk.name)

        def is_id(item):
            try:
                target.get_prep_value(target.to_python(item))
            except (ValidationError, ValueError, TypeError):
                return False
            return True

        return super().optgroups(name, [item for item in value if is_id(item)], attr)


class CheckedAutocompleteSelect(_ChosenIdsOnly, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(_ChosenIdsOnly, AutocompleteSelectMultiple):
    pass


class CheckedAutocompletes:
    """Admin (and inline) mixin: autocomplete_fields drawn with the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)
