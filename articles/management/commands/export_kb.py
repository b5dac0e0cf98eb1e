import json

from django.core.management.base import BaseCommand

from articles.interchange import kb_export


class Command(BaseCommand):
    help = "Write the whole knowledge base to stdout as one JSON document (shape documented in README)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(kb_export(), ensure_ascii=False, indent=2))
