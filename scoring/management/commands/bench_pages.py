from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from clusters.models import Cluster, EmulationYear, RoleGrant, Unit
from scoring.dev import bench, bench_awards
from scoring.ranking.services.recompute import years_recompute


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session_cookie(user) -> str:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "clusters.permissions.ScopeGenerationBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


class Command(BaseCommand):
    help = (
        "Serve the ranking page of a 30-member, 40-criteria year, the overview of 100 clusters, "
        "the home page's inbox (a secretariat of 30 members, a leadership user over 100 clusters), "
        "an awarding body's queue of award dossiers from 1,400 clusters and a unit's award history "
        "of 10 years of decisions from the configured database under gunicorn, load them from a "
        "second process on loopback (bounded), and print p50/p95 and requests per second next to "
        "a trivial view."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=20)
        parser.add_argument("--seconds", type=float, default=15)
        parser.add_argument("--workers", type=int, default=3)
        parser.add_argument("--keep", action="store_true")
        parser.add_argument(
            "--award-clusters",
            type=int,
            default=1400,
            help="Clusters whose dossiers (one each, mixed states) the awarding body's queue holds.",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_pages measures the production shape: set DATABASE_URL to PostgreSQL."
            )
        bench_awards.cleanup()  # first: its dossiers hold on to bench- years and units
        bench.cleanup()
        user = secretariat = officer = reader = None
        try:
            self.stdout.write(
                "building: 1 year × 30 members × 40 criteria, 100 clusters × 7 members …"
            )
            bench.build(clusters=1, members=30, criteria=40, tag="big-")
            bench.build(clusters=100, members=7, criteria=40, tag="ov-")
            ids = list(
                EmulationYear.objects.filter(
                    cluster__code__startswith=bench.PREFIX, year=bench.YEAR
                ).values_list("pk", flat=True)
            )
            years_recompute(emulation_year_ids=ids)
            big = EmulationYear.objects.get(cluster__code=f"{bench.PREFIX}big-c0", year=bench.YEAR)
            supervising = Unit.objects.get(code=f"{bench.PREFIX}sup")
            user, _ = get_user_model().objects.get_or_create(username="bench-leadership")
            RoleGrant.objects.get_or_create(
                user=user, role=RoleGrant.Role.LEADERSHIP, unit=supervising
            )
            secretariat, _ = get_user_model().objects.get_or_create(username="bench-secretariat")
            RoleGrant.objects.get_or_create(
                user=secretariat, role=RoleGrant.Role.SECRETARIAT, cluster_id=big.cluster_id
            )
            cookie, secretariat_cookie = _session_cookie(user), _session_cookie(secretariat)
            clusters = Cluster.objects.filter(code__startswith=bench.PREFIX).count()
            n = options["award_clusters"]
            self.stdout.write(f"building: {n:,} clusters' award dossiers under one awarding body …")
            awards = bench_awards.build(clusters=n)
            officer, _ = get_user_model().objects.get_or_create(username="bench-awarding")
            RoleGrant.objects.get_or_create(
                user=officer, role=RoleGrant.Role.AWARDING, unit=awards.body
            )
            # The history page's usual reader: the unit's own reporter.
            reader, _ = get_user_model().objects.get_or_create(username="bench-award-reader")
            RoleGrant.objects.get_or_create(
                user=reader, role=RoleGrant.Role.REPORTER, unit=awards.history_unit
            )
            officer_cookie, reader_cookie = _session_cookie(officer), _session_cookie(reader)
            results = self._serve_and_load(
                {
                    "trivial view (/healthz/)": ("/healthz/", cookie),
                    f"ranking page (30 members × 40 criteria, {clusters} clusters in the database)": (
                        f"/nam/{big.pk}/",
                        cookie,
                    ),
                    "overview (100 clusters)": (f"/tong-quan/?nam={bench.YEAR}", cookie),
                    "inbox, home page (secretariat of 30 members)": ("/", secretariat_cookie),
                    f"inbox, home page (leadership over {clusters} clusters)": ("/", cookie),
                    f"award dossiers' queue (awarding body, {n:,} clusters' dossiers)": (
                        "/ho-so/",
                        officer_cookie,
                    ),
                    "award dossiers' queue, filtered and sorted by cluster": (
                        "/ho-so/?state=submitted&sort=cum",
                        officer_cookie,
                    ),
                    "a unit's award history (10 years of decisions)": (
                        f"/don-vi/{awards.history_unit.pk}/khen-thuong/",
                        reader_cookie,
                    ),
                },
                options,
            )
        finally:
            if not options["keep"]:
                for someone in (user, secretariat, officer, reader):
                    if someone is not None:
                        someone.delete()
                bench_awards.cleanup()
                bench.cleanup()
        trivial = next(iter(results.values()))
        for name, r in results.items():
            share = r["rps"] / trivial["rps"] * 100 if trivial["rps"] else 0
            self.stdout.write(
                f"{name:<75} p50 {r['p50_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms  {r['rps']:7.1f} req/s "
                f"({share:5.1f}% of trivial)  errors {r['errors']}"
            )
        self.stdout.write(json.dumps(results))

    def _serve_and_load(self, targets: dict[str, tuple[str, str]], options) -> dict:
        port = free_port()
        env = dict(
            os.environ,
            DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            SECURE_HSTS_SECONDS="0",
        )
        # The session was signed with this process's key: the server must use the same one.
        env["SECRET_KEY"] = settings.SECRET_KEY
        root = Path(settings.BASE_DIR)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=root,
            env=env,
            check=True,
        )
        server = subprocess.Popen(  # noqa: S603 — our own interpreter, gunicorn and settings
            [
                sys.executable,
                "-m",
                "gunicorn",
                "emulation.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(options["workers"]),
                "--log-level",
                "warning",
            ],
            cwd=root,
            env=env,
        )
        try:
            for _ in range(100):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    time.sleep(0.1)
            results = {}
            for name, (path, cookie) in targets.items():
                done = subprocess.run(  # noqa: S603 — the load generator of this project
                    [
                        sys.executable,
                        str(root / "scripts" / "loadgen.py"),
                        f"http://127.0.0.1:{port}{path}",
                        "--clients",
                        str(options["clients"]),
                        "--seconds",
                        str(options["seconds"]),
                        "--cookie",
                        cookie,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                results[name] = json.loads(done.stdout.strip().splitlines()[-1])
            return results
        finally:
            server.terminate()
            server.wait(timeout=30)
