"""The OpenAPI description, tested by schemathesis against the app in-process (WSGI).

Requests are generated from /api/openapi.json for every operation, and every
answer must be no server error, carry a documented status and content type,
and match its documented schema. The detail pages' slugs get real examples
from the shipped fixtures (a random slug is a 404, which says little), and an
old slug of a renamed claim exercises the 301.

Kept to a few examples per operation, so the run takes seconds.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
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
def api_schema(shipped_kb, db, settings):
    from kb.wsgi import application

    settings.API_RATE_LIMIT = 0  # rate limiting has its own tests; here every request must be served
    settings.ALLOWED_HOSTS = ["*"]
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    paths = schema.raw_schema["paths"]
    for page in READER_PAGES:
        if page.is_detail:
            slugs = list(page.slugs()[:3])
            slug_parameter = paths["/" + page.json_route.replace("<slug:slug>", "{slug}")]["get"]["parameters"][0]
            slug_parameter["examples"] = {f"shipped-{n}": {"value": slug} for n, slug in enumerate(slugs)}
    ids = list(Citation.objects.order_by("pk").values_list("pk", flat=True)[:3])
    paths["/annotations/{id}"]["get"]["parameters"][0]["examples"] = {
        f"shipped-{n}": {"value": pk} for n, pk in enumerate(ids)
    }
    return schema


def test_every_answer_matches_the_openapi_description(api_schema):
    # One Hypothesis run per operation, in this test's database transaction. (schemathesis's own
    # pytest integration for a schema built in a fixture does not run under pytest 9.)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == len(READER_PAGES) + 2  # every page's JSON twin, and the two annotation endpoints

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def answers_as_described(case):
            case.call_and_validate(checks=CHECKS)

        answers_as_described()
