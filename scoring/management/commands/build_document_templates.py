"""Write the default Word templates of the documents (scoring/documents/docx/) from
scoring/documents/build.py, and with --samples the demo's context of each kind
(scoring/documents/samples/), which an uploaded template must render with.

    .venv/bin/python manage.py build_document_templates             # the .docx files
    .venv/bin/python manage.py build_document_templates --check     # fail if they differ
    .venv/bin/python manage.py load_demo && \\
    .venv/bin/python manage.py build_document_templates --samples   # also the samples
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from clusters.models import EmulationYear
from scoring.dev.demo import CLUSTER_CODE, CURRENT_YEAR
from scoring.documents.build import BUILDERS, build_template
from scoring.documents.kinds import DEFAULT_TEMPLATES, KINDS
from scoring.documents.selectors import SAMPLES, document_contexts

# The demo's conference year: published, scored, voted, with its details typed in.
SAMPLE_YEAR = CURRENT_YEAR - 1


class Command(BaseCommand):
    help = "Write the default Word templates of the documents (and, with --samples, the demo's contexts)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only check that the files are up to date."
        )
        parser.add_argument(
            "--samples",
            action="store_true",
            help="Also write each kind's context from the loaded demo (load_demo first).",
        )

    def handle(self, *args, **options):
        stale = []
        for kind in BUILDERS:
            data = build_template(kind)
            path = KINDS[kind].default_template
            if options["check"]:
                if not path.exists() or path.read_bytes() != data:
                    stale.append(path.name)
                continue
            DEFAULT_TEMPLATES.mkdir(exist_ok=True)
            path.write_bytes(data)
            self.stdout.write(f"{path} ({len(data)} bytes)")
        if stale:
            raise CommandError(f"Out of date: {', '.join(stale)} (run build_document_templates).")
        if options["samples"]:
            self._samples()

    def _samples(self) -> None:
        year = (
            EmulationYear.objects.select_related("cluster__supervising_unit")
            .filter(cluster__code=CLUSTER_CODE, year=SAMPLE_YEAR)
            .first()
        )
        if year is None:
            raise CommandError("The demo is not loaded: run `manage.py load_demo` first.")
        SAMPLES.mkdir(exist_ok=True)
        for kind in KINDS:
            prepared = document_contexts(
                emulation_year=year,
                kind=kind,
                number="05",
                issued_on=dt.date(SAMPLE_YEAR + 1, 1, 27),
            )
            context = prepared[0].context
            if kind == "results" and not context["warnings"]:
                # The demo's year has no warning: one stands in, so that a template's loop over
                # warnings is checked too (an empty list never renders its body).
                context["warnings"] = [
                    {
                        "subject": "Liên minh HTX tỉnh Cà Mau · 2.3 Tăng số thành viên HTX",
                        "message": "Chỉ tiêu không thể đạt với số liệu đã báo cáo (ví dụ).",
                    }
                ]
            path = SAMPLES / f"{kind}.json"
            path.write_text(
                json.dumps(context, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                encoding="utf-8",
            )
            self.stdout.write(f"{path}")
