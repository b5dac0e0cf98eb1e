import json
import sys

from django.core.management.base import BaseCommand, CommandError

from articles.curation import FIXTURE_PATH
from articles.interchange import ImportFailed, kb_import
from articles.versioning import record_initial_revisions


class Command(BaseCommand):
    help = (
        "Load a knowledge-base JSON document (export_kb's shape), creating or updating by slug. "
        "Without a path, loads the shipped fixtures/kb.json. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(FIXTURE_PATH), help="A JSON file, or - for stdin.")

    def handle(self, *args, path, **options):
        try:
            if path == "-":
                document = json.load(sys.stdin)
            else:
                with open(path, encoding="utf-8") as handle:
                    document = json.load(handle)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except json.JSONDecodeError as error:
            raise CommandError(f"{path} is not valid JSON: {error}.") from None
        try:
            report = kb_import(document)
        except ImportFailed as failure:
            listing = "\n".join(f"  - {problem}" for problem in failure.problems)
            raise CommandError(
                f"{path} does not fit the knowledge base; nothing was loaded. "
                f"{len(failure.problems)} problem(s):\n{listing}"
            ) from None
        # Every object gets a first revision, so the admin can revert to, or
        # recover, the state the import left (see articles/versioning.py).
        record_initial_revisions(comment=f"Loaded by load_kb from {path}.")
        self.stdout.write(self.style.SUCCESS(report.summary()))
