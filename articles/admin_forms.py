"""An admin form posted and refused answers 4xx, as the page it redraws says: nothing was saved.

Django's admin redraws a form that failed validation with its errors and
everything typed, but answers 200, the status of a page that worked: scripts,
tests and logs could not tell a refused save from a shown form. One middleware,
not one change per view, so every form the admin draws is covered: each model's
change and add form with its inlines, a revision's revert and recover forms,
the list's bulk-edit formset, a user's password forms, and the workbench's own
forms. It only changes the status of the response the view made, so the page,
its errors and the typing are the same. The views that already answer 4xx
(the cite form, "add article from text", merging tags, a revert refused as
stale) keep their status.

- A form or formset that failed validation: 400.
- A delete confirmed while something protected now refers to the object (the
  page lists it; nothing was deleted): 409, the object having changed since
  the confirmation was opened.

The sign-in page is left as Django answers it (200 with "Please enter the
correct username and password"): a wrong password is a failed sign-in, not a
malformed form, and a locked account already gets django-axes' 429.
"""

from django.contrib.admin.helpers import AdminForm, InlineAdminFormSet
from django.contrib.admin.views.main import ChangeList
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet

from articles.models import fixed_url


def _forms_in(value):
    """The forms and formsets a context value is or holds: the admin wraps them in its own helpers."""
    if isinstance(value, list | tuple):
        for item in value:
            yield from _forms_in(item)
    elif isinstance(value, AdminForm):
        yield value.form
    elif isinstance(value, InlineAdminFormSet):
        yield value.formset
    elif isinstance(value, ChangeList):
        if value.formset is not None:
            yield value.formset
    elif isinstance(value, BaseForm | BaseFormSet):
        yield value


def refused_form(context):
    """Whether the page's context holds a posted form or formset that failed validation."""
    # A bound form was validated by the view that drew it (the page shows its errors),
    # so is_valid() only reads the errors it found.
    return any(form.is_bound and not form.is_valid() for value in context.values() for form in _forms_in(value))


class RefusedFormStatusMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        if request.method != "POST" or response.status_code != 200 or not response.context_data:
            return response
        if not request.path.startswith(fixed_url("admin:index")) or request.path == fixed_url("admin:login"):
            return response
        if refused_form(response.context_data):
            response.status_code = 400
        elif request.POST.get("post") and response.context_data.get("protected"):
            response.status_code = 409
        return response
