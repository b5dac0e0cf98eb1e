"""The admin's history: revisions of whole objects, change notes, recovery, edit conflicts.

VersionedAdmin is django-reversion's VersionAdmin (its URLs: History, a
revision's revert form, "Recover deleted …" and a deleted object's recover
form) with four changes:

- every change form has a "Change note" field, stored as the revision's comment
  (Django's own "Changed title." when left empty), and an edit token that
  refuses stale saves (articles.conflicts);
- a revision records the whole object (articles.versioning.PARTS), and a
  citation's changes are recorded in its claim's history too;
- reverting and recovering restore one object with its parts, not everything
  saved in the same request (versioning.revert_whole);
- an object that has no revision yet gets one before its first admin edit or
  its deletion, so what it was can always be put back.
"""

import copy

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, connections, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlencode
from reversion.admin import VersionAdmin, _RollBackRevisionView
from reversion.errors import RevertError
from reversion.models import Version
from reversion.revisions import is_active, set_comment
from reversion.utils import mute_signals

from articles import conflicts, versioning
from articles.admin_queries import CheckedAutocompletes
from articles.bidi import validate_no_bidi_controls

versioning.register_models()

BASELINE = "As it was before its first edit in the admin."


def change_note_field():
    return forms.CharField(
        label="Change note",
        required=False,
        max_length=300,
        help_text=(
            "Optional: what you changed and why, in a line. It is kept in the history;"
            " a claim's is public, on its history page."
        ),
        widget=forms.TextInput(attrs={"size": 80}),
        validators=[validate_no_bidi_controls],
    )


def edit_token_field():
    return forms.CharField(required=False, widget=forms.HiddenInput)


def _when(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


class VersionedForm:
    """Mixed into each admin change form: the conflict check runs with the form's own validation."""

    model_admin = None
    request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is not None and self.model_admin is not None:
            base = getattr(self.request, "kb_edit_base", None)
            if base is None:
                base = conflicts.encode(
                    conflicts.snapshot(self.model_admin, self.request, self.instance, self.base_fields)
                )
            self.initial[conflicts.TOKEN_FIELD] = base
            if conflicts.NOTE_FIELD in self.base_fields:
                # A revert refused as stale shows its form again with the note the editor typed.
                self.initial[conflicts.NOTE_FIELD] = getattr(self.request, "kb_change_note", "")

    @property
    def changed_data(self):
        # The note and the token are about the save, not the object: they never
        # make a form "changed", nor show in Django's "Changed …" message.
        return [name for name in super().changed_data if name not in conflicts.OWN_FIELDS]

    def clean(self):
        cleaned = super().clean()
        if self.model_admin is not None:
            conflicts.check(self, self.model_admin, self.request)
        return cleaned


class EditConflictsAdmin:
    """Admin mixin for two editors at once: a change form carries an edit token and
    refuses a save based on a stale version (articles.conflicts), and two saves
    of one new slug or name at once give the second a message, not a 500.

    VersionedAdmin adds the change note; the tag admin, whose tags have no
    revisions, uses this alone.
    """

    def own_form_fields(self):
        return {conflicts.TOKEN_FIELD: edit_token_field()}

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.pop("form", self.form)
        attrs = {**self.own_form_fields(), "model_admin": self, "request": request}
        form = type(base.__name__, (VersionedForm, base), attrs)
        return super().get_form(request, obj, change, form=form, **kwargs)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if "data" in kwargs:
            # Django hands each inline formset a copy of the posted data; the
            # conflict check writes values saved meanwhile into all of them.
            request.kb_formset_data = [*getattr(request, "kb_formset_data", []), kwargs["data"]]
            # Rows added or reordered meanwhile would otherwise lend the form's rows their headings.
            kwargs["queryset"] = conflicts.in_posted_order(kwargs["queryset"], kwargs["data"], prefix)
        return kwargs

    # --- Two saves at once ------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None and self.get_object(request, unquote(object_id)) is None:
            # Deleted after the form was opened: Django's view would redirect to
            # the admin's index and drop everything the editor typed.
            return self.deleted_meanwhile_view(request)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            if request.method != "POST":
                raise
            # Another editor's save took the same slug (or name, alias, or citation)
            # after this form checked it was free and before it was stored: the
            # admin's transaction was rolled back, so the form is checked again, and
            # its own validation now names the clash, with everything typed kept.
            try:
                response = super().changeform_view(request, object_id, form_url, extra_context)
            except IntegrityError as error:
                # A clash no form validation sees (none is known): the database's word, and the typing kept.
                return self.not_saved_view(
                    request,
                    title="Not saved",
                    reason=f"The database refused this save, so nothing was saved: {error}".strip(),
                )
            if response.status_code == 200:
                # The form again, refused: a conflict with the save that came first.
                response.status_code = 409
            return response

    def deleted_meanwhile_view(self, request, form_fields=None):
        """A form posted for an object deleted since it was opened: what was typed, to copy (409)."""
        name = self.model._meta.verbose_name
        return self.not_saved_view(
            request,
            title=f"This {name} was deleted after you opened the form",
            reason=f"Someone deleted this {name} after you opened the form, so nothing was saved.",
            form_fields=form_fields,
            offer_recovery=True,
        )

    def not_saved_view(self, request, *, title, reason, form_fields=None, offer_recovery=False):
        """A page saying why a posted form was not saved, with every value it held to copy (409).

        `form_fields` label the posted values (by default the change form's); hidden ones are left out.
        """
        form_fields = form_fields if form_fields is not None else self.get_form(request, None).base_fields
        rows = typed_rows(request.POST, form_fields)
        opts = self.model._meta
        info = opts.app_label, opts.model_name
        recover = f"admin:{info[0]}_{info[1]}_recoverlist"
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": title,
            "reason": reason,
            "rows": rows,
            "recover_url": reverse(recover) if offer_recovery and isinstance(self, VersionAdmin) else None,
            "changelist_url": reverse(f"admin:{info[0]}_{info[1]}_changelist"),
        }
        return TemplateResponse(request, "admin/articles/not_saved.html", context, status=409)


def typed_rows(post, form_fields=None):
    """(label, value) for each field of a posted form an editor typed into; hidden and bookkeeping fields left out."""
    form_fields = form_fields or {}
    rows = []
    for name, values in post.lists():
        value = "\n".join(values)
        if name in ("csrfmiddlewaretoken", conflicts.TOKEN_FIELD) or name.startswith("_") or not value.strip():
            continue
        if name in form_fields and form_fields[name].widget.is_hidden:
            continue
        if name.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")):
            continue
        prefix, _, rest = name.partition("-")
        if rest:
            index, _, field = rest.partition("-")
            if not index.isdigit() or field in ("id", "DELETE", "") or "-" in field:
                continue
            label = f"{prefix.replace('_', ' ')}, row {int(index) + 1}: {field.replace('_', ' ')}"
        else:
            field = form_fields.get(name)
            label = str(field.label) if field is not None and field.label else name.replace("_", " ")
        rows.append((label, value))
    return rows


class SignedOutFormMiddleware:
    """A form posted to the admin by someone signed out meanwhile: what they typed, to copy (403).

    Signing out in another tab, or a session that expired while a long form
    was being filled in, sent the save to the sign-in page (a redirect), and
    everything typed was gone. After the CSRF check, so only the editor's own
    browser gets its typing back; the sign-in and sign-out pages post as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Only the signed-out: a signed-in reader, never an editor, goes to the sign-in page as before.
        if request.method != "POST" or request.user.is_authenticated:
            return None
        index = reverse("admin:index")
        if not request.path.startswith(index) or request.path in (reverse("admin:login"), reverse("admin:logout")):
            return None
        context = {
            **admin.site.each_context(request),
            "is_nav_sidebar_enabled": False,  # it would only say there is nothing to view
            "title": "You were signed out, so nothing was saved",
            "rows": typed_rows(request.POST),
            "login_url": f"{reverse('admin:login')}?{urlencode({'next': request.path})}",
        }
        return TemplateResponse(request, "admin/articles/signed_out.html", context, status=403)


class VersionedAdmin(EditConflictsAdmin, CheckedAutocompletes, VersionAdmin):
    object_history_template = "admin/articles/object_history.html"
    recover_list_template = "admin/articles/recover_list.html"
    history_latest_first = True

    # --- The form: change note and edit token ------------------------------------

    def own_form_fields(self):
        return {conflicts.NOTE_FIELD: change_note_field(), **super().own_form_fields()}

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = [f for f in options.get("fields", []) if f not in conflicts.OWN_FIELDS]
            fieldsets.append((name, {**options, "fields": fields}))
        fieldsets.append(("Change note", {"fields": [conflicts.NOTE_FIELD, conflicts.TOKEN_FIELD]}))
        return fieldsets

    # --- Recording revisions ---------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and not is_active():
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                # A part deleted in this form must be restorable from its own object's history too.
                versioning.record_baselines([obj, *versioning.neighbours(obj)], BASELINE)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        request.kb_change_note = form.cleaned_data.get(conflicts.NOTE_FIELD, "")
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not is_active():
            return
        # The inlines' saves refreshed the stored status in the database, not in
        # form.instance: the revision must hold what readers see after this save.
        form.instance.refresh_from_db()
        touched = [form.instance, *versioning.owners(form.instance)]
        for formset in formsets:
            rows = [*formset.new_objects, *(obj for obj, _ in formset.changed_objects), *formset.deleted_objects]
            for row in rows:
                touched += versioning.owners(row)
        seen = set()
        for obj in touched:
            key = (type(obj), obj.pk)
            if key not in seen and type(obj) in versioning.PARTS:
                seen.add(key)
                versioning.add_whole(obj)

    def _comment(self, request, entry):
        return getattr(request, "kb_change_note", "") or entry.get_change_message()

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        if is_active():
            set_comment(self._comment(request, entry))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if is_active():
            set_comment(self._comment(request, entry))
        return entry

    def delete_model(self, request, obj):
        self._delete_recorded(request, [obj])

    def delete_queryset(self, request, queryset):
        self._delete_recorded(request, list(queryset))

    def _delete_recorded(self, request, objects):
        # The snapshot is saved before the delete: reversion keeps only
        # versions of rows that still exist when a revision is saved.
        for obj in objects:
            owners = versioning.owners(obj)
            versioning.record([obj, *owners], user=request.user, comment=f"Deleted {obj._meta.verbose_name}.")
            label = f"{obj._meta.verbose_name} “{obj}”"
            obj.delete()
            versioning.record(owners, user=request.user, comment=f"Deleted {label}.")

    # --- History, revert, recover ------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        try:
            pk = self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            pk = None  # not an id at all ("abc", a NUL byte): Django's view says it does not exist
        entries = versioning.history(self.model, pk) if pk is not None else []
        deleted = [c.deleted_part for e in entries for c in e["changes"] if c.deleted_part is not None]
        existing = {}
        for version in deleted:
            model = version._model
            if model not in existing:
                ids = [v.object_id for v in deleted if v._model is model]
                existing[model] = {
                    str(pk) for pk in model._base_manager.filter(pk__in=ids).values_list("pk", flat=True)
                }
        latest = {}
        for model in existing:
            latest.update(
                {
                    (model, key): v
                    for key, v in versioning.latest_versions(
                        model, [v.object_id for v in deleted if v._model is model]
                    ).items()
                }
            )
        for entry in entries:
            entry["url"] = reverse(
                f"{self.admin_site.name}:{self.model._meta.app_label}_{self.model._meta.model_name}_revision",
                args=(quote(entry["version"].object_id), entry["version"].pk),
            )
            for change in entry["changes"]:
                part = change.deleted_part
                if part is None:
                    continue
                model = part._model
                info = model._meta.app_label, model._meta.model_name
                if part.object_id in existing[model]:
                    change.link = reverse(f"admin:{info[0]}_{info[1]}_history", args=[part.object_id])
                    change.link_text = "restored since: its history"
                else:
                    change.link = reverse(
                        f"admin:{info[0]}_{info[1]}_recover", args=[latest[(model, part.object_id)].pk]
                    )
                    change.link_text = "restore it"
        context = {"entries": entries, **(extra_context or {})}
        # Django's own view, not reversion's: its version list is replaced by
        # `entries`, and it would query with an unchecked object id.
        return admin.ModelAdmin.history_view(self, request, object_id, context)

    def recoverlist_view(self, request, extra_context=None):
        context = {"deleted_with_who": deleted_versions(self.model), **(extra_context or {})}
        return super().recoverlist_view(request, context)

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        """Reversion's revert/recover form, restoring one whole object (see module docstring).

        GET shows the change form as the object would be after the revert, in a
        transaction that is rolled back. POST restores it and saves the form in
        one transaction. The edit token is taken before the revert, so a change
        saved by someone else after the page was opened is not silently undone.
        """
        if not connections[version.db].features.uses_savepoints:
            raise ImproperlyConfigured("Reverting needs a database with savepoints.")
        model = version._model
        if model is not self.model:
            # Reversion looks versions up by id (and object id) only: a claim's
            # version must not be reverted through the article admin's URL.
            raise Http404("No such version of this kind of object.")
        with transaction.atomic(using=version.db):
            return self._revisionform_in_transaction(request, version, template_name, extra_context)

    def _revisionform_in_transaction(self, request, version, template_name, extra_context):
        model = version._model
        current = model._base_manager.filter(pk=version.object_id)
        if request.method == "POST":
            # Locked until the revert is stored, as a change form's save locks it: two
            # reverts posted at once both passed the token check, and the last won silently.
            current = current.select_for_update()
        current = current.first()
        form_fields = self.get_form(request, current).base_fields
        stale = False
        if current is not None:
            token_now = conflicts.encode(conflicts.snapshot(self, request, current, form_fields))
            if request.method == "POST":
                posted = conflicts.decode(request.POST.get(conflicts.TOKEN_FIELD, ""))
                stale = posted is None or conflicts.encode(posted) != token_now
            if stale:
                messages.error(
                    request,
                    "This object was changed after you opened this page, so nothing was reverted. "
                    "Here is the revert form again, against the object as it is now, with your change note.",
                )
                # The form as on opening the page (a redirect dropped the note the editor typed).
                note = request.POST.get(conflicts.NOTE_FIELD, "")
                request = copy.copy(request)
                request.method = "GET"
                request.kb_change_note = note
            request.kb_edit_base = token_now
        request.kb_conflict_checked = True
        quiet = mute_signals(pre_save, post_save, pre_delete, post_delete, m2m_changed)
        try:
            with transaction.atomic(using=version.db):
                if request.method == "GET":
                    with quiet:
                        problems = versioning.revert_whole(version)
                else:
                    problems = versioning.revert_whole(version)
                for problem in problems:
                    messages.warning(request, problem)
                with self.create_revision(request):
                    response = self.changeform_view(request, quote(version.object_id), request.path, extra_context)
                    if request.method == "POST" and response.status_code == 302:
                        verb = "Recovered" if current is None else "Reverted to"
                        comment = f"{verb} the version saved on {_when(version.revision.date_created)}"
                        if version.revision.user:
                            comment += f" by {version.revision.user.get_username()}"
                        note = getattr(request, "kb_change_note", "")
                        set_comment(f"{comment}. {note}".strip())
                        # Restored links (a competing claim's mirror row) show in the other side's history.
                        for neighbour in versioning.neighbours(model._base_manager.get(pk=version.object_id)):
                            versioning.add_whole(neighbour)
                    elif response.status_code == 200:
                        response.template_name = template_name
                        if stale:
                            response.status_code = 409
                        response.render()
                        raise _RollBackRevisionView(response)
                    else:
                        raise RevertError(f"Could not load {version.object_repr}.")
        except (RevertError, models.ProtectedError) as error:
            messages.error(request, force_str(error))
            opts = self.model._meta
            return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
        except _RollBackRevisionView as rolled_back:
            return rolled_back.response
        return response


def deleted_versions(model):
    """The latest version of each deleted object of `model`, with who deleted it and when."""
    return Version.objects.get_deleted(model).select_related("revision__user").order_by("-pk")
