"""Tags: every tag has an ASCII slug and a working page, whatever its name.

A tag named "조선" or "Triều Tiên" used to get a Unicode slug that the
/tags/<slug>/ pattern rejects; once such a tag was used five times it was among
the home page's top tags, and the home page, the tags page and every page
showing it returned 500.
"""

import html
import importlib
import io
import json
import unicodedata
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from taggit.models import Tag, TaggedItem

from articles.models import Article
from articles.tagging import SLUG_MAX_LENGTH, base_slug, is_url_slug, unique_slug
from tests.factories import make_admin, make_article, make_claim, make_editor, make_event
from tests.markup import squashed
from tests.test_history import change_form_data

pytestmark = pytest.mark.django_db

KOREAN, VIETNAMESE = "조선", "Triều Tiên"
TAGGIT_0006 = "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"


# --- The slug rule ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        (KOREAN, "joseon"),
        (VIETNAMESE, "trieu-tien"),
        ("Северная Корея", "severnaya-koreya"),
        ("state visit", "state-visit"),
        ("🎉", "tada"),
    ],
)
def test_it_transliterates_a_name_to_an_ascii_slug(name, slug):
    assert base_slug(name) == slug


def test_a_name_with_nothing_to_transliterate_gets_a_distinct_fallback():
    assert base_slug("!!!").startswith("tag-")
    assert base_slug("???").startswith("tag-")
    assert base_slug("!!!") != base_slug("???")
    # The same name always reads the same, on any database it is loaded into.
    assert base_slug("!!!") == base_slug("!!!")


def test_a_taken_slug_is_numbered():
    assert unique_slug("Trieu Tien", {"trieu-tien"}) == "trieu-tien-2"
    assert unique_slug("Trieu Tien", {"trieu-tien", "trieu-tien-2"}) == "trieu-tien-3"


def test_a_long_name_gets_a_slug_that_fits_the_column():
    name = "朝鲜民主主义人民共和国" * 9  # 99 characters, about 300 once transliterated
    slug = base_slug(name)
    assert len(slug) == SLUG_MAX_LENGTH
    numbered = unique_slug(name, {slug})
    assert len(numbered) <= SLUG_MAX_LENGTH
    assert numbered.endswith("-2")


# No deadline: anyascii loads a script's table the first time it meets one.
@settings(deadline=None)
@given(name=st.text(min_size=1, max_size=100), taken=st.sets(st.text(max_size=12), max_size=5))
def test_any_name_gets_a_slug_a_tag_url_accepts(name, taken):
    slug = unique_slug(name, taken)
    assert is_url_slug(slug)
    assert slug not in taken
    assert reverse("articles:tag", args=[slug]).startswith("/tags/")


# --- Tags in the database ----------------------------------------------------------------


def test_a_new_tag_gets_an_ascii_slug_however_it_is_made():
    article = make_article(tags=[KOREAN])
    article.tags.add(VIETNAMESE)
    assert Tag.objects.create(name="🎉🎉").slug == "tadatada"
    assert dict(Tag.objects.values_list("name", "slug")) == {
        KOREAN: "joseon",
        VIETNAMESE: "trieu-tien",
        "🎉🎉": "tadatada",
    }


def test_two_names_that_read_the_same_get_different_slugs():
    make_article(tags=[VIETNAMESE, "Trieu Tien", "TRIỀU-TIÊN!"])
    slugs = sorted(Tag.objects.values_list("slug", flat=True))
    assert slugs == ["trieu-tien", "trieu-tien-2", "trieu-tien-3"]


def test_a_tag_renamed_in_the_admin_keeps_its_ascii_slug():
    tag = Tag.objects.create(name="sanctions")
    tag.name = "제재"
    tag.save()
    assert Tag.objects.get(pk=tag.pk).slug == "sanctions"


def test_a_unicode_slug_set_by_hand_is_replaced():
    tag = Tag.objects.create(name=KOREAN)
    tag.slug = "조선"
    tag.save()
    assert Tag.objects.get(pk=tag.pk).slug == "joseon"


def test_load_kb_gives_unicode_tags_ascii_slugs(tmp_path):
    make_article(slug="plain", tags=["history"])
    out = io.StringIO()
    call_command("export_kb", stdout=out)
    document = json.loads(out.getvalue())
    document["articles"][0]["tags"] = [KOREAN, VIETNAMESE, "🇰🇵"]
    Article.objects.all().delete()
    Tag.objects.all().delete()
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    call_command("load_kb", str(path), stdout=io.StringIO())

    slugs = dict(Tag.objects.values_list("name", "slug"))
    assert slugs[KOREAN] == "joseon"
    assert slugs[VIETNAMESE] == "trieu-tien"
    assert is_url_slug(slugs["🇰🇵"])


def test_the_migration_gives_existing_tags_ascii_slugs_and_keeps_ascii_ones():
    migration = importlib.import_module("articles.migrations.0005_ascii_tag_slugs")
    before = MigrationLoader(connection).project_state(
        [("articles", "0004_voices_statuses_editor_notes"), ("taggit", TAGGIT_0006)]
    )
    OldTag = before.apps.get_model("taggit", "Tag")  # no signals: slugs are stored as given
    OldTag.objects.create(name="trade", slug="trade")
    OldTag.objects.create(name=KOREAN, slug="조선")
    OldTag.objects.create(name=VIETNAMESE, slug="triều-tiên")
    OldTag.objects.create(name="Trieu Tien", slug="trieu-tien")

    migration.ascii_slugs(before.apps, SimpleNamespace(connection=connection))

    assert dict(Tag.objects.values_list("name", "slug")) == {
        "trade": "trade",
        KOREAN: "joseon",
        VIETNAMESE: "trieu-tien-2",
        "Trieu Tien": "trieu-tien",
    }


def test_the_migration_drops_tags_put_on_users_and_keeps_tags_on_content():
    migration = importlib.import_module("articles.migrations.0005_ascii_tag_slugs")
    article = make_article(tags=["history"])
    user = make_editor()
    TaggedItem.objects.create(
        tag=Tag.objects.get(name="history"), content_type=ContentType.objects.get_for_model(User), object_id=user.pk
    )

    now = MigrationLoader(connection).project_state().apps
    migration.drop_taggings_of_other_models(now, SimpleNamespace(connection=connection))

    assert [(item.content_object, item.tag.name) for item in TaggedItem.objects.all()] == [(article, "history")]


# --- Pages -------------------------------------------------------------------------------


@pytest.fixture
def unicode_tags_used_five_times():
    """Each tag on two articles, two claims and an event: enough to be among the home page's top tags."""
    tags = [KOREAN, VIETNAMESE]
    first = make_article(tags=tags)
    make_article(tags=tags)
    make_claim(tags=tags)
    claim = make_claim(tags=tags)
    event = make_event(tags=tags)
    return SimpleNamespace(article=first, claim=claim, event=event)


def test_unicode_tags_used_five_times_break_no_page(client, unicode_tags_used_five_times):
    world = unicode_tags_used_five_times
    pages = [
        reverse("articles:home"),
        reverse("articles:tags"),
        reverse("articles:tag", args=["joseon"]),
        reverse("articles:tag", args=["trieu-tien"]),
        world.article.get_absolute_url(),
        world.claim.get_absolute_url(),
        world.event.get_absolute_url(),
        reverse("articles:timeline"),
        reverse("articles:timeline") + "?tag=joseon",
        reverse("articles:claims") + "?tag=trieu-tien",
        reverse("articles:articles") + "?tag=joseon",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    home = squashed(client.get(reverse("articles:home")))
    assert f'<a class="tag" href="/tags/joseon/">{KOREAN}</a>' in home
    assert f'<a class="tag" href="/tags/trieu-tien/">{VIETNAMESE}</a>' in home


def test_a_unicode_tag_page_lists_what_carries_it(client, unicode_tags_used_five_times):
    page = client.get(reverse("articles:tag", args=["joseon"])).content.decode()
    assert f"<h1>{KOREAN}</h1>" in page
    assert unicode_tags_used_five_times.article.get_absolute_url() in page
    assert unicode_tags_used_five_times.claim.get_absolute_url() in page
    assert unicode_tags_used_five_times.event.get_absolute_url() in page


TAG_NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=100).filter(str.strip)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=TAG_NAMES)
def test_any_tag_name_has_a_page_linked_from_the_home_page(client, name):
    article = make_article(tags=[name])
    tag = article.tags.get()
    assert is_url_slug(tag.slug)
    response = client.get(reverse("articles:tag", args=[tag.slug]))
    assert response.status_code == 200
    assert article.get_absolute_url() in response.content.decode()
    assert client.get(reverse("articles:home")).status_code == 200


def test_an_emoji_tag_has_a_page(client):
    article = make_article(tags=["🎉"])
    response = client.get(reverse("articles:tag", args=["tada"]))
    assert response.status_code == 200
    assert article.get_absolute_url() in response.content.decode()


# --- The tag admin -----------------------------------------------------------------------


def tag_form(name, *, slug="", items=()):
    """What the tag admin's add form posts; items: (content type id, object id) pairs."""
    data = {
        "name": name,
        "slug": slug,
        "taggit_taggeditem_items-TOTAL_FORMS": str(len(items)),
        "taggit_taggeditem_items-INITIAL_FORMS": "0",
        "taggit_taggeditem_items-MIN_NUM_FORMS": "0",
        "taggit_taggeditem_items-MAX_NUM_FORMS": "1000",
    }
    for n, (content_type, object_id) in enumerate(items):
        data[f"taggit_taggeditem_items-{n}-content_type"] = str(content_type)
        data[f"taggit_taggeditem_items-{n}-object_id"] = str(object_id)
    return data


def content_type_options(page):
    import re

    select = re.search(r'<select name="taggit_taggeditem_items-__prefix__-content_type".*?</select>', page, re.S)
    return re.findall(r"<option value=\"\d+\">([^<]+)</option>", select.group(0))


def test_the_tag_admin_offers_only_articles_events_and_claims(editor_client):
    page = editor_client.get(reverse("admin:taggit_tag_add")).content.decode()
    assert content_type_options(page) == [
        "Knowledge base | article",
        "Knowledge base | claim",
        "Knowledge base | event",
    ]


def test_an_editor_cannot_tag_a_user(editor_client):
    user_type = ContentType.objects.get_for_model(User)
    victim = make_admin()
    response = editor_client.post(reverse("admin:taggit_tag_add"), tag_form("users", items=[(user_type.pk, victim.pk)]))
    assert response.status_code == 400
    assert "Select a valid choice. That choice is not one of the available choices." in response.content.decode()
    assert not TaggedItem.objects.exists()
    assert not Tag.objects.filter(name="users").exists()


def test_an_editor_tags_an_article_from_the_tag_admin(editor_client):
    article = make_article()
    article_type = ContentType.objects.get_for_model(Article)
    form = tag_form(KOREAN, items=[(article_type.pk, article.pk)])
    response = editor_client.post(reverse("admin:taggit_tag_add"), form)
    assert response.status_code == 302
    assert [(t.name, t.slug) for t in article.tags.all()] == [(KOREAN, "joseon")]


def test_tagging_an_article_that_does_not_exist_is_refused(editor_client):
    article_type = ContentType.objects.get_for_model(Article)
    response = editor_client.post(reverse("admin:taggit_tag_add"), tag_form("ghost", items=[(article_type.pk, 999999)]))
    assert response.status_code == 400
    assert "There is no article with ID 999999." in response.content.decode()
    # What the editor typed is still in the form.
    assert 'value="ghost"' in response.content.decode()


def test_a_unicode_slug_typed_in_the_admin_is_refused_with_a_message(editor_client):
    response = editor_client.post(reverse("admin:taggit_tag_add"), tag_form(KOREAN, slug="조선"))
    assert response.status_code == 400
    assert "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens." in response.content.decode()


def test_merge_tags_with_nothing_selected_explains_what_to_do(editor_client):
    merge = reverse("admin:taggit_tag_merge_tags")
    visits = (editor_client.get(merge, follow=True), editor_client.post(merge, {"new_tag_name": "x"}, follow=True))
    for response in visits:
        assert response.status_code == 200
        assert response.redirect_chain == [(reverse("admin:taggit_tag_changelist"), 302)]
        assert "Select the tags to merge first" in response.content.decode()
    assert not Tag.objects.filter(name="x").exists()


def test_the_merge_action_with_nothing_ticked_gives_a_message(editor_client):
    Tag.objects.create(name="trade")
    response = editor_client.post(
        reverse("admin:taggit_tag_changelist"), {"action": "render_tag_form", "index": "0"}, follow=True
    )
    assert response.status_code == 200
    assert "Items must be selected in order to perform actions on them." in response.content.decode()


def test_merging_two_tags_moves_their_uses_to_one(editor_client):
    article = make_article(tags=[KOREAN])
    claim = make_claim(tags=["North Korea"])
    ids = list(Tag.objects.values_list("pk", flat=True))
    changelist = reverse("admin:taggit_tag_changelist") + "?o=1"
    response = editor_client.post(changelist, {"action": "render_tag_form", "_selected_action": ids})
    assert response.url == reverse("admin:taggit_tag_merge_tags")
    response = editor_client.post(response.url, {"new_tag_name": "DPRK"})
    assert response.status_code == 302
    assert [t.name for t in article.tags.all()] == ["DPRK"]
    assert [t.name for t in claim.tags.all()] == ["DPRK"]


def test_merging_into_an_existing_tag_in_other_case_reuses_it(editor_client):
    article = make_article(tags=[KOREAN, "DPRK"])
    claim = make_claim(tags=["North Korea"])
    ids = list(Tag.objects.exclude(name="DPRK").values_list("pk", flat=True))
    changelist = reverse("admin:taggit_tag_changelist")
    editor_client.post(changelist, {"action": "render_tag_form", "_selected_action": ids})
    response = editor_client.post(reverse("admin:taggit_tag_merge_tags"), {"new_tag_name": "dprk"})
    assert response.status_code == 302
    assert not Tag.objects.filter(name="dprk").exists()
    assert [t.name for t in article.tags.all()] == ["DPRK"]
    assert [t.name for t in claim.tags.all()] == ["DPRK"]


# --- Tags typed into a change form --------------------------------------------------------


def test_a_tag_longer_than_a_tag_may_be_is_refused_with_a_message_and_the_form_kept(editor_client):
    # Before, taggit passed it to the database, which refused it: a 500.
    article = make_article(title="Arrival")
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = change_form_data(editor_client.get(url))
    form.update(title="Arrival in Pyongyang", tags="visit, " + "x" * 200)
    response = editor_client.post(url, form)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"A tag may have at most 100 characters; “{'x' * 40}…” has 200." in page
    assert 'value="Arrival in Pyongyang"' in page
    assert "x" * 200 in page
    article.refresh_from_db()
    assert (article.title, list(article.tags.names())) == ("Arrival", [])


def test_a_tag_of_exactly_the_longest_name_is_saved(editor_client):
    claim = make_claim()
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    form = change_form_data(editor_client.get(url))
    form["tags"] = "y" * 100
    assert editor_client.post(url, form).status_code == 302
    assert list(claim.tags.names()) == ["y" * 100]


def test_thousands_of_tags_are_refused_with_a_message_before_anything_is_saved(editor_client):
    # 2,000 tags typed into one form took 25 s to save on PostgreSQL.
    event = make_event()
    url = reverse("admin:articles_event_change", args=[event.pk])
    form = change_form_data(editor_client.get(url))
    form["tags"] = ", ".join(f"tag{n}" for n in range(2000))
    response = editor_client.post(url, form)
    assert response.status_code == 400
    assert "This has 2,000 tags; the limit is 50." in response.content.decode()
    assert not Tag.objects.exists()


def test_fifty_tags_are_saved(editor_client):
    event = make_event()
    url = reverse("admin:articles_event_change", args=[event.pk])
    form = change_form_data(editor_client.get(url))
    form["tags"] = ", ".join(f"tag{n}" for n in range(50))
    assert editor_client.post(url, form).status_code == 302
    assert event.tags.count() == 50


def test_a_tag_named_like_another_in_other_case_is_refused_in_the_tag_admin(editor_client):
    # Found by hand: "STATE VISIT" could be added beside "state visit", though every
    # tags field reads them as one (tags ignore case here).
    Tag.objects.create(name="state visit")
    response = editor_client.post(reverse("admin:taggit_tag_add"), tag_form("STATE Visit"))
    assert response.status_code == 400
    assert "There is already a tag “state visit”, and tags ignore case." in response.content.decode()
    assert 'value="STATE Visit"' in response.content.decode()
    assert list(Tag.objects.values_list("name", flat=True)) == ["state visit"]


def test_a_tag_named_or_merged_with_a_bidi_control_is_refused_in_the_tag_admin(editor_client):
    # "\u202ekrpd" would show readers the tag "dprk" while its name is stored reversed.
    response = editor_client.post(reverse("admin:taggit_tag_add"), tag_form("\u202ekrpd"))
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "This text contains U+202E RIGHT-TO-LEFT OVERRIDE at character 1: an invisible control" in page
    assert 'value="\u202ekrpd"' in page
    make_article(tags=[KOREAN, "North Korea"])
    ids = list(Tag.objects.values_list("pk", flat=True))
    editor_client.post(reverse("admin:taggit_tag_changelist"), {"action": "render_tag_form", "_selected_action": ids})
    response = editor_client.post(reverse("admin:taggit_tag_merge_tags"), {"new_tag_name": "North \u2067Korea"})
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "This text contains U+2067 RIGHT-TO-LEFT ISOLATE at character 7" in page
    assert sorted(Tag.objects.values_list("name", flat=True)) == sorted([KOREAN, "North Korea"])


def test_a_tags_own_name_may_change_case(editor_client):
    tag = Tag.objects.create(name="dprk")
    url = reverse("admin:taggit_tag_change", args=[tag.pk])
    response = editor_client.post(url, {**change_form_data(editor_client.get(url)), "name": "DPRK"})
    assert response.status_code == 302
    tag.refresh_from_db()
    assert tag.name == "DPRK"


def test_merging_into_a_name_with_a_nul_character_is_refused_with_a_message(editor_client):
    # Found by hand on PostgreSQL: the lookup of an existing tag by the typed name ran before taggit's
    # form refused the NUL, and PostgreSQL cannot compare one: a 500.
    make_article(tags=["DPRK", "North Korea"])
    ids = list(Tag.objects.values_list("pk", flat=True))
    editor_client.post(reverse("admin:taggit_tag_changelist"), {"action": "render_tag_form", "_selected_action": ids})
    response = editor_client.post(reverse("admin:taggit_tag_merge_tags"), {"new_tag_name": "North\x00Korea"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert 'value="North\x00Korea"' in response.content.decode()
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["DPRK", "North Korea"]


def test_merging_into_a_name_typed_with_combining_accents_reuses_the_tag_of_that_name(editor_client):
    article = make_article(tags=["Triều Tiên", "DPRK"])
    ids = list(Tag.objects.exclude(name="Triều Tiên").values_list("pk", flat=True))
    editor_client.post(reverse("admin:taggit_tag_changelist"), {"action": "render_tag_form", "_selected_action": ids})
    decomposed = unicodedata.normalize("NFD", "Triều Tiên")
    response = editor_client.post(reverse("admin:taggit_tag_merge_tags"), {"new_tag_name": decomposed})
    assert response.status_code == 302
    assert not Tag.objects.exclude(name__in=["Triều Tiên", "DPRK"]).exists()
    assert [t.name for t in article.tags.all()] == ["Triều Tiên"]


def test_a_tag_typed_with_combining_accents_is_the_tag_of_that_name(editor_client):
    # Found by hand: "Triều Tiên" pasted with combining accents (NFD) became a second tag, the same to the eye.
    make_article(tags=["Triều Tiên"])
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(editor_client.get(url))
    data["tags"] = unicodedata.normalize("NFD", "Triều Tiên") + ","
    assert editor_client.post(url, data).status_code == 302
    assert list(Tag.objects.values_list("name", flat=True)) == ["Triều Tiên"]
    assert [t.name for t in article.tags.all()] == ["Triều Tiên"]


def test_a_tag_renamed_to_another_tags_name_with_combining_accents_is_refused(editor_client):
    make_article(tags=["Triều Tiên", "DPRK"])
    dprk = Tag.objects.get(name="DPRK")
    url = reverse("admin:taggit_tag_change", args=[dprk.pk])
    data = change_form_data(editor_client.get(url))
    data["name"] = unicodedata.normalize("NFD", "triều tiên")
    response = editor_client.post(url, data)
    assert response.status_code == 400
    assert "There is already a tag “Triều Tiên”, and tags ignore case." in html.unescape(response.content.decode())
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["DPRK", "Triều Tiên"]
