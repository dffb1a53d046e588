"""Shared pieces of the scoring commands: finding the year, turning domain errors into exit codes."""

from __future__ import annotations

from django.core.management.base import CommandError

from clusters.models import EmulationYear

# A bad input file (or a bad scheme) exits with status 2, as command-line tools do for usage errors.
BAD_INPUT = 2


def add_year_arguments(parser) -> None:
    parser.add_argument(
        "--cluster", required=True, help="The cluster's code, e.g. tay-nam-song-hau."
    )
    parser.add_argument("--year", required=True, type=int, help="The calendar year, e.g. 2021.")


def get_year(options) -> EmulationYear:
    try:
        return EmulationYear.objects.select_related("cluster").get(
            cluster__code=options["cluster"], year=options["year"]
        )
    except EmulationYear.DoesNotExist:
        raise CommandError(
            f"Cụm “{options['cluster']}” chưa có năm thi đua {options['year']} "
            f"(no emulation year {options['year']} for cluster {options['cluster']!r}).",
            returncode=BAD_INPUT,
        ) from None
