"""Edit conflicts: a change form refuses a save based on a stale version.

Every admin change form carries an edit token: for the object and for each row
of its inline forms, a short hash of every field the form shows, as it was when
the form was drawn, plus the latest revision id. On save the token is compared
with the object as it is now (its row locked for the rest of the transaction,
so two saves cannot both pass the check):

- nothing changed meanwhile: the save goes ahead;
- something changed: the save is refused. The form lists, field by field, the
  value saved meanwhile beside the editor's, and who saved it. Fields the
  editor had not touched take the saved value (so saving again keeps both
  editors' changes); fields both changed keep what the editor typed, for them
  to decide. The token is renewed, so the next save goes through.

Hashes, not values, travel in the form: an article body can be megabytes.
Any path that writes (another admin form, load_kb, the shell, a revert)
changes the hashes, so no model needs a version column. A form posted without
a token (a script, not a browser) is not checked.
"""

import difflib
import hashlib
import json

import reversion
from django import forms
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Value, When
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from reversion.models import Version
from taggit.forms import TagField
from taggit.utils import edit_string_for_tags

from articles.models import normalise_newlines

TOKEN_FIELD = "edit_token"
NOTE_FIELD = "change_note"
OWN_FIELDS = (TOKEN_FIELD, NOTE_FIELD)


def _canon(field, value):
    """One string per meaning: a form's cleaned value and the model's stored value agree."""
    if isinstance(field, TagField):
        names = [getattr(tag, "name", tag) for tag in value or []]
        return "\x1f".join(sorted(name.casefold() for name in names))
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return "\x1f".join(sorted(_canon(field, item) for item in value))
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str):
        return normalise_newlines(value).strip()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _hash(text):
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _stored(obj, name):
    """The model's value for a form field, in the shape a form's initial takes."""
    return obj._meta.get_field(name).value_from_object(obj)


def _model_fields(form_fields, model, skip=()):
    names = {f.name for f in model._meta.get_fields()}
    return {name: field for name, field in form_fields.items() if name in names and name not in skip}


def _inlines(model_admin, request, obj):
    """(prefix, inline form fields, rows now) for each inline of the change form."""
    found = []
    for formset_class, inline in model_admin.get_formsets_with_inlines(request, obj):
        fk = formset_class.fk
        fields = _model_fields(formset_class.form.base_fields, formset_class.model, skip=(fk.name, "id"))
        rows = list(inline.get_queryset(request).filter(**{fk.name: obj}).order_by("pk"))
        found.append((formset_class.get_default_prefix(), fields, rows))
    return found


def _saves(obj):
    """Who saved obj, oldest first: its revisions, or the admin's log for a model without them (tags)."""
    if reversion.is_registered(type(obj)):
        # Baselines are recordings of a state, not saves (see history_admin.BASELINE).
        return (
            Version.objects.get_for_object(obj)
            .select_related("revision__user")
            .exclude(revision__user=None, revision__comment__startswith="As it was before")
            .order_by("pk")
        )
    return (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=str(obj.pk)
        )
        .select_related("user")
        .order_by("pk")
    )


def _saved(save):
    """(when, by whom, note) of one of _saves()."""
    if isinstance(save, LogEntry):
        return save.action_time, save.user, save.get_change_message()
    return save.revision.date_created, save.revision.user, save.revision.comment


def snapshot(model_admin, request, obj, form_fields):
    """The edit token's content for obj as it is now."""
    if reversion.is_registered(type(obj)):
        latest = Version.objects.get_for_object(obj).order_by("-pk").values_list("pk", flat=True).first()
    else:
        latest = _saves(obj).order_by("-pk").values_list("pk", flat=True).first()
    fields = _model_fields(form_fields, type(obj), skip=OWN_FIELDS)
    return {
        "v": latest,
        "f": {name: _hash(_canon(field, _stored(obj, name))) for name, field in fields.items()},
        "i": {
            prefix: {
                str(row.pk): {name: _hash(_canon(field, _stored(row, name))) for name, field in row_fields.items()}
                for row in rows
            }
            for prefix, row_fields, rows in _inlines(model_admin, request, obj)
        },
    }


def encode(token):
    return json.dumps(token, separators=(",", ":"), sort_keys=True)


def decode(raw):
    """The token posted, or None when it is missing, garbled or absurd (then the save is refused)."""
    if not isinstance(raw, str) or len(raw) > 1_000_000:
        return None
    try:
        token = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return token if _well_formed(token) else None


def _hashes(value):
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(h, str) for k, h in value.items())


def _well_formed(token):
    """The shape snapshot() makes: {"v": int|None, "f": {field: hash}, "i": {prefix: {pk: {field: hash}}}}."""
    if not isinstance(token, dict) or not _hashes(token.get("f")) or not isinstance(token.get("i"), dict):
        return False
    if token.get("v") is not None and (not isinstance(token["v"], int) or isinstance(token["v"], bool)):
        return False
    return all(
        isinstance(rows, dict) and all(_hashes(hashes) for hashes in rows.values()) for rows in token["i"].values()
    )


# --- Showing values --------------------------------------------------------------


def _display(field, value):
    if isinstance(field, TagField):
        return ", ".join(sorted(getattr(tag, "name", str(tag)) for tag in value or [])) or "(none)"
    if isinstance(field, forms.ModelMultipleChoiceField):
        items = list(value or [])
        if items and not isinstance(items[0], models.Model):
            items = list(field.queryset.model._base_manager.filter(pk__in=items))
        return ", ".join(sorted(str(item) for item in items)) or "(none)"
    if isinstance(field, forms.ModelChoiceField):
        if value in (None, ""):
            return "(none)"
        if not isinstance(value, models.Model):
            value = field.queryset.model._base_manager.filter(pk=value).first()
        return str(value) if value is not None else "(none)"
    if isinstance(field, forms.BooleanField):
        return "yes" if value else "no"
    if isinstance(field, forms.ChoiceField) and value not in (None, ""):
        return str(dict(field.choices).get(value, value))
    if value in (None, ""):
        return "(empty)"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return normalise_newlines(str(value))


def _as_data(field, value):
    """What a browser would post for `value` (a stored value) in this field."""
    if isinstance(field, TagField):
        return edit_string_for_tags(list(value or []))
    if isinstance(field, forms.ModelMultipleChoiceField):
        return [str(getattr(item, "pk", item)) for item in value or []]
    if isinstance(field, forms.BooleanField):
        return "on" if value else None
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value.pk)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class _Posted:
    """The posted data, and the admin's copies of it handed to each inline formset: written together."""

    def __init__(self, form, request):
        self.copies = [form.data, *getattr(request, "kb_formset_data", [])]
        self.data, self.files = form.data, form.files

    def get(self, key, default=None):
        return self.data.get(key, default)

    def set(self, key, value):
        for data in self.copies:
            mutable = getattr(data, "_mutable", True)
            data._mutable = True
            try:
                if value is None:
                    data.pop(key, None)
                elif isinstance(value, list):
                    data.setlist(key, value)
                else:
                    data[key] = value
            finally:
                data._mutable = mutable


def _submitted(field, data, files, key):
    """The cleaned value the editor posted under `key`, or raise ValidationError."""
    return field.clean(field.widget.value_from_datadict(data, files, key))


class Difference:
    """One field that changed meanwhile: the saved value, the editor's, and whether the editor had changed it."""

    def __init__(self, where, label, saved, yours, kept_yours):
        self.where, self.label, self.saved, self.yours, self.kept_yours = where, label, saved, yours, kept_yours

    @property
    def diff(self):
        """For long texts, the lines that differ, so the change can be found."""
        if len(self.saved) + len(self.yours) < 400 and "\n" not in self.saved + self.yours:
            return ""
        lines = difflib.unified_diff(
            self.saved.splitlines(), self.yours.splitlines(), "saved meanwhile", "yours", n=1, lineterm=""
        )
        return "\n".join(list(lines)[:40])


# --- The check -------------------------------------------------------------------


def check(form, model_admin, request):
    """Refuse the save if the object changed since the form was drawn (see module docstring)."""
    obj = form.instance
    raw = form.data.get(TOKEN_FIELD)
    if obj.pk is None or raw is None or getattr(request, "kb_conflict_checked", False):
        return
    base = decode(raw)
    model = type(obj)
    # Locks the row until the admin's transaction ends (no-op on SQLite, whose
    # writes are serialised anyway), so a second save waits and then sees this one.
    current = model._base_manager.select_for_update().filter(pk=obj.pk).first()
    if current is None:
        raise ValidationError("This object was deleted after you opened the form. Nothing was saved.")
    now = snapshot(model_admin, request, current, form.fields)
    if base is not None and base.get("f") == now["f"] and base.get("i") == now["i"]:
        return
    base = base or {"v": None, "f": {}, "i": {}}
    posted = _Posted(form, request)
    differences, taken, notes = [], [], []
    fields = _model_fields(form.fields, model, skip=OWN_FIELDS)
    for name, field in fields.items():
        if base["f"].get(name) == now["f"][name]:
            continue
        stored = _stored(current, name)
        label = str(field.label or name)
        _compare(
            posted,
            form.add_prefix(name),
            field,
            stored,
            base["f"].get(name),
            now["f"][name],
            label,
            "",
            differences,
            taken,
            mine=form.cleaned_data.get(name, _MISSING) if hasattr(form, "cleaned_data") else _MISSING,
        )
    for prefix, row_fields, rows in _inlines(model_admin, request, current):
        before, after = base["i"].get(prefix, {}), now["i"][prefix]
        index = _row_index(form.data, prefix)
        by_pk = {str(row.pk): row for row in rows}
        for pk, hashes in after.items():
            row = by_pk[pk]
            if pk not in before:
                notes.append(f"Added meanwhile: {row._meta.verbose_name} “{_clip(row)}” (kept).")
                continue
            if pk not in index:
                continue
            for name, field in row_fields.items():
                if before[pk].get(name) == hashes[name]:
                    continue
                _compare(
                    posted,
                    f"{prefix}-{index[pk]}-{name}",
                    field,
                    _stored(row, name),
                    before[pk].get(name),
                    hashes[name],
                    str(field.label or name),
                    f"{row._meta.verbose_name} “{_clip(row)}”",
                    differences,
                    taken,
                )
        for pk in before:
            if pk not in after:
                typed = _typed_in_row(posted, prefix, index.get(pk), row_fields, before[pk])
                notes.append(
                    f"Deleted meanwhile: a {prefix.rstrip('s')} row of your form, so it is left out of the form below."
                    + (f" What you had changed in it: {typed}." if typed else "")
                )
        _drop_rows(posted, prefix, [index[pk] for pk in before if pk not in after and pk in index])
    posted.set(form.add_prefix(TOKEN_FIELD), encode(now))
    form.edit_conflict = {"differences": differences, "taken": taken, "notes": notes}
    raise ValidationError(_message(current, base, differences, taken, notes), code="edit_conflict")


_MISSING = object()


def _clip(row, limit=60):
    text = " ".join(str(row).split())
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _typed_in_row(posted, prefix, index, row_fields, base_hashes):
    """Each field the editor changed in the inline row at `index`, as "Label: value; …"; "" for none."""
    if index is None:
        return ""
    typed = []
    for name, field in row_fields.items():
        key, label = f"{prefix}-{index}-{name}", field.label or name
        try:
            mine = _submitted(field, posted.data, posted.files, key)
        except ValidationError:
            typed.append(f"{label}: {posted.get(key, '')}")
            continue
        if _hash(_canon(field, mine)) != base_hashes.get(name):
            typed.append(f"{label}: {_display(field, mine)}")
    return "; ".join(typed)


def _drop_rows(posted, prefix, indices):
    """Take the inline rows at `indices`, deleted meanwhile, out of the posted form; the rest keep their order.

    The admin draws the form's saved rows beside the rows the database now holds, one fewer for each
    deleted: left in, the form's last saved row was not drawn, what the editor had typed in it was gone
    from the page, and posting the page back failed with an error shown nowhere.
    """
    if not indices:
        return
    data = posted.data
    try:
        initial, total = int(data[f"{prefix}-INITIAL_FORMS"]), int(data[f"{prefix}-TOTAL_FORMS"])
    except (KeyError, ValueError):
        return  # not a form the admin drew: the formset's own validation answers it
    if not 0 <= initial <= total <= 10_000:
        return
    rows = {}
    for key in list(data):
        index, dash, name = key.removeprefix(f"{prefix}-").partition("-")
        if key.startswith(f"{prefix}-") and dash and index.isdigit() and int(index) < total:
            rows.setdefault(int(index), {})[name] = data.getlist(key)
            posted.set(key, None)
    kept = [i for i in range(total) if i not in set(indices)]
    for new, old in enumerate(kept):
        for name, values in rows.get(old, {}).items():
            posted.set(f"{prefix}-{new}-{name}", values)
    posted.set(f"{prefix}-INITIAL_FORMS", str(initial - len(set(indices))))
    posted.set(f"{prefix}-TOTAL_FORMS", str(len(kept)))


def in_posted_order(queryset, data, prefix):
    """An inline formset's rows, those the posted form holds first and in its order, the rest after.

    The admin draws each saved row of a posted formset beside the row at the same place in the
    formset's queryset (its heading, its "Change" link): a row added meanwhile that sorts before the
    form's rows shifted each row under another's heading, so an editor refused a save, or shown an
    error, saw their rows named as other rows and could change the wrong one.
    """
    pk = queryset.model._meta.pk
    places = []
    for raw, place in _row_index(data, prefix).items():
        try:
            places.append(When(pk=pk.to_python(raw), then=Value(place)))
        except ValidationError:
            continue  # not an id the admin drew: the formset's own validation answers it
    if not places:
        return queryset
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    return queryset.order_by(Case(*places, default=Value(len(places))), *ordering, "pk")


def _row_index(data, prefix):
    """pk -> form index of the inline rows the editor's form holds."""
    try:
        total = int(data.get(f"{prefix}-INITIAL_FORMS", 0))
    except ValueError:
        return {}
    return {str(data.get(f"{prefix}-{i}-id")): i for i in range(min(total, 10_000)) if data.get(f"{prefix}-{i}-id")}


def _compare(posted, key, field, stored, base_hash, now_hash, label, where, differences, taken, mine=_MISSING):
    if mine is _MISSING:
        try:
            mine = _submitted(field, posted.data, posted.files, key)
        except ValidationError:
            mine = _MISSING
    mine_hash = None if mine is _MISSING else _hash(_canon(field, mine))
    if mine_hash == now_hash:
        return  # the editor's form already holds the saved value
    saved_text = _display(field, stored)
    if mine_hash == base_hash:
        # Untouched by this editor: take the value saved meanwhile.
        posted.set(key, _as_data(field, stored))
        taken.append(Difference(where, label, saved_text, _display(field, mine), kept_yours=False))
        return
    yours = "(not valid)" if mine is _MISSING else _display(field, mine)
    differences.append(Difference(where, label, saved_text, yours, kept_yours=True))


def _message(current, base, differences, taken, notes):
    since = _saves(current)
    if base.get("v"):
        since = since.filter(pk__gt=base["v"])
    savers = format_html_join(
        "",
        "<li>{} by {}{}</li>",
        (
            (
                when.strftime("%Y-%m-%d %H:%M:%S UTC"),
                user.get_username() if user else "someone outside the admin",
                f": “{note}”" if note else "",
            )
            for when, user, note in map(_saved, since[:10])
        ),
    )

    def rows(items):
        return format_html_join(
            "",
            "<tr><th scope='row'>{}{}</th><td class='saved'>{}</td><td class='yours'>{}</td></tr>{}",
            (
                (
                    d.label,
                    format_html(" <small>({})</small>", d.where) if d.where else "",
                    d.saved,
                    d.yours,
                    format_html("<tr><td colspan='3'><pre class='diff'>{}</pre></td></tr>", d.diff) if d.diff else "",
                )
                for d in items
            ),
        )

    parts = [
        format_html(
            "<strong>Someone saved this {} after you opened the form, so your save was refused.</strong>"
            " Nothing you typed is lost: it is all still in the form below.",
            current._meta.verbose_name,
        )
    ]
    if savers:
        parts.append(format_html("<p>Saved meanwhile:</p><ul class='conflict-savers'>{}</ul>", savers))
    else:
        parts.append(mark_safe("<p>It was changed outside the admin (an import or a script).</p>"))
    head = (
        "<thead><tr><th scope='col'>Field</th><th scope='col'>Saved meanwhile</th>"
        "<th scope='col'>Yours</th></tr></thead>"
    )
    if differences:
        parts.append(
            format_html(
                "<p>Changed by both of you. The form keeps <em>your</em> value; "
                "check it against the saved one, then save again:</p>"
                "<table class='edit-conflict'>{}<tbody>{}</tbody></table>",
                mark_safe(head),
                rows(differences),
            )
        )
    if taken:
        parts.append(
            format_html(
                "<p>Changed meanwhile, and not by you: the form now holds the saved value, "
                "so saving again keeps their change:</p>"
                "<table class='edit-conflict'>{}<tbody>{}</tbody></table>",
                mark_safe(head.replace("Yours", "Your form had")),
                rows(taken),
            )
        )
    if notes:
        parts.append(format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((n,) for n in notes))))
    parts.append(mark_safe("<p>Save again to store the form as it is now.</p>"))
    return format_html_join("", "{}", ((p,) for p in parts))
