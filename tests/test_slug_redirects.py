"""Renaming a slug keeps the old address working: a 301 to the current one, for good."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from articles.models import SlugRedirect
from tests.admin_forms import change_form_fields, with_changes
from tests.factories import make_actor, make_article, make_claim, make_event

pytestmark = pytest.mark.django_db


def rename_in_admin(client, obj, admin_name, slug):
    url = reverse(f"admin:{admin_name}_change", args=[obj.pk])
    fields = change_form_fields(client.get(url).content.decode())
    response = client.post(url, with_changes(fields, slug=slug))
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_claim_renamed_in_the_admin_answers_its_old_address_with_a_301_to_the_new_one(editor_client, client):
    claim = make_claim("Trade is small.", slug="trade-small")
    rename_in_admin(editor_client, claim, "articles_claim", "trade-is-small")
    editor_client.logout()

    response = client.get("/claims/trade-small/")

    assert response.status_code == 301
    assert response["Location"] == "/claims/trade-is-small/"
    assert client.get(response["Location"]).status_code == 200


def test_an_article_renamed_in_the_admin_redirects_at_its_page_and_its_json_twin(editor_client, client):
    article = make_article("Trade is small.", slug="old-report", title="Report")
    rename_in_admin(editor_client, article, "articles_article", "new-report")
    editor_client.logout()

    assert client.get("/articles/old-report/")["Location"] == "/articles/new-report/"
    json_response = client.get("/articles/old-report.json")
    assert json_response.status_code == 301
    assert json_response["Location"] == "/articles/new-report.json"


def test_a_tag_renamed_in_the_admin_redirects(editor_client, client):
    make_article("Text.", tags=["trade"])
    tag = Tag.objects.get(slug="trade")
    url = reverse("admin:taggit_tag_change", args=[tag.pk])
    fields = change_form_fields(editor_client.get(url).content.decode())
    assert editor_client.post(url, with_changes(fields, slug="commerce")).status_code == 302
    editor_client.logout()

    response = client.get("/tags/trade/")

    assert (response.status_code, response["Location"]) == (301, "/tags/commerce/")


@pytest.mark.parametrize(
    ("make", "prefix"),
    [
        (lambda slug: make_event("A visit", slug=slug), "events"),
        (lambda slug: make_actor("To Lam", slug=slug), "actors"),
        (lambda slug: make_claim("A claim.", slug=slug), "claims"),
        (lambda slug: make_article("Text.", slug=slug), "articles"),
    ],
)
def test_every_kind_of_page_keeps_its_old_address_whichever_path_saves_the_rename(client, make, prefix):
    obj = make("before")
    obj.slug = "after"
    obj.save()  # as load_kb, a history revert or the shell do

    response = client.get(f"/{prefix}/before/")

    assert (response.status_code, response["Location"]) == (301, f"/{prefix}/after/")


def test_renames_in_a_chain_all_go_straight_to_the_current_address(client):
    claim = make_claim("A claim.", slug="first")
    for slug in ("second", "third"):
        claim.slug = slug
        claim.save()

    assert client.get("/claims/first/")["Location"] == "/claims/third/"
    assert client.get("/claims/second/")["Location"] == "/claims/third/"


def test_a_new_object_that_takes_an_old_slug_wins(client):
    claim = make_claim("The old claim.", slug="taken")
    claim.slug = "moved"
    claim.save()

    make_claim("A new claim.", slug="taken")

    response = client.get("/claims/taken/")
    assert response.status_code == 200
    assert "A new claim." in response.content.decode()
    assert not SlugRedirect.objects.filter(kind="claim", old_slug="taken").exists()


def test_an_object_renamed_back_gets_its_old_address_and_the_other_one_now_redirects(client):
    claim = make_claim("A claim.", slug="a")
    claim.slug = "b"
    claim.save()
    claim.slug = "a"
    claim.save()

    assert client.get("/claims/a/").status_code == 200
    assert client.get("/claims/b/")["Location"] == "/claims/a/"


def test_a_slug_is_redirected_only_within_its_own_kind(client):
    claim = make_claim("A claim.", slug="shared")
    claim.slug = "claim-now"
    claim.save()

    assert client.get("/events/shared/").status_code == 404


def test_a_deleted_objects_old_addresses_are_gone_too(client):
    claim = make_claim("A claim.", slug="old")
    claim.slug = "new"
    claim.save()
    claim.delete()

    assert client.get("/claims/old/").status_code == 404
    assert not SlugRedirect.objects.exists()


def test_an_unknown_slug_is_still_a_404_after_one_more_query(client, django_assert_num_queries):
    # Queries: the claim page's own lookup, then the old-slug lookup.
    with django_assert_num_queries(2):
        response = client.get("/claims/never-was/")
    assert response.status_code == 404


def test_the_old_addresses_are_listed_for_editors_in_the_admin(admin_client):
    claim = make_claim("A claim.", slug="listed-before")
    claim.slug = "listed-after"
    claim.save()

    page = admin_client.get(reverse("admin:articles_slugredirect_changelist")).content.decode()

    assert "listed-before" in page
    assert "/claims/listed-after/" in page


def test_every_page_about_the_object_follows_it_the_claims_history_too(client):
    claim = make_claim("A claim.", slug="was")
    claim.slug = "is"
    claim.save()

    assert client.get("/claims/was/history/")["Location"] == "/claims/is/history/"
    assert client.get("/claims/was/history.json")["Location"] == "/claims/is/history.json"
