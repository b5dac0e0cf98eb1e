"""The OpenAPI description, tested by schemathesis against the app in-process (WSGI).

Requests are generated from /api/openapi.json for every operation, and every
answer must be no server error, carry a documented status and content type,
and match its documented schema. The detail pages' slugs get real examples
from the test world (a random slug is a 404, which says little), and an
old slug of a renamed claim exercises the 301.

Kept to a few examples per operation, so the run takes seconds.
"""

from collections import defaultdict

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from articles.models import Citation
from articles.pages import READER_PAGES

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_connections():
    # The app is called straight through WSGI, not through Django's test client, which is what
    # normally stops each request from closing the database connection: the test's transaction
    # (and its data) would go with it.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_schema(world, db, settings, keep_connections):
    from kb.wsgi import application

    settings.API_RATE_LIMIT = 0  # rate limiting has its own tests; here every request must be served
    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def known_path_values(world):
    """{operation path: [path parameters of real objects]}, and an old slug of a renamed claim."""
    renamed = world.greeted
    renamed.slug = "kim-greeted-lam-at-the-airport"
    renamed.save()
    values = {}
    for page in READER_PAGES:
        if page.is_detail:
            path = "/" + page.json_route.replace("<slug:slug>", "{slug}")
            values[path] = [{"slug": slug} for slug in page.slugs()[:3]]
    values["/claims/{slug}.json"].append({"slug": "kim-greeted-lam"})
    ids = Citation.objects.order_by("pk").values_list("pk", flat=True)[:3]
    values["/annotations/{id}"] = [{"id": pk} for pk in ids]
    return values


def test_every_answer_matches_the_openapi_description(api_schema, known_path_values):
    # One Hypothesis run per operation, in this test's database transaction. (schemathesis's own
    # pytest integration for a schema built in a fixture does not run under pytest 9.)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == len(READER_PAGES) + 2  # every page's JSON twin, and the two annotation endpoints

    statuses = defaultdict(set)
    for operation in operations:
        # Generated requests, and the same with the path naming real objects (a random slug is a 404).
        strategy = st.one_of(
            operation.as_strategy(),
            *[operation.as_strategy(path_parameters=values) for values in known_path_values.get(operation.path, [])],
        )

        @given(case=strategy)
        @settings(
            max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def answers_as_described(case):
            statuses[case.operation.path].add(case.call_and_validate(checks=CHECKS).status_code)

        answers_as_described()

    # Real objects were reached, and an old slug: not only 404s and 400s were checked.
    assert {path for path, seen in statuses.items() if 200 not in seen} == set()
    assert 301 in statuses["/claims/{slug}.json"]
