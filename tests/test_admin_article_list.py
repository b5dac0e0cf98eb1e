"""The admin's article list: columns that fit, filters that offer what is relevant, dates at their precision."""

import datetime
import re

import pytest

from articles.dates import DatePrecision
from articles.models import Actor
from tests.factories import make_actor, make_article

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/articles/article/"


def filter_choices(page, title):
    """The link texts under one filter heading of the change list's sidebar."""
    section = re.search(rf"<summary>\s*By {title}\s*</summary>(.*?)</details>", page, re.S)
    assert section, f"no '{title}' filter on the page"
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", section[1], re.S)]


@pytest.fixture
def outlets_and_people():
    reuters = make_actor("Reuters", kind=Actor.Kind.OUTLET)
    make_actor("Unused Outlet", kind=Actor.Kind.OUTLET)
    person = make_actor("Nguyen Van A")
    make_article(
        title="Monthly piece",
        publisher=reuters,
        published=datetime.date(2025, 10, 1),
        date_precision=DatePrecision.MONTH,
        authors=[person],
    )
    make_article(title="Daily piece", published=datetime.date(2024, 3, 9))
    make_article(title="Yearly piece", published=datetime.date(2023, 1, 1), date_precision=DatePrecision.YEAR)


def test_publisher_and_wire_filters_list_outlets_only(editor_client, outlets_and_people):
    page = editor_client.get(LIST_URL).content.decode()

    outlets = ["All", "Reuters", "Unused Outlet", "not stated"]
    assert filter_choices(page, "publisher") == outlets
    assert filter_choices(page, "wire service / original publisher") == outlets


def test_one_credited_column_replaces_publisher_and_wire(editor_client, outlets_and_people):
    page = editor_client.get(LIST_URL).content.decode()

    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', page)
    assert headers == [
        "title",
        "credited_to",
        "published_display",
        "kind",
        "citation_count",
        "lost_count",
        "reading_link",
    ]
    assert "Nguyen Van A, Reuters" in page


def test_the_published_filter_offers_years_then_months_never_days(editor_client, outlets_and_people):
    years = filter_choices(editor_client.get(LIST_URL).content.decode(), "published")
    assert years == ["All", "2025", "2024", "2023"]

    in_2025 = editor_client.get(LIST_URL, {"published": "2025"}).content.decode()
    assert filter_choices(in_2025, "published") == ["All", "All of 2025", "October 2025"]
    assert "1 October" not in in_2025

    october = editor_client.get(LIST_URL, {"published": "2025-10"}).content.decode()
    assert "Monthly piece" in october
    assert "Daily piece" not in october


def test_a_year_precision_date_is_not_offered_as_a_month(editor_client, outlets_and_people):
    in_2023 = editor_client.get(LIST_URL, {"published": "2023"}).content.decode()

    assert filter_choices(in_2023, "published") == ["All", "All of 2023"]
    assert "Yearly piece" in in_2023
    assert "Yearly piece" not in editor_client.get(LIST_URL, {"published": "2023-01"}).content.decode()


def test_a_malformed_published_value_lists_everything_instead_of_failing(editor_client, outlets_and_people):
    response = editor_client.get(LIST_URL, {"published": "20x5-Ω"})

    assert response.status_code == 200
    assert "Daily piece" in response.content.decode()


def test_the_url_field_is_labelled_url_in_capitals(editor_client, outlets_and_people):
    page = editor_client.get(f"{LIST_URL}add/").content.decode()

    assert '<label for="id_url">URL:</label>' in page


def test_the_login_page_has_a_heading(client):
    page = client.get("/admin/login/").content.decode()

    assert re.findall(r"<h1>(.*?)</h1>", page) == ["Log in to edit the knowledge base"]
