import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.curation import FIXTURE_PATH
from articles.interchange import SCHEMA, UPDATE, ImportFailed, kb_import
from articles.versioning import record, record_initial_revisions


class Command(BaseCommand):
    help = (
        "Load a knowledge-base JSON document (export_kb's shape). Without a path, loads the shipped "
        "fixtures/kb.json. By default only creates what is missing: nothing already in the database is "
        "changed, and nothing an editor deleted is re-created. --update reviews (and with --apply makes) "
        "updates, skipping every object edited since it was loaded unless --overwrite-edited."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(FIXTURE_PATH), help="A JSON file, or - for stdin.")
        parser.add_argument(
            "--update",
            action="store_true",
            help="Also update objects that differ from the file. A dry run unless --apply is given.",
        )
        parser.add_argument("--apply", action="store_true", help="With --update: write the changes.")
        parser.add_argument(
            "--overwrite-edited",
            action="store_true",
            help="With --update: also replace objects an editor changed, and re-create those deleted, since loading.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what loading would do; write nothing.")

    def handle(self, *args, path, update, apply, overwrite_edited, dry_run, verbosity, **options):
        if (apply or overwrite_edited) and not update:
            raise CommandError("--apply and --overwrite-edited go with --update.")
        document = self.read(path)
        try:
            report = kb_import(
                document, update=update, overwrite_edited=overwrite_edited, apply=(apply or not update) and not dry_run
            )
        except ImportFailed as failure:
            listing = "\n".join(f"  - {problem}" for problem in failure.problems)
            raise CommandError(
                f"{path} does not fit the knowledge base; nothing was loaded. "
                f"{len(failure.problems)} problem(s):\n{listing}"
            ) from None
        if report.applied and report.changed:
            # Every object gets a first revision, and every update a new one, so the
            # admin can revert to, or recover, the state the load left (articles/versioning.py).
            record_initial_revisions(document, comment=f"Loaded by load_kb from {Path(path).name}.")
            updated = [SCHEMA[step.kind].model.objects.get(slug=step.slug) for step in report.of(UPDATE)]
            if updated:
                record(updated, comment=f"Updated by load_kb from {path}.")
        lines = report.lines(each_created=update or verbosity > 1)
        for line in lines[:-1]:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(lines[-1]))

    def read(self, path):
        try:
            if path == "-":
                return json.load(sys.stdin)
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text: {error.reason} at byte {error.start}.") from None
        except json.JSONDecodeError as error:
            raise CommandError(f"{path} is not valid JSON: {error}.") from None
        except RecursionError:
            raise CommandError(f"{path} is nested too deeply to be a knowledge-base document.") from None
