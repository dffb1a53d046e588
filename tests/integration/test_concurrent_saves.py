"""Year reports saved and submitted at the same moment through a real server, on PostgreSQL.

A gunicorn server (several worker processes, each with threads: requests really run side by
side) serves the test database; every reporter logs in through the login page with its own
session, opens its report form like a browser, and all of them post at once (a barrier releases
the threads together). What is checked is what the database holds afterwards:

- 50 members of one year save, then submit, their own reports at once: every request is
  accepted and every report holds exactly the figures its reporter sent — none lost, none mixed
  up — and the real Celery worker scores exactly those figures.
- 10 sessions save the same report, all from the same version: one wins, the other nine are told
  (the conflict message above the form, with what they typed still in it), and the report holds
  the winner's figures.
- The control: the same ten sessions against the same server code with only the version check
  of `report_save` taken out — all ten are told "saved" and all changes but one are silently
  lost. So the optimistic lock is what prevents it.

Run with INTEGRATION=1 on PostgreSQL and Redis (CI's second pass).
"""

from __future__ import annotations

import datetime as dt
import html
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

from scoring import engine
from scoring.engine.numbers import parse_decimal
from tests.integration.conftest import ROOT, _database_url, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HTTP_TIMEOUT = 30  # seconds, for any one request
BURST_TIMEOUT = 60  # seconds, for a whole burst of simultaneous requests
CONFLICT = "Báo cáo vừa được người khác lưu"

ELEMENTS = tuple(f"e{k}" for k in range(10))
# Ten figures, each scored on its own: a figure that lands in the wrong report or field shows.
SCHEME = engine.Scheme(
    name="Thang điểm kiểm thử đồng thời",
    scale=100,
    data_elements=tuple(
        engine.DataElement(
            code=c, name=f"Chỉ số {c}", definition=f"Số liệu {c}", type="integer", min=0
        )
        for c in ELEMENTS
    ),
    criteria=tuple(
        engine.Criterion(
            code=f"c{k}",
            group="Nội dung 1",
            name=f"Tiêu chí {k}",
            definition=f"Chỉ số e{k}",
            measure=f"e{k}",
            target=1000,
            points=10,
            rule="proportional",
        )
        for k in range(10)
    ),
)


# --- the server -----------------------------------------------------------------------------------


def unlocked_application():
    """Test-only WSGI application for the control: the real one, with the version check of
    `report_save` taken out (the row is still locked; only `version != expected` is not
    compared). Loaded by gunicorn as `…test_concurrent_saves:unlocked_application()`."""
    from emulation.wsgi import application
    from scoring.models import Report
    from scoring.reporting.services import reports

    def lock_without_version_check(report, expected_version):
        return Report.objects.select_for_update().get(pk=report.pk)

    reports._lock = lock_without_version_check
    return application


@pytest.fixture(scope="module")
def server(django_db_setup, static_root, tmp_path_factory):
    """The real application, served for the whole module (each test has its own data)."""
    with serving(
        "emulation.wsgi:application",
        static_root=static_root,
        log_path=tmp_path_factory.mktemp("gunicorn") / "gunicorn.log",
    ) as port:
        yield port


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Production refuses a short or placeholder key (emulation/settings.py); one for every server.
SERVER_SECRET_KEY = secrets.token_urlsafe(50)


def _server_env(static_root) -> dict:
    from django.db import connection

    return dict(
        os.environ,
        DEBUG="false",
        SECRET_KEY=SERVER_SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(static_root),
        TESTING="1",  # the MD5 hasher the test users were made with
        DATABASE_URL=_database_url(connection.settings_dict),
    )


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """DEBUG off serves static files from a manifest: collect them once, outside the tree."""
    root = tmp_path_factory.mktemp("static")
    env = dict(
        os.environ,
        DEBUG="false",
        SECRET_KEY=SERVER_SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(root),
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    return root


@contextmanager
def serving(app: str, *, static_root, log_path, workers: int = 4, threads: int = 8):
    """gunicorn on a free loopback port against the test database; stopped whatever happens."""
    from django.db import connection

    port = _free_port()
    with open(log_path, "w") as out:
        process = subprocess.Popen(  # our interpreter, gunicorn and app
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--preload",  # import once, then fork: a quicker start on two cores
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=_server_env(static_root),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail("gunicorn exited: " + log_path.read_text())
            try:
                if Session(port).get("/healthz/").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not answer within 60 s: " + log_path.read_text())
            time.sleep(0.2)
        yield port
    finally:
        # What the server logged while it served, read before it is asked to stop: a worker
        # that is slow to leave at shutdown (an idle keep-alive thread) is killed by gunicorn
        # after --graceful-timeout and logs "[ERROR] … SIGKILL", which says nothing of the
        # requests under test (CI run of stop 19).
        served_log = log_path.read_text()
        process.send_signal(signal.SIGTERM)  # gunicorn's graceful shutdown
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        connection.close()
    # No request ended in a server error, no worker died or timed out while serving.
    assert not any(m in served_log for m in ("Internal Server Error", "[ERROR]", "[CRITICAL]")), (
        served_log
    )


# --- a browser, as little of one as needed ---------------------------------------------------------


@dataclass
class Response:
    status: int
    location: str
    body: str
    started: float
    ended: float


class Session:
    """One user's cookies (session and CSRF) over plain HTTP on loopback."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        ended = time.monotonic()
        for raw in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(response.status, response.getheader("Location", ""), text, started, ended)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Response:
        return self.request("POST", path, form)

    def login(self, username: str, password: str) -> None:
        page = self.get("/dang-nhap/")
        response = self.post(
            "/dang-nhap/",
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": inputs(page.body)["csrfmiddlewaretoken"],
            },
        )
        assert response.status == 302, (username, response.status, response.body[:2000])


_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'([\w:-]+)(?:="([^"]*)")?')


def inputs(body: str) -> dict[str, str]:
    """name → value of the page's <input> elements."""
    found = {}
    for tag in _INPUT.findall(body):
        attrs = {k.lower(): html.unescape(v or "") for k, v in _ATTR.findall(tag[len("<input") :])}
        if "name" in attrs:
            found[attrs["name"]] = attrs.get("value", "")
    return found


def shown_figures(body: str) -> dict[str, str]:
    fields = inputs(body)
    return {code: fields.get(f"e_{code}", "") for code in ELEMENTS}


def report_form(page: Response, action: str, figures: dict[str, int | None]) -> dict:
    """What the browser posts: the version the form was opened at and every field."""
    fields = inputs(page.body)
    data = {
        "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
        "version": fields["version"],
        "action": action,
        "note": "",
    }
    for code in ELEMENTS:
        value = figures.get(code)
        data[f"e_{code}"] = "" if value is None else str(value)
    return data


def as_read(page: Response) -> dict[str, int | None]:
    """The figures as the form shows them, written the Vietnamese way ("1.000")."""
    return {
        code: int(parse_decimal(v)) if v else None for code, v in shown_figures(page.body).items()
    }


def run_together(calls, *, timeout: float = BURST_TIMEOUT) -> list:
    """Every call in its own thread, all released at once by a barrier; results in order (an
    exception is returned in place of its result)."""
    barrier = threading.Barrier(len(calls), timeout=timeout)
    results: list = [None] * len(calls)

    def target(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:  # the test inspects what each call got
            results[i] = error

    threads = [
        threading.Thread(target=target, args=(i, c), daemon=True) for i, c in enumerate(calls)
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a request did not finish within the timeout"
    return results


def in_parallel(calls, *, threads: int = 8) -> list:
    """Independent requests (logins, opening forms) side by side, results in order."""
    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(call) for call in calls]
        return [f.result(timeout=BURST_TIMEOUT) for f in futures]


def max_in_flight(responses: list[Response]) -> int:
    """How many requests were open at the same moment (client side)."""
    events = sorted([(r.started, 1) for r in responses] + [(r.ended, -1) for r in responses])
    most = current = 0
    for _at, step in events:
        current += step
        most = max(most, current)
    return most


# --- data -------------------------------------------------------------------------------------------


@dataclass
class Reporter:
    username: str
    password: str
    unit_id: int
    user_id: int


def build_year(*, members: int, reporters_of_first: int = 1, tag: str):
    """A cluster year in reporting with SCHEME in force, `members` members with one reporter
    each (the first member with `reporters_of_first`), deadline far away."""
    from django.contrib.auth import get_user_model

    from clusters.models import Cluster, EmulationYear, Membership, RoleGrant, Unit
    from tests.scoring.factories import install_scheme

    supervising = Unit.objects.create(
        code=f"{tag}-sup", name=f"Cơ quan chỉ đạo {tag}", kind=Unit.Kind.SUPERVISING_BODY
    )
    cluster = Cluster.objects.create(
        code=f"{tag}-cum", name=f"Cụm {tag}", supervising_unit=supervising
    )
    year = EmulationYear.objects.create(
        cluster=cluster,
        year=2025,
        status=EmulationYear.Status.REPORTING,
        reporting_deadline=dt.date(2099, 12, 31),
    )
    units = Unit.objects.bulk_create(
        [
            Unit(
                code=f"{tag}-u{m:02d}",
                name=f"Liên minh HTX {tag} {m:02d}",
                kind=Unit.Kind.PROVINCIAL_ALLIANCE,
                parent=supervising,
            )
            for m in range(members)
        ]
    )
    Membership.objects.bulk_create([Membership(emulation_year=year, unit=u) for u in units])
    install_scheme(year, SCHEME)
    User = get_user_model()
    reporters = []
    for m, unit in enumerate(units):
        for r in range(reporters_of_first if m == 0 else 1):
            name, password = f"{tag}-bc{m:02d}-{r}", f"pw-{tag}-{m}-{r}"
            user = User.objects.create_user(username=name, password=password)
            RoleGrant.objects.create(user=user, role=RoleGrant.Role.REPORTER, unit=unit)
            reporters.append(Reporter(name, password, unit.pk, user.pk))
    year.refresh_from_db()
    return year, units, reporters


def report_url(year, unit_id: int) -> str:
    return f"/nam/{year.pk}/bao-cao/{unit_id}/"


def stored_figures(year, unit_id: int) -> dict[str, int | None]:
    from scoring.models import ReportValue

    rows = dict(
        ReportValue.objects.filter(
            report__emulation_year=year, report__unit_id=unit_id
        ).values_list("element_code", "value")
    )
    assert set(rows) <= set(ELEMENTS), rows
    return {code: None if rows.get(code) is None else int(rows[code]) for code in ELEMENTS}


def logged_in(port: int, reporters: list[Reporter]) -> list[Session]:
    sessions = [Session(port) for _ in reporters]
    in_parallel(
        [
            lambda s=s, r=r: s.login(r.username, r.password)
            for s, r in zip(sessions, reporters, strict=True)
        ]
    )
    # Each has a session of its own.
    assert len({s.cookies["sessionid"] for s in sessions}) == len(sessions)
    return sessions


def assert_told(response: Response, typed: dict[str, int | None]) -> None:
    """A refused save: the form again, the conflict message above it, what was typed kept."""
    assert response.status == 200, (response.status, response.body[:2000])
    assert 'class="alert alert-danger"' in response.body and CONFLICT in response.body
    assert as_read(response) == typed


# --- the tests ----------------------------------------------------------------------------------------


def test_fifty_members_save_then_submit_at_once_and_each_report_holds_exactly_its_figures(
    live_worker, server
):
    from clusters.models import EmulationYear
    from scoring.models import Report, Score, ScoringRun

    year, units, reporters = build_year(members=50, tag="p50")
    assert [r.unit_id for r in reporters] == [u.pk for u in units]
    draft = {
        r.unit_id: {code: 100_000 + m * 100 + k for k, code in enumerate(ELEMENTS)}
        for m, r in enumerate(reporters)
    }
    final = {
        r.unit_id: {code: 200_000 + m * 100 + k for k, code in enumerate(ELEMENTS)}
        for m, r in enumerate(reporters)
    }

    sessions = logged_in(server, reporters)
    urls = [report_url(year, r.unit_id) for r in reporters]

    # 1. Fifty drafts at once.
    pages = in_parallel([lambda s=s, u=u: s.get(u) for s, u in zip(sessions, urls, strict=True)])
    assert all(p.status == 200 and inputs(p.body)["version"] == "1" for p in pages)
    results = run_together(
        [
            lambda s=s, u=u, p=p, r=r: s.post(u, report_form(p, "save", draft[r.unit_id]))
            for s, u, p, r in zip(sessions, urls, pages, reporters, strict=True)
        ]
    )
    assert all(isinstance(x, Response) for x in results), results
    assert [(x.status, x.location) for x in results] == [(302, u) for u in urls]
    assert max_in_flight(results) >= 10, "the requests did not overlap"
    for r in reporters:
        report = Report.objects.get(emulation_year=year, unit_id=r.unit_id)
        assert (report.status, report.version) == (Report.Status.DRAFT, 2)
        assert stored_figures(year, r.unit_id) == draft[r.unit_id]

    # 2. Each form shows its own draft back; fifty submissions at once.
    pages = in_parallel([lambda s=s, u=u: s.get(u) for s, u in zip(sessions, urls, strict=True)])
    for page, r in zip(pages, reporters, strict=True):
        assert inputs(page.body)["version"] == "2"
        assert as_read(page) == draft[r.unit_id]
    results = run_together(
        [
            lambda s=s, u=u, p=p, r=r: s.post(
                u, report_form(p, "submit_confirmed", final[r.unit_id])
            )
            for s, u, p, r in zip(sessions, urls, pages, reporters, strict=True)
        ]
    )
    assert all(isinstance(x, Response) for x in results), results
    assert [(x.status, x.location) for x in results] == [(302, u) for u in urls]
    assert max_in_flight(results) >= 10, "the requests did not overlap"

    for r in reporters:
        report = Report.objects.get(emulation_year=year, unit_id=r.unit_id)
        assert (report.status, report.version) == (Report.Status.SUBMITTED, 3)
        assert report.submitted_by_id == r.user_id
        assert stored_figures(year, r.unit_id) == final[r.unit_id]

    # 3. The worker (real process, through Redis) scores exactly those figures.
    wait_for(
        lambda: (y := EmulationYear.objects.get(pk=year.pk)).scored_version == y.input_version,
        timeout=60,
    )
    run = ScoringRun.objects.get(emulation_year=year, is_current=True)
    scored = {
        (unit_id, code): actual
        for unit_id, code, actual in Score.objects.filter(run=run).values_list(
            "unit_id", "criterion_code", "actual"
        )
    }
    assert scored == {
        (r.unit_id, f"c{k}"): pytest.approx(final[r.unit_id][f"e{k}"])
        for r in reporters
        for k in range(10)
    }


def _same_report_round(sessions, url, action, *, writer_value):
    """Every session opens the form (the same version), changes its own field, and all post at
    once. Returns what they read, what each posted, and the responses."""
    pages = in_parallel([lambda s=s: s.get(url) for s in sessions])
    assert len({inputs(p.body)["version"] for p in pages}) == 1, "not all read the same version"
    read = as_read(pages[0])
    assert all(as_read(p) == read for p in pages)
    sent = [read | {ELEMENTS[i]: writer_value + i} for i in range(len(sessions))]
    results = run_together(
        [
            lambda s=s, p=p, f=f: s.post(url, report_form(p, action, f))
            for s, p, f in zip(sessions, pages, sent, strict=True)
        ]
    )
    assert all(isinstance(x, Response) for x in results), results
    return int(inputs(pages[0].body)["version"]), read, sent, results


def test_ten_sessions_saving_the_same_report_at_once_one_wins_and_the_others_are_told(server):
    from clusters.models import AuditEntry
    from scoring.models import Report

    year, units, reporters = build_year(members=3, reporters_of_first=10, tag="s10")
    same = [r for r in reporters if r.unit_id == units[0].pk]
    assert len(same) == 10
    url = report_url(year, units[0].pk)

    sessions = logged_in(server, same)
    # Round 1: the report does not exist yet (version 1 on the form); round 2: it does.
    for round_no, writer_value in ((1, 1000), (2, 2000)):
        version, _read, sent, results = _same_report_round(
            sessions, url, "save", writer_value=writer_value
        )
        assert version == round_no
        won = [i for i, x in enumerate(results) if x.status == 302]
        assert len(won) == 1, [x.status for x in results]
        assert results[won[0]].location == url
        for i, response in enumerate(results):
            if i != won[0]:
                assert_told(response, sent[i])
        report = Report.objects.get(emulation_year=year, unit=units[0])
        assert report.version == version + 1
        assert report.status == Report.Status.DRAFT
        assert stored_figures(year, units[0].pk) == sent[won[0]]
        assert max_in_flight(results) >= 5, "the requests did not overlap"

    # One audit entry per accepted save, none for the refused ones.
    assert (
        AuditEntry.objects.filter(
            object_type="scoring.report", object_id=str(report.pk), action="report.save"
        ).count()
        == 2
    )
    # The other members' reports were not touched.
    assert not Report.objects.filter(emulation_year=year).exclude(unit=units[0]).exists()


def test_control_without_the_version_check_every_session_is_told_saved_and_changes_are_lost(
    static_root, tmp_path
):
    """Same server code, same ten sessions, only `version != expected` not compared: every one
    is told "saved" and the report silently holds one writer's form — the changes of the other
    nine are gone. With the check (the test above) nine are told instead."""
    from scoring.models import Report
    from scoring.reporting.services.reports import report_get_or_create, report_save

    year, units, reporters = build_year(members=3, reporters_of_first=10, tag="ctl")
    same = [r for r in reporters if r.unit_id == units[0].pk]
    url = report_url(year, units[0].pk)
    base = dict.fromkeys(ELEMENTS, 1)
    report_save(
        report=report_get_or_create(emulation_year=year, unit_id=units[0].pk),
        expected_version=1,
        values={code: Decimal(v) for code, v in base.items()},
    )

    with serving(
        "tests.integration.test_concurrent_saves:unlocked_application()",
        static_root=static_root,
        log_path=tmp_path / "gunicorn.log",
    ) as port:
        sessions = logged_in(port, same)
        version, read, sent, results = _same_report_round(sessions, url, "save", writer_value=500)
    assert (version, read) == (2, base)
    # Every one of the ten was told its figures were saved…
    assert [(x.status, x.location) for x in results] == [(302, url)] * 10
    assert max_in_flight(results) >= 5, "the requests did not overlap"
    report = Report.objects.get(emulation_year=year, unit=units[0])
    assert report.version == 2 + 10  # …all ten wrote…
    stored = stored_figures(year, units[0].pk)
    kept = [i for i in range(10) if stored[ELEMENTS[i]] == sent[i][ELEMENTS[i]]]
    # …but the report holds one writer's form: the last writer won, nine changes were lost.
    assert len(kept) == 1, stored
    assert stored == sent[kept[0]]


def test_ten_sessions_submitting_the_same_report_at_once_one_wins(server):
    from scoring.models import Report

    year, units, reporters = build_year(members=2, reporters_of_first=10, tag="u10")
    same = [r for r in reporters if r.unit_id == units[0].pk]
    url = report_url(year, units[0].pk)
    sessions = logged_in(server, same)
    version, _read, sent, results = _same_report_round(
        sessions, url, "submit_confirmed", writer_value=3000
    )
    won = [i for i, x in enumerate(results) if x.status == 302]
    assert len(won) == 1, [x.status for x in results]
    report = Report.objects.get(emulation_year=year, unit=units[0])
    assert (report.status, report.version) == (Report.Status.SUBMITTED, version + 1)
    assert report.submitted_by_id == same[won[0]].user_id
    assert stored_figures(year, units[0].pk) == sent[won[0]]
    for i, response in enumerate(results):
        if i != won[0]:
            # Also a request that read the report after the winner committed: told, not 403.
            assert_told(response, sent[i])


def test_a_save_on_a_version_someone_has_since_submitted_is_told_as_a_conflict(server):
    year, units, reporters = build_year(members=2, reporters_of_first=2, tag="sub")
    first, second = [r for r in reporters if r.unit_id == units[0].pk]
    url = report_url(year, units[0].pk)
    a, b = logged_in(server, [first, second])
    page_a, page_b = a.get(url), b.get(url)
    submitted = a.post(url, report_form(page_a, "submit_confirmed", {"e0": 7}))
    assert submitted.status == 302
    typed = dict.fromkeys(ELEMENTS) | {"e1": 9}
    late = b.post(url, report_form(page_b, "save", typed))
    assert_told(late, typed)


def test_a_figures_import_and_a_reporters_save_of_the_same_report_do_not_deadlock(monkeypatch):
    """The secretariat imports a file of figures while a reporter of one of those members saves.
    The import is held (by a hook) right after it has locked the report rows, until the
    reporter's save is queued for a lock — the moment a long import of many members spends
    most of its time in."""
    from django.db import DatabaseError, connection

    from scoring.models import Report
    from scoring.reporting.services import figures as figures_service
    from scoring.reporting.services.figures import figures_import
    from scoring.reporting.services.reports import ReportConflict, report_get_or_create, report_save

    year, units, _reporters = build_year(members=2, tag="dl")
    report = report_get_or_create(emulation_year=year, unit_id=units[0].pk)  # version 1
    import_holds_the_report = threading.Event()
    save_pid: list[int] = []
    original = figures_service.figures_mark_dirty

    def hooked(**kwargs):
        import_holds_the_report.set()
        deadline = time.monotonic() + 10
        with connection.cursor() as cursor:  # the import's own connection, inside its transaction
            while time.monotonic() < deadline:
                if save_pid:
                    cursor.execute(
                        "SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted", [save_pid[0]]
                    )
                    if cursor.fetchone():
                        break
                time.sleep(0.05)
        return original(**kwargs)

    monkeypatch.setattr(figures_service, "figures_mark_dirty", hooked)

    def import_file():
        try:
            return figures_import(
                cluster_id=year.cluster_id,
                figures={(units[0].code, year.year, "e0"): 5.0},
                filename="so-lieu.csv",
            )
        finally:
            connection.close()

    def save():
        try:
            assert import_holds_the_report.wait(10)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                save_pid.append(cursor.fetchone()[0])
            return report_save(report=report, expected_version=1, values={"e0": Decimal(7)})
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        imported, saved = pool.submit(import_file), pool.submit(save)
        outcomes = [imported.exception(timeout=30), saved.exception(timeout=30)]
    # Neither may end in a database error; the save, queued behind the import, is told.
    assert not any(isinstance(o, DatabaseError) for o in outcomes), outcomes
    assert outcomes[0] is None and isinstance(outcomes[1], ReportConflict | type(None)), outcomes
    stored = Report.objects.get(pk=report.pk)
    assert stored.status == Report.Status.SUBMITTED
