from django.core.management.base import BaseCommand

from articles.integrity import run_checks


class Command(BaseCommand):
    help = "Check that every statement in the knowledge base is backed by its source. Exits 1 on any failure."

    def handle(self, *args, **options):
        results = run_checks()
        failures = 0
        for description, problems in results.items():
            if problems:
                failures += len(problems)
                self.stdout.write(self.style.ERROR(f"FAIL  {description} ({len(problems)})"))
                for problem in problems:
                    self.stdout.write(f"      - {problem}")
            else:
                self.stdout.write(self.style.SUCCESS(f"ok    {description}"))
        if failures:
            self.stderr.write(f"{failures} problem(s) found.")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("The knowledge base checks out."))
