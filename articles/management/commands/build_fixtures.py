import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.curation import CURATED_DIR, FIXTURE_PATH, CurationError, build_document


def render_fixture(document):
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


class Command(BaseCommand):
    help = "Build fixtures/kb.json from the curated YAML in fixtures/curated/."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only report whether kb.json is up to date.")
        parser.add_argument("--output", default=str(FIXTURE_PATH))

    def handle(self, *args, check, output, **options):
        try:
            text = render_fixture(build_document(CURATED_DIR))
        except CurationError as error:
            raise CommandError(str(error)) from None
        target = Path(output)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if check:
            if current != text:
                self.stderr.write(f"{target} is out of date: run `manage.py build_fixtures`.")
                raise SystemExit(1)
            self.stdout.write(self.style.SUCCESS(f"{target} is up to date."))
            return
        if current == text:
            self.stdout.write(f"{target} is already up to date.")
            return
        target.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {target}."))
