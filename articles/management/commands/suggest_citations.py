"""`manage.py suggest_citations --file PATH` (or `--article SLUG`): the claims a text bears on.

Prints, for each sentence that bears on a claim already in the knowledge base,
the claim, the sentence (a verbatim quote of the text), a suggested stance, a
match score and the figures, dates, counts and names on which they differ;
then the names in the text that no actor answers to, with what to add. With
--json, prints the suggestions only, as a JSON list. Reads, never writes.
"""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from articles.suggestions import evaluate, suggest, suggest_for_article


class Command(BaseCommand):
    help = "Suggest the existing claims an article text supports, qualifies or disputes."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--file", help="A plain-text or Markdown file holding the article text.")
        source.add_argument("--article", help="The slug of an article already in the knowledge base.")
        source.add_argument(
            "--evaluate",
            metavar="DIR",
            help="Measure precision and recall on a labelled set (a directory with labels.yaml).",
        )
        parser.add_argument(
            "--year",
            type=int,
            help="The year the text was written, for “in 18 years” arithmetic (--file only; default: this year).",
        )
        parser.add_argument("--json", action="store_true", help="Print a JSON list of suggestions.")

    def handle(self, *args, **options):
        if options["evaluate"]:
            self._evaluate(options["evaluate"])
            return
        if options["article"]:
            article = Article.objects.filter(slug=options["article"]).first()
            if article is None:
                raise CommandError(f"No article has the slug “{options['article']}”.")
            report = suggest_for_article(article)
        else:
            path = Path(options["file"])
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError as error:
                raise CommandError(f"No such file: {path}") from error
            except (UnicodeDecodeError, IsADirectoryError) as error:
                raise CommandError(f"{path} is not a UTF-8 text file.") from error
            report = suggest(text, year=options["year"] or datetime.date.today().year)
        if options["json"]:
            self.stdout.write(json.dumps([s.as_dict() for s in report.suggestions], ensure_ascii=False, indent=2))
            return
        self._print(report)

    def _evaluate(self, directory):
        if not (Path(directory) / "labels.yaml").is_file():
            raise CommandError(f"{directory} holds no labels.yaml.")
        result = evaluate(directory)
        for line in result.misses:
            self.stdout.write(f"missed: {line}")
        for line in result.extras:
            self.stdout.write(f"not labelled: {line}")
        for line in result.wrong_stances:
            self.stdout.write(f"stance: {line}")
        self.stdout.write(
            f"{result.suggested} suggested, {result.expected} labelled, {result.found} found, "
            f"{result.right_stance} with the labelled stance.\n"
            f"Claims:            precision {result.precision:.2f}, recall {result.recall:.2f}\n"
            f"Claims and stance: precision {result.stance_precision:.2f}, recall {result.stance_recall:.2f}"
        )

    def _print(self, report):
        if not report.suggestions:
            self.stdout.write("No sentence of this text bears on a claim in the knowledge base.")
        for suggestion in report.suggestions:
            self.stdout.write(
                self.style.SUCCESS(f"{suggestion.stance} {suggestion.claim.slug} (score {suggestion.score:.2f})")
            )
            self.stdout.write(f"  claim: {suggestion.claim.text}")
            self.stdout.write(f"  quote: {suggestion.quote}")
            for difference in suggestion.differences:
                self.stdout.write(f"  differs: {difference.family}: {difference}")
        if report.known_names:
            found = ", ".join(f"{m.text} → {m.actor.slug}" for m in report.known_names)
            self.stdout.write(f"\nActors named: {found}")
        if report.unknown_names:
            self.stdout.write("\nNames no actor answers to:")
            for mention in report.unknown_names:
                self.stdout.write(f"  {mention.text}: {mention.offer}")
