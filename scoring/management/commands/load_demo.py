from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scoring.dev.demo import SAMPLE_NOTE, demo_exists, demo_load


class Command(BaseCommand):
    help = "Load the demo Southwest Hậu River cluster (sample data) with one user per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the demo is already loaded.",
        )
        parser.add_argument(
            "--logins-file",
            default=str(Path(settings.BASE_DIR) / "var" / "demo-logins.txt"),
            help="Where to write the generated demo passwords (local use only).",
        )
        parser.add_argument("--force", action="store_true", help="Load even with DEBUG off.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load demo users with DEBUG off (use --force on a test machine)."
            )
        logins_file = Path(options["logins_file"])
        if demo_exists():
            if options["if_empty"]:
                self.stdout.write("The demo cluster is already loaded.")
                if logins_file.exists():
                    self.stdout.write(
                        f"Demo logins: {logins_file}\n" + logins_file.read_text(encoding="utf-8")
                    )
                return
            raise CommandError("The demo cluster is already loaded.")
        logins = demo_load(logins_path=logins_file)
        self.stdout.write(self.style.SUCCESS("Loaded the Southwest Hậu River cluster, 2019–2026."))
        self.stdout.write(SAMPLE_NOTE)
        self.stdout.write(f"Demo logins (local use only; also in {logins_file}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<16} {login.password:<14} {login.role}")
