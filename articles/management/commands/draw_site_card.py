"""Draw static/img/share-card.png, the share card of every page but a claim's.

The file is committed; run this after changing articles.cards' drawing or the
site's name, and commit the result. Safe to run twice: it only overwrites the file.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from articles.cards import render_site_card

SITE_CARD = Path(settings.BASE_DIR) / "static" / "img" / "share-card.png"


class Command(BaseCommand):
    help = "Draw the site's default share card into static/img/share-card.png."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=SITE_CARD, help="Where to write it (default: %(default)s).")

    def handle(self, *args, output, **options):
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(render_site_card())
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}."))
