"""A claim's text and an event's description have a length limit, with a message; up to it, they save.

Both are shown to readers, a claim's text several times on its own page. With
no limit, 100,000 characters typed into the admin made a 500 KB claim page and
a 1 MB description a 2 MB event page (found by hand), and a 2 MB text once was
a 503 on PostgreSQL (a tsvector holds at most 1 MB). The cite form already
refused a new claim over 2,000 characters; the admin now refuses the same.
"""

import random
import string

import pytest
from django.urls import reverse

from articles.models import CLAIM_TEXT_MAX_LENGTH, EVENT_DESCRIPTION_MAX_LENGTH, Claim, Event
from tests.admin_forms import change_form_fields, with_changes

pytestmark = pytest.mark.django_db


def large_vocabulary(characters):
    """Text of many different words, as a pasted report would be."""
    rnd = random.Random(9)
    words = ("".join(rnd.choices(string.ascii_lowercase, k=rnd.randint(5, 12))) for _ in range(characters // 5))
    return ("Sanctionsbusting " + " ".join(words))[:characters]


def post_add_form(client, model, **values):
    url = reverse(f"admin:articles_{model}_add")
    fields = change_form_fields(client.get(url).content.decode())
    return client.post(url, with_changes(fields, **values))


def add_event(client, description):
    return post_add_form(
        client,
        "event",
        title="A long event",
        slug="long-event",
        description=description,
        start="2025-10-10",
        date_precision="day",
    )


def test_the_limits_are_a_claim_of_two_thousand_characters_and_a_description_of_five_thousand():
    assert (CLAIM_TEXT_MAX_LENGTH, EVENT_DESCRIPTION_MAX_LENGTH) == (2_000, 5_000)


def test_a_claim_text_of_the_longest_length_is_saved_and_found_by_search(editor_client, client):
    text = large_vocabulary(2_000)
    response = post_add_form(editor_client, "claim", text=text, slug="long-claim", kind="fact")
    assert response.status_code == 302
    assert Claim.objects.get(slug="long-claim").text == text
    found = client.get(reverse("articles:search"), {"q": "sanctionsbusting"}).content.decode()
    assert 'href="/claims/long-claim/"' in found


def test_a_claim_text_past_its_limit_is_refused_with_a_message_and_kept(editor_client):
    text = large_vocabulary(100_000)
    response = post_add_form(editor_client, "claim", text=text, slug="long-claim", kind="fact")
    assert response.status_code == 400
    page = response.content.decode()
    assert "A claim has at most 2,000 characters (this one has 100,000)" in page
    assert text in page
    assert not Claim.objects.filter(slug="long-claim").exists()


def test_an_event_description_of_the_longest_length_is_saved_and_shown(editor_client, client):
    description = large_vocabulary(5_000)
    assert add_event(editor_client, description).status_code == 302
    assert Event.objects.get(slug="long-event").description == description
    assert description[-40:] in client.get("/events/long-event/").content.decode()


def test_an_event_description_past_its_limit_is_refused_with_a_message_and_kept(editor_client):
    description = large_vocabulary(1_000_000)
    response = add_event(editor_client, description)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This description is 1,000,000 characters long; the limit is 5,000." in page
    assert description in page
    assert not Event.objects.filter(slug="long-event").exists()
