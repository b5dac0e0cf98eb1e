"""Text the admin does not cap (a claim's text, an event's description) saves however long it is, on PostgreSQL too.

PostgreSQL refuses a tsvector over 1 MB; the stored search vector indexes only
the first part of a long text, so the save goes through and nothing typed is lost.
"""

import random
import string

import pytest
from django.urls import reverse

from articles.models import Claim, Event
from tests.admin_forms import change_form_fields, with_changes

pytestmark = pytest.mark.django_db


def large_vocabulary(characters):
    """Text of many different words, as a pasted report would be: about 2.7 MB of tsvector for 2 MB."""
    rnd = random.Random(9)
    words = ("".join(rnd.choices(string.ascii_lowercase, k=rnd.randint(5, 12))) for _ in range(characters // 5))
    return ("Sanctionsbusting " + " ".join(words))[:characters]


def post_add_form(client, model, **values):
    url = reverse(f"admin:articles_{model}_add")
    fields = change_form_fields(client.get(url).content.decode())
    return client.post(url, with_changes(fields, **values))


def test_a_two_megabyte_claim_text_is_saved_and_found_by_search(editor_client, client):
    text = large_vocabulary(2_000_000)
    response = post_add_form(editor_client, "claim", text=text, slug="long-claim", kind="fact")
    assert response.status_code == 302
    assert Claim.objects.get(slug="long-claim").text == text
    found = client.get(reverse("articles:search"), {"q": "sanctionsbusting"}).content.decode()
    assert 'href="/claims/long-claim/"' in found


def test_a_two_megabyte_event_description_is_saved(editor_client, client):
    description = large_vocabulary(2_000_000)
    response = post_add_form(
        editor_client,
        "event",
        title="A long event",
        slug="long-event",
        description=description,
        start="2025-10-10",
        date_precision="day",
    )
    assert response.status_code == 302
    assert Event.objects.get(slug="long-event").description == description
    assert client.get("/events/long-event/").status_code == 200
