from django.core.management.base import BaseCommand

from articles.services import citations_refresh_context


class Command(BaseCommand):
    help = "Store the sentences around every anchored quote afresh (what claim pages show as its context)."

    def handle(self, *args, **options):
        changed = citations_refresh_context()
        self.stdout.write(self.style.SUCCESS(f"Refreshed the quote context of {changed} citation(s)."))
