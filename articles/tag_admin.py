"""The tag admin: taggit's, limited to content and safe with any input.

taggit's own admin offers every content type in its tagged-item inline, so an
editor could tag users or log entries; it requires a slug its JavaScript cannot
make from a Korean name; and its "merge tags" page raised a 500 when reached
with no tags selected. Its change form refuses a stale save, as every other
change form does (articles.conflicts): two editors renaming one tag at once
no longer lose the first rename.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.shortcuts import redirect, render
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.admin import TaggedItemInline as TaggitTaggedItemInline
from taggit.forms import MergeTagsForm
from taggit.models import Tag

from articles.bidi import validate_no_bidi_controls
from articles.history_admin import EditConflictsAdmin
from articles.tagging import TAGGABLE_MODELS, normalized_tag_name


def taggable_content_types():
    return ContentType.objects.filter(
        Q.create([Q(app_label=app_label, model=model) for app_label, model in TAGGABLE_MODELS], connector=Q.OR)
    )


class TaggedItemForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        content_type, object_id = cleaned.get("content_type"), cleaned.get("object_id")
        if content_type is not None and object_id is not None:
            model = content_type.model_class()
            if not model._default_manager.filter(pk=object_id).exists():
                self.add_error("object_id", f"There is no {model._meta.verbose_name} with ID {object_id}.")
        return cleaned


class TaggedItemInline(TaggitTaggedItemInline):
    form = TaggedItemForm
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_type":
            kwargs["queryset"] = taggable_content_types().order_by("model")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TagForm(forms.ModelForm):
    # ASCII only, and optional: left blank, articles.tagging makes one from the name.
    slug = forms.SlugField(
        max_length=100,
        required=False,
        allow_unicode=False,
        help_text="The tag's address, /tags/<slug>/: ASCII letters, digits, hyphens. "
        "Leave it blank to make one from the name (조선 becomes joseon).",
    )

    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        # Tags ignore case (TAGGIT_CASE_INSENSITIVE): "DPRK" beside "dprk" would be two
        # tags that every tags field reads as one. The database checks only exact names.
        name = normalized_tag_name(self.cleaned_data["name"])
        validate_no_bidi_controls(name)
        other = Tag.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).first()
        if other is not None and other.name != name:
            raise forms.ValidationError(
                f"There is already a tag “{other.name}”, and tags ignore case. "
                "Rename that one, or merge the two from the list of tags."
            )
        return name


class BoundedMergeTagsForm(MergeTagsForm):
    def clean_new_tag_name(self):
        name = self.cleaned_data["new_tag_name"]
        validate_no_bidi_controls(name)
        return name


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(EditConflictsAdmin, TaggitTagAdmin):
    form = TagForm
    inlines = [TaggedItemInline]

    def merge_tags_view(self, request):
        wanted = request.session.get("selected_tag_ids", "").split(",")
        ids = [int(pk) for pk in wanted if pk.isdigit()]
        if not ids or Tag.objects.filter(pk__in=ids).count() != len(set(ids)):
            request.session.pop("selected_tag_ids", None)
            self.message_user(
                request,
                "Select the tags to merge first: tick them in the list of tags, "
                "then choose “Merge selected tags” and Go.",
                messages.WARNING,
            )
            return redirect("admin:taggit_tag_changelist")
        if request.method == "POST":
            form = BoundedMergeTagsForm(request.POST)
            if not form.is_valid():
                # taggit answered "Form is invalid." over an empty form: the name typed, and what
                # was wrong with it (blank, too long, a NUL PostgreSQL cannot even compare), were lost.
                context = {**self.admin_site.each_context(request), "form": form, "title": "Merge tags"}
                return render(request, "admin/taggit/merge_tags_form.html", context, status=400)
            # Tags are case-insensitive here (TAGGIT_CASE_INSENSITIVE); taggit's merge
            # looks the target up case-sensitively and would make "dprk" beside "DPRK".
            typed = normalized_tag_name(form.cleaned_data["new_tag_name"])
            existing = Tag.objects.filter(name__iexact=typed).first()
            request.POST = request.POST.copy()
            request.POST["new_tag_name"] = existing.name if existing is not None else typed
        return super().merge_tags_view(request)

    @admin.action(description="Merge selected tags")
    def render_tag_form(self, request, queryset):
        # taggit appends "merge-tags/" to the full path, which breaks when the
        # list was filtered or searched (?q=…).
        request.session["selected_tag_ids"] = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect("admin:taggit_tag_merge_tags")
