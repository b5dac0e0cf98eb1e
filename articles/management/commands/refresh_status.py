from django.core.management.base import BaseCommand

from articles.models import Claim, ClaimStatus, Event
from articles.services import refresh_all_statuses


class Command(BaseCommand):
    help = "Recompute every claim's stored status and counted origins, and every event's counts, from the citations."

    def handle(self, *args, **options):
        refresh_all_statuses()
        counts = ", ".join(
            f"{Claim.objects.with_status(status).count()} {label.lower()}" for status, label in ClaimStatus.choices
        )
        self.stdout.write(self.style.SUCCESS(f"Refreshed the status of {Claim.objects.count()} claim(s): {counts}."))
        contested = Event.objects.filter(contested=True).count()
        self.stdout.write(
            self.style.SUCCESS(f"Refreshed the counts of {Event.objects.count()} event(s): {contested} contested.")
        )
