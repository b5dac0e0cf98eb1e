import json

from django.core.management.base import BaseCommand

from articles.curation import write_curated
from articles.interchange import kb_export


class Command(BaseCommand):
    help = (
        "Write the whole knowledge base to stdout as one JSON document (shape documented in README), "
        "or with --curated DIR as the curated YAML files that build_fixtures reads."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--curated",
            metavar="DIR",
            help="Write the curated YAML layout (actors.yaml, events.yaml, claims.yaml, articles/) into DIR.",
        )

    def handle(self, *args, curated, **options):
        document = kb_export()
        if curated:
            written = write_curated(document, curated)
            self.stdout.write(self.style.SUCCESS(f"Wrote {len(written)} files under {curated}."))
            return
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
