"""`manage.py suggest_citations`: the claims a new text supports, qualifies or disputes."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import figures
from articles.models import Claim
from articles.names import NameIndex
from articles.suggestions import evaluate, suggest
from tests.factories import cite, make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shipped_kb")]

LABELLED = Path(__file__).parent / "data" / "suggestions"
# Measured on the labelled set (README, "Suggested citations"): claims found, precision 0.91 and recall 0.83
# on SQLite, 0.88 and 0.80 on PostgreSQL; with the labelled stance too, 0.84 and 0.77, 0.81 and 0.74.
FLOOR = {"precision": 0.85, "recall": 0.78, "stance_precision": 0.78, "stance_recall": 0.72}


def run(*args):
    out = io.StringIO()
    call_command("suggest_citations", *args, stdout=out)
    return out.getvalue()


def suggestions_for(tmp_path, text, year=2025):
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    return json.loads(run("--file", str(path), "--year", str(year), "--json"))


def by_claim(found):
    return {suggestion["claim"]: suggestion for suggestion in found}


def test_json_gives_claim_quote_stance_score_and_differences_with_the_quote_verbatim(tmp_path):
    text = "# Arrival\n\nTô Lâm arrived in Pyongyang on 9 October for a state visit lasting three days.\n"
    found = suggestions_for(tmp_path, text)
    visit = by_claim(found)["lam-state-visit-9-11-october-2025"]
    assert set(visit) == {"claim", "quote", "stance", "score", "differences"}
    assert visit["quote"] == "Tô Lâm arrived in Pyongyang on 9 October for a state visit lasting three days."
    assert visit["quote"] in text
    assert visit["stance"] == "supports"
    assert 0 < visit["score"] <= 1
    assert visit["differences"] == []


def test_agreement_in_other_words_is_found_through_the_articles_year(tmp_path):
    found = by_claim(suggestions_for(tmp_path, "It is the first visit by a Vietnamese leader in 18 years.", year=2025))
    assert found["first-party-chief-visit-since-2007"]["stance"] == "supports"
    assert found["first-party-chief-visit-since-2007"]["differences"] == []


def test_a_different_anniversary_is_listed_as_a_difference_and_suggested_as_disputing(tmp_path):
    text = "Hanoi and Pyongyang celebrated the 50th anniversary of relations (1950–2025) this year with speeches."
    found = by_claim(suggestions_for(tmp_path, text))
    ties = found["diplomatic-ties-75-years"]
    assert ties["differences"] == [
        {"kind": "count", "sentence": "50th anniversary", "claim": "75 years", "approximate": False}
    ]
    assert ties["stance"] == "disputes"


def test_a_denial_disputes_and_a_hedge_qualifies(tmp_path):
    text = (
        "Kim Jong Un never travelled to Hanoi in 2019; his summit with Trump that year was held somewhere else.\n\n"
        "Lam may attend the parade for the Workers' Party of Korea's 80th anniversary on 10 October 2025, "
        "officials said."
    )
    found = by_claim(suggestions_for(tmp_path, text))
    assert found["kim-visited-hanoi-2019-summit"]["stance"] == "disputes"
    assert found["lam-to-attend-wpk-anniversary"]["stance"] == "qualifies"


def test_eighteen_years_against_almost_twenty_is_an_approximate_difference():
    sentence = figures.quantities("the first visit by a Vietnamese leader in 18 years", 2025)
    claim = figures.quantities("the first visit by a Vietnamese leader in almost 20 years", 2025)
    agreements, differences = figures.compare(sentence, claim)
    assert [str(difference) for difference in differences] == ["“18 years” vs “almost 20 years” (approximately)"]


def test_a_year_and_a_duration_agree_given_the_year_of_writing():
    agreements, differences = figures.compare(
        figures.quantities("in 18 years", 2025), figures.quantities("the previous visit was in 2007", 2025)
    )
    assert agreements > 0
    assert differences == []
    agreements, differences = figures.compare(
        figures.quantities("in 18 years", 2030), figures.quantities("the previous visit was in 2007", 2030)
    )
    assert agreements == 0


def test_name_variants_and_diacritics_resolve_to_actors():
    names = NameIndex.load()
    found = {m.text: m.actor.slug for m in names.mentions("Tô Lâm, General Secretary Lam and Kim Jong-un met.")}
    assert found == {"Tô Lâm": "to-lam", "General Secretary Lam": "to-lam", "Kim Jong-un": "kim-jong-un"}


def test_unknown_names_are_offered_as_new_actors_or_as_aliases(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(
        "President Lee met Nguyen Van Hung of the Hanoi Institute on the trip to Pyongyang.", encoding="utf-8"
    )
    output = run("--file", str(path))
    assert "Names no actor answers to:" in output
    assert "Lee: add “Lee” as an alias of Lee Jae Myung" in output
    assert "Nguyen Van Hung: add “Nguyen Van Hung” as a new actor" in output


def test_the_text_output_shows_claim_quote_stance_score_and_what_differs(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text("A memorial near Hanoi honours 12 North Korean pilots who were killed in combat.", encoding="utf-8")
    output = run("--file", str(path), "--year", "2025")
    assert "disputes memorial-14-north-korean-pilots (score 0." in output
    assert "  claim: A memorial in Bac Giang commemorates 14 North Korean pilots who died in combat." in output
    assert "  quote: A memorial near Hanoi honours 12 North Korean pilots who were killed in combat." in output
    assert "  differs: count: “12 North Korean pilots” vs “14 North Korean pilots”" in output


def test_an_article_is_not_offered_the_quotes_it_already_cites():
    airmen = "Some 200 North Korean personnel served with North Vietnam's air force in the conflict."
    reforms = "Vietnam launched its Doi Moi reforms in 1986, which opened the country to trade and growth."
    article = make_article(f"{airmen}\n\n{reforms}", slug="air-war")
    cite(Claim.objects.get(slug="doi-moi-began-1986"), article, reforms)
    found = {(s["claim"], s["quote"]) for s in json.loads(run("--article", "air-war", "--json"))}
    assert ("about-100-north-koreans-in-air-force", airmen) in found
    assert not {quote for _, quote in found} & {reforms}


def test_a_sentence_holding_a_quote_already_cited_into_a_claim_is_not_suggested_for_it_again(tmp_path):
    text = "Vietnam launched its Doi Moi reforms in 1986, which opened the country to trade and growth."
    reforms = Claim.objects.get(slug="doi-moi-began-1986")
    assert reforms.pk in {s.claim.pk for s in suggest(text, year=2025).suggestions}
    cited = [(reforms.pk, "Vietnam launched its Doi Moi reforms in 1986")]
    assert reforms.pk not in {s.claim.pk for s in suggest(text, year=2025, cited=cited).suggestions}


def test_headings_and_questions_are_not_suggested(tmp_path):
    text = (
        "# Vietnam launched its Doi Moi reforms in 1986\n\n"
        "Did Vietnam launch its Doi Moi reforms in 1986, opening the country to trade and growth?"
    )
    assert suggestions_for(tmp_path, text) == []
    assert "No sentence of this text bears on a claim in the knowledge base." in run_on(tmp_path, text)


def run_on(tmp_path, text):
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    return run("--file", str(path))


def test_a_missing_file_or_unknown_article_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("--file", str(tmp_path / "missing.txt"))
    with pytest.raises(CommandError, match="No article has the slug “nope”"):
        run("--article", "nope")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CommandError, match="is not a UTF-8 text file"):
        run("--file", str(tmp_path / "binary.txt"))


def test_a_long_text_runs_as_many_queries_as_a_short_one():
    short = "Tô Lâm arrived in Pyongyang on 9 October for a state visit lasting three days."
    long = "\n\n".join(path.read_text(encoding="utf-8") for path in sorted(LABELLED.glob("*.txt")))
    counts = []
    for text in (short, long):
        with CaptureQueriesContext(connection) as queries:
            suggest(text, year=2025)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_precision_and_recall_on_the_labelled_set_stay_above_the_measured_floor():
    result = evaluate(LABELLED)
    measured = {name: getattr(result, name) for name in FLOOR}
    assert all(measured[name] >= floor for name, floor in FLOOR.items()), (measured, result.misses, result.extras)


def test_precision_and_recall_stay_above_the_floor_once_postgresql_has_statistics():
    # A live database is ANALYZEd by autovacuum; the test database otherwise never is. In the shipped
    # knowledge base (133 claims) a word in seven claims is in 5 % of them, and once statistics said so,
    # such words went unasked: recall fell to 0.63.
    if connection.vendor != "postgresql":
        pytest.skip("the statistics are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_claim")
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'articles_claim' AND attname = 'search_vector'")
        assert cursor.fetchone() == (1,)
    result = evaluate(LABELLED)
    measured = {name: getattr(result, name) for name in FLOOR}
    assert all(measured[name] >= floor for name, floor in FLOOR.items()), (measured, result.misses, result.extras)


def test_evaluate_prints_precision_and_recall():
    output = run("--evaluate", str(LABELLED))
    assert "Claims:            precision 0." in output
    assert "Claims and stance: precision 0." in output
