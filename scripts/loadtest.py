"""A bounded load test on loopback: 200 reporters save and submit their year reports while each
cluster's secretariat returns submitted reports for correction (so the reporters save and submit
again) and leadership reads the dashboards — against gunicorn (DEBUG off), PostgreSQL, Redis and
ONE Celery worker, all real processes on this machine. Afterwards it checks every report against
what its reporter last saved, and that the rankings were recomputed from exactly those figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thidua_load \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/13 \\
    .venv/bin/python scripts/loadtest.py --seconds 120

- It creates the database named in DATABASE_URL (and refuses one that already exists), migrates
  it, builds the data (25 clusters × 8 members by default, one reporter each, a secretariat per
  cluster, leadership readers), and drops the database at the end (--keep leaves it).
- The Redis database of CELERY_BROKER_URL is flushed at the start and at the end: give it one of
  its own (a number other than 0).
- Loopback only. The load stops by itself after --seconds (default 120, at most 600); the whole
  script is bounded by an alarm, and every process it started is stopped in a `finally`.

Prints requests per second and p50/p95/p99 latency per kind of request, errors, where the CPU
went (server, worker, PostgreSQL, this load generator) and what the busy database sessions were
waiting for; then the consistency check. Exit status 1 when a request failed, a write was lost
or the rankings were not recomputed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import http.client
import json
import os
import queue
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
HARD_CAP_SECONDS = 600
HTTP_TIMEOUT = 30
PREFIX = "load-"
YEAR = 2025
ELEMENTS = tuple(f"e{k}" for k in range(10))


class BudgetExceeded(Exception):
    pass


def _over_budget(_signum, _frame):
    raise BudgetExceeded


# --- arguments and environment -------------------------------------------------------------------


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--seconds", type=float, default=120, help="load duration (max 600)")
    p.add_argument("--clusters", type=int, default=25)
    p.add_argument("--members", type=int, default=8, help="members (= reporters) per cluster")
    p.add_argument("--readers", type=int, default=5, help="leadership users reading dashboards")
    p.add_argument(
        "--think", type=float, default=20.0, help="mean seconds a reporter takes between actions"
    )
    p.add_argument("--review-think", type=float, default=3.0, help="… a secretariat, per return")
    p.add_argument("--reader-think", type=float, default=1.0, help="… a reader, between pages")
    p.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    p.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    p.add_argument(
        "--worker-nice",
        type=int,
        default=10,
        help="CPU priority of the Celery worker below the web server's (docs/operations.md)",
    )
    p.add_argument("--seed", type=int, default=2025)
    p.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    args = p.parse_args()
    if args.seconds <= 0:
        p.error("--seconds must be positive")
    args.seconds = min(args.seconds, HARD_CAP_SECONDS)
    return args


def check_environment():
    db_url = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    db, br = urlparse(db_url), urlparse(broker)
    if db.scheme not in {"postgres", "postgresql"}:
        sys.exit("loadtest: DATABASE_URL must name a PostgreSQL database on loopback")
    if (db.hostname or "127.0.0.1") not in LOOPBACK:
        sys.exit("loadtest: loopback only (DATABASE_URL)")
    if not db.path.strip("/"):
        sys.exit("loadtest: DATABASE_URL must name the database to create")
    if br.scheme != "redis" or (br.hostname or "") not in LOOPBACK:
        sys.exit("loadtest: CELERY_BROKER_URL must be a Redis URL on loopback")
    index = br.path.strip("/")
    if not index.isdigit() or int(index) == 0:
        sys.exit(
            "loadtest: give the load test a Redis database of its own (it is flushed), "
            "e.g. redis://127.0.0.1:6379/13"
        )
    return db


def server_environment(static_root: Path) -> dict:
    """One environment for this process (read by settings at django.setup()) and the servers."""
    env = {
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "load-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
    os.environ.update(env)
    return dict(os.environ)


# --- database -------------------------------------------------------------------------------------


def _maintenance_connection(db):
    import psycopg2

    conn = psycopg2.connect(
        host=db.hostname or "127.0.0.1",
        port=db.port or 5432,
        user=unquote(db.username or "") or None,
        password=unquote(db.password or "") or None,
        dbname="postgres",
        connect_timeout=10,
    )
    conn.autocommit = True
    return conn


def create_database(db) -> str:
    from psycopg2 import sql

    name = unquote(db.path.lstrip("/"))
    conn = _maintenance_connection(db)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone():
                sys.exit(
                    f"loadtest: database {name!r} already exists; it creates and drops its own — "
                    f"drop it (dropdb -h 127.0.0.1 -U postgres {name}) or name another one"
                )
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    return name


def drop_database(db, name: str) -> None:
    from psycopg2 import sql

    conn = _maintenance_connection(db)
    try:
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    finally:
        conn.close()


# --- the data -------------------------------------------------------------------------------------


def scheme():
    from scoring import engine

    return engine.Scheme(
        name="Thang điểm kiểm thử tải",
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
                group=f"Nội dung {k // 4 + 1}",
                name=f"Tiêu chí {k}",
                definition=f"Chỉ số e{k} so với chỉ tiêu",
                measure=f"e{k}",
                target=500,
                points=10,
                rule="proportional",
            )
            for k in range(len(ELEMENTS))
        ),
    )


@dataclass
class Reporter:
    index: int
    cluster: int
    unit_id: int
    year_id: int
    cookie: str = ""
    url: str = ""
    # What the server last accepted (the load's own record, checked against the database).
    figures: dict | None = None
    status: str = "draft"
    writes: int = 0
    saves_before_submit: int = 1
    saves: int = 0
    returned: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Dataset:
    year_ids: list[int]
    reporters: list[Reporter]
    secretariat_cookies: list[str]
    reader_cookies: list[str]


def build(args) -> Dataset:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from clusters.models import Cluster, EmulationYear, Membership, RoleGrant, Unit
    from scoring.schemes.services import scheme_create_version

    supervising = Unit.objects.create(
        code=f"{PREFIX}sup", name="Cơ quan chỉ đạo (tải)", kind=Unit.Kind.SUPERVISING_BODY
    )
    clusters = Cluster.objects.bulk_create(
        [
            Cluster(code=f"{PREFIX}c{c:02d}", name=f"Cụm tải {c:02d}", supervising_unit=supervising)
            for c in range(args.clusters)
        ]
    )
    units = Unit.objects.bulk_create(
        [
            Unit(
                code=f"{PREFIX}c{c:02d}-u{m}",
                name=f"Liên minh HTX tải {c:02d}/{m}",
                kind=Unit.Kind.PROVINCIAL_ALLIANCE,
                parent=supervising,
            )
            for c in range(args.clusters)
            for m in range(args.members)
        ]
    )
    years = EmulationYear.objects.bulk_create(
        [
            EmulationYear(
                cluster=cl,
                year=YEAR,
                status=EmulationYear.Status.REPORTING,
                reporting_deadline=dt.date(2099, 12, 31),
            )
            for cl in clusters
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(emulation_year=years[c], unit=units[c * args.members + m])
            for c in range(args.clusters)
            for m in range(args.members)
        ]
    )
    the_scheme = scheme()
    for year in years:
        scheme_create_version(emulation_year=year, scheme=the_scheme)

    User = get_user_model()

    def user(name):
        u = User(username=name)
        u.set_unusable_password()
        return u

    reporter_users = User.objects.bulk_create(
        [user(f"{PREFIX}bc-{u.code.removeprefix(PREFIX)}") for u in units]
    )
    secretariat_users = User.objects.bulk_create(
        [user(f"{PREFIX}tk-{c:02d}") for c in range(args.clusters)]
    )
    reader_users = User.objects.bulk_create([user(f"{PREFIX}ld-{i}") for i in range(args.readers)])
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user=u, role=RoleGrant.Role.REPORTER, unit=un)
            for u, un in zip(reporter_users, units, strict=True)
        ]
        + [
            RoleGrant(user=u, role=RoleGrant.Role.SECRETARIAT, cluster=cl)
            for u, cl in zip(secretariat_users, clusters, strict=True)
        ]
        + [
            RoleGrant(user=u, role=RoleGrant.Role.LEADERSHIP, unit=supervising)
            for u in reader_users
        ]
    )

    def cookie(u) -> str:
        # A logged-in session made directly (as `bench_pages` does): 230 logins through the
        # password hasher would only measure PBKDF2.
        session = SessionStore()
        session["_auth_user_id"] = str(u.pk)
        session["_auth_user_backend"] = "clusters.permissions.ScopeGenerationBackend"
        session["_auth_user_hash"] = u.get_session_auth_hash()
        session.create()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    reporters = []
    for i, (u, un) in enumerate(zip(reporter_users, units, strict=True)):
        c = i // args.members
        reporters.append(
            Reporter(
                index=i,
                cluster=c,
                unit_id=un.pk,
                year_id=years[c].pk,
                cookie=cookie(u),
                url=f"/nam/{years[c].pk}/bao-cao/{un.pk}/",
            )
        )
    return Dataset(
        year_ids=[y.pk for y in years],
        reporters=reporters,
        secretariat_cookies=[cookie(u) for u in secretariat_users],
        reader_cookies=[cookie(u) for u in reader_users],
    )


# --- processes ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(args: list[str], env: dict, log: Path, nice: int = 0) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(  # noqa: S603 — our interpreter, with gunicorn or celery
            args,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends it with its children
            preexec_fn=(lambda: os.nice(nice)) if nice else None,  # no threads yet
        )


def stop(process: subprocess.Popen | None, sig=signal.SIGTERM, timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # children that outlived their parent, too
    process.wait(timeout=10)


def wait_until(predicate, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(interval)
    raise RuntimeError(f"{what}: not within {timeout:.0f} s")


def _proc_stat(pid: int):
    try:
        with open(f"/proc/{pid}/stat") as f:
            raw = f.read()
    except OSError:
        return None
    rest = raw[raw.rindex(")") + 2 :].split()
    # rest[1] is the parent pid; rest[11:15] user and system time of the process and of its
    # children already gone (PostgreSQL backends of closed connections, say), in ticks.
    return int(rest[1]), sum(int(x) for x in rest[11:15]) / os.sysconf("SC_CLK_TCK")


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def cpu_snapshot(groups: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each group (a process and its descendants), of every PostgreSQL
    process on the machine, of this process, and of the whole machine (busy)."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            got = _proc_stat(int(entry))
            if got:
                stats[int(entry)] = got
    children = defaultdict(list)
    for pid, (ppid, _t) in stats.items():
        children[ppid].append(pid)
    result = {}
    for name, root in groups.items():
        total, todo = 0.0, [root]
        while todo:
            pid = todo.pop()
            if pid in stats:
                total += stats[pid][1]
            todo.extend(children.get(pid, []))
        result[name] = total
    result["postgresql (whole server)"] = sum(
        t for pid, (_pp, t) in stats.items() if _comm(pid).startswith("postgres")
    )
    me = os.times()
    result["load generator (this process)"] = me.user + me.system
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + (cpu[4] if len(cpu) > 4 else 0)
    result["machine busy (all processes)"] = (sum(cpu[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    # Time the hypervisor gave our virtual cores to others (counted in "busy" above): runs of the
    # same code differ with it.
    result["machine time stolen by the hypervisor"] = (
        cpu[7] / os.sysconf("SC_CLK_TCK") if len(cpu) > 7 else 0.0
    )
    return result


class WaitSampler(threading.Thread):
    """Every 0.25 s, what the active sessions on the load database are doing."""

    def __init__(self, db, name: str):
        super().__init__(daemon=True)
        self.db, self.name = db, name
        self.samples: Counter = Counter()
        self.done = threading.Event()

    def run(self):
        conn = _maintenance_connection(self.db)
        try:
            with conn.cursor() as cur:
                while not self.done.wait(0.25):
                    cur.execute(
                        "SELECT coalesce(wait_event_type || ':' || wait_event, 'on CPU') "
                        "FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
                        "AND pid <> pg_backend_pid()",
                        [self.name],
                    )
                    for (what,) in cur.fetchall():
                        self.samples[what] += 1
        finally:
            conn.close()


# --- the load -------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    location: str
    body: str


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter = Counter()
        self.samples: list[str] = []

    def ok(self, kind: str, seconds: float):
        with self.lock:
            self.latencies[kind].append(seconds)

    def error(self, kind: str, seconds: float | None, what: str):
        with self.lock:
            if seconds is not None:
                self.latencies[kind].append(seconds)
            self.errors[kind] += 1
            if len(self.samples) < 20:
                self.samples.append(f"{kind}: {what}")


class Client:
    def __init__(self, port: int, cookie: str, recorder: Recorder):
        self.port, self.recorder = port, recorder
        self.cookies = dict([cookie.split("=", 1)])

    def request(self, kind: str, method: str, path: str, form: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
        except OSError as error:
            self.recorder.error(kind, None, f"{type(error).__name__}: {error}")
            return None
        finally:
            conn.close()
        seconds = time.perf_counter() - started
        for header in raw.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        return Response(raw.status, raw.getheader("Location", ""), text), seconds


_FORM = re.compile(r'<form\b[^>]*\bid="(?P<id>[\w-]+)"[^>]*>(?P<body>.*?)</form>', re.S)
_INPUT = re.compile(r"<input\b[^>]*>", re.I)
_ATTR = re.compile(r'([\w:-]+)(?:="([^"]*)")?')


def form_inputs(page: str, form_id: str) -> dict[str, str] | None:
    for m in _FORM.finditer(page):
        if m.group("id") == form_id:
            found = {}
            for tag in _INPUT.findall(m.group("body")):
                attrs = {k.lower(): html.unescape(v or "") for k, v in _ATTR.findall(tag[6:])}
                if "name" in attrs:
                    found[attrs["name"]] = attrs.get("value", "")
            return found
    return None


class Load:
    def __init__(self, args, data: Dataset, port: int):
        self.args, self.data, self.port = args, data, port
        self.recorder = Recorder()
        self.review = [queue.Queue() for _ in data.secretariat_cookies]
        self.deadline = 0.0

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def pause(self, mean: float) -> bool:
        """Think for about `mean` seconds; False once the run is over."""
        wait = random.uniform(0.5 * mean, 1.5 * mean)
        if wait >= self.remaining():
            time.sleep(max(0.0, self.remaining()))
            return False
        time.sleep(wait)
        return True

    def get(self, client: Client, kind: str, path: str) -> Response | None:
        got = client.request(kind, "GET", path)
        if got is None:
            return None
        response, seconds = got
        if response.status != 200:
            self.recorder.error(kind, seconds, f"GET {path} → {response.status}")
            return None
        self.recorder.ok(kind, seconds)
        return response

    def reporter(self, rep: Reporter, rng: random.Random):
        client = Client(self.port, rep.cookie, self.recorder)
        time.sleep(rng.uniform(0, self.args.think))  # people do not all start at once
        page = self.get(client, "report form (GET)", rep.url)
        while page is not None and self.remaining() > 0:
            fields = form_inputs(page.body, "report-form")
            if fields is None:  # submitted: wait until the secretariat returns it
                if not rep.returned.wait(timeout=max(0.0, self.remaining())):
                    return
                rep.returned.clear()
                page = self.get(client, "report form (GET)", rep.url)
                continue
            if not self.pause(self.args.think):
                return
            action = "submit" if rep.saves >= rep.saves_before_submit else "save"
            figures = {code: rng.randint(0, 1000) for code in ELEMENTS}
            form = {
                "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
                "version": fields["version"],
                # The confirmation page's button (a plain "submit" only asks for it).
                "action": "submit_confirmed" if action == "submit" else action,
                "note": "",
            } | {f"e_{code}": str(v) for code, v in figures.items()}
            got = client.request(action, "POST", rep.url, form)
            if got is None:
                page = self.get(client, "report form (GET)", rep.url)
                continue
            response, seconds = got
            if response.status == 302 and response.location == rep.url:
                self.recorder.ok(action, seconds)
                with rep.lock:
                    rep.figures, rep.writes = figures, rep.writes + 1
                    if action == "submit":
                        rep.status, rep.saves = "submitted", 0
                        rep.saves_before_submit = rng.randint(1, 3)
                    else:
                        rep.saves += 1
                if action == "submit":
                    self.review[rep.cluster].put(rep)
            else:
                told = "conflict" if "Báo cáo vừa được người khác lưu" in response.body else ""
                self.recorder.error(action, seconds, f"{rep.url} → {response.status} {told}")
            page = self.get(client, "report form (GET)", rep.url)  # the redirect, as a browser

    def secretariat(self, cluster: int, rng: random.Random):
        client = Client(self.port, self.data.secretariat_cookies[cluster], self.recorder)
        while self.remaining() > 0:
            try:
                rep = self.review[cluster].get(timeout=min(1.0, max(0.01, self.remaining())))
            except queue.Empty:
                continue
            if not self.pause(self.args.review_think):
                return
            page = self.get(client, "review form (GET)", rep.url)
            fields = form_inputs(page.body, "review-form") if page else None
            if fields is None:
                self.recorder.error("return", None, f"{rep.url}: no review form")
                continue
            form = {
                "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
                "version": fields["version"],
                "action": "return",
                "general": "Đề nghị rà soát lại số liệu.",
            }
            got = client.request("return", "POST", rep.url, form)
            if got is None:
                continue
            response, seconds = got
            if response.status == 302:
                self.recorder.ok("return", seconds)
                with rep.lock:
                    rep.status, rep.writes = "returned", rep.writes + 1
                rep.returned.set()
            else:
                self.recorder.error("return", seconds, f"{rep.url} → {response.status}")

    def reader(self, i: int, rng: random.Random):
        client = Client(self.port, self.data.reader_cookies[i], self.recorder)
        time.sleep(rng.uniform(0, self.args.reader_think))
        while self.remaining() > 0:
            year_id = rng.choice(self.data.year_ids)
            self.get(client, "ranking page (GET)", f"/nam/{year_id}/")
            if not self.pause(self.args.reader_think):
                return
            self.get(client, "overview (GET)", f"/tong-quan/?nam={YEAR}")
            if not self.pause(self.args.reader_think):
                return

    def run(self) -> float:
        rng = random.Random(self.args.seed)
        self.deadline = time.monotonic() + self.args.seconds
        threads = (
            [
                threading.Thread(target=self.reporter, args=(r, random.Random(rng.random())))
                for r in self.data.reporters
            ]
            + [
                threading.Thread(target=self.secretariat, args=(c, random.Random(rng.random())))
                for c in range(len(self.data.secretariat_cookies))
            ]
            + [
                threading.Thread(target=self.reader, args=(i, random.Random(rng.random())))
                for i in range(len(self.data.reader_cookies))
            ]
        )
        for r in self.data.reporters:
            r.saves_before_submit = rng.randint(1, 3)
        started = time.monotonic()
        for t in threads:
            t.daemon = True
            t.start()
        for t in threads:
            t.join(timeout=max(0.0, self.deadline - time.monotonic()) + HTTP_TIMEOUT + 5)
        if any(t.is_alive() for t in threads):
            raise RuntimeError("load threads did not stop")
        return time.monotonic() - started


# --- checks ---------------------------------------------------------------------------------------


def check_reports(data: Dataset) -> dict:
    from scoring.models import Report, ReportValue

    reports = {r.unit_id: r for r in Report.objects.filter(emulation_year_id__in=data.year_ids)}
    values = defaultdict(dict)
    for report_id, code, value in ReportValue.objects.filter(
        report__emulation_year_id__in=data.year_ids
    ).values_list("report_id", "element_code", "value"):
        values[report_id][code] = value
    lost, wrong_status, wrong_version, problems = 0, 0, 0, []
    for rep in data.reporters:
        report = reports.get(rep.unit_id)
        if rep.figures is None:  # never saved
            if report is not None and values.get(report.pk):
                problems.append(f"{rep.url}: figures stored that no accepted save sent")
                lost += 1
            continue
        if report is None:
            problems.append(f"{rep.url}: no report, {rep.writes} accepted writes")
            lost += 1
            continue
        stored = {code: int(v) for code, v in values.get(report.pk, {}).items() if v is not None}
        if stored != rep.figures:
            lost += 1
            problems.append(f"{rep.url}: stored {stored} ≠ last accepted {rep.figures}")
        if report.status != rep.status:
            wrong_status += 1
            problems.append(f"{rep.url}: status {report.status} ≠ {rep.status}")
        if report.version != 1 + rep.writes:
            wrong_version += 1
            problems.append(f"{rep.url}: version {report.version} ≠ 1 + {rep.writes} writes")
    return {
        "reports": len(data.reporters),
        "saved at least once": sum(r.figures is not None for r in data.reporters),
        "accepted writes": sum(r.writes for r in data.reporters),
        "status at the end": dict(Counter(r.status for r in data.reporters if r.figures)),
        "lost or wrong figures": lost,
        "wrong status": wrong_status,
        "wrong version (a write counted twice or missing)": wrong_version,
        "problems": problems[:20],
    }


def check_rankings(data: Dataset, timeout: float) -> dict:
    from django.db.models import F

    from clusters.models import EmulationYear
    from scoring.models import Report, ReportValue, Score, ScoringRun

    started = time.monotonic()
    years = EmulationYear.objects.filter(pk__in=data.year_ids)
    try:
        wait_until(
            lambda: not years.filter(scored_version__lt=F("input_version")).exists(),
            timeout,
            "the worker to score every year",
        )
        drained = True
    except RuntimeError:
        drained = False
    drain_seconds = time.monotonic() - started
    dirty = years.filter(scored_version__lt=F("input_version")).count()
    # The current run of each year scores exactly the submitted figures.
    submitted = {
        (r.unit_id, code): float(v)
        for r in Report.objects.filter(
            emulation_year_id__in=data.year_ids, status__in=Report.SCORED_STATUSES
        )
        for code, v in ReportValue.objects.filter(report=r).values_list("element_code", "value")
    }
    runs = ScoringRun.objects.filter(emulation_year_id__in=data.year_ids, is_current=True)
    mismatched = 0
    lines = 0
    for unit_id, criterion, actual in Score.objects.filter(run__in=runs).values_list(
        "unit_id", "criterion_code", "actual"
    ):
        lines += 1
        expected = submitted.get((unit_id, "e" + criterion.removeprefix("c")))
        if (expected is None) != (actual is None) or (
            expected is not None and abs(expected - actual) > 1e-6
        ):
            mismatched += 1
    return {
        "years": len(data.year_ids),
        "years still dirty": dirty,
        "worker drained": drained,
        "seconds to drain after the load": round(drain_seconds, 1),
        "current runs": runs.count(),
        "score lines checked": lines,
        "score lines not equal to the submitted figures": mismatched,
    }


# --- main -----------------------------------------------------------------------------------------


def interpreter() -> dict:
    """Which Python runs the server and the worker (this one: they are started with
    sys.executable), and how fast it runs a fixed loop on this machine now. Two builds of CPython
    3.11 on the same machine — pyenv's, without PGO/LTO, and Debian's — differ markedly in speed
    (docs/operations.md, docs/performance.md)."""

    def loop():
        total = 0
        for i in range(2_000_000):
            total += i
        return total

    timings = []
    for _ in range(3):
        started = time.process_time()
        loop()
        timings.append(time.process_time() - started)
    return {
        "executable": os.path.realpath(sys.executable),
        "version": sys.version.split()[0],
        "fixed loop (2M additions), best of 3": f"{min(timings) * 1000:.0f} ms",
    }


def percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")


def main() -> int:
    args = parse_args()
    db = check_environment()
    budget = int(args.seconds) + 900  # building, scoring and draining included
    signal.signal(signal.SIGALRM, _over_budget)
    signal.alarm(budget)
    random.seed(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="thidua-loadtest-"))
    env = server_environment(workdir / "static")
    name = create_database(db)
    print(f"database {name} created; logs in {workdir}", flush=True)
    server = worker = sampler = None
    failed = True
    try:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emulation.settings")
        import django

        django.setup()
        from django.core.cache import cache
        from django.core.management import call_command
        from django.db import connections

        from emulation.celery import app

        t0 = time.monotonic()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        cache.clear()  # the Redis database of this test: ids restart with the new database
        app.control.purge()
        data = build(args)
        print(
            f"built {args.clusters} clusters × {args.members} members = {len(data.reporters)} "
            f"reporters, {args.clusters} secretariats, {args.readers} readers "
            f"in {time.monotonic() - t0:.1f} s",
            flush=True,
        )

        hostname = f"loadtest-{os.getpid()}@{socket.gethostname()}"
        worker = spawn(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "emulation",
                "worker",
                "--concurrency=1",
                "--loglevel=WARNING",
                f"--hostname={hostname}",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
            workdir / "worker.log",
            nice=args.worker_nice,
        )
        wait_until(
            lambda: worker.poll() is None and app.control.ping(destination=[hostname], timeout=1),
            60,
            "the Celery worker to answer",
        )
        from django.db.models import F

        from clusters.models import EmulationYear

        wait_until(
            lambda: (
                not EmulationYear.objects.filter(
                    pk__in=data.year_ids, scored_version__lt=F("input_version")
                ).exists()
            ),
            120,
            "the first scoring of every year",
        )
        port = free_port()
        server_args = [
            sys.executable,
            "-m",
            "gunicorn",
            "emulation.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ]
        if args.threads > 1:
            server_args += ["--worker-class", "gthread", "--threads", str(args.threads)]
        server = spawn(server_args, env, workdir / "gunicorn.log")

        def healthy():
            if server.poll() is not None:
                raise RuntimeError("gunicorn exited: " + (workdir / "gunicorn.log").read_text())
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz/")
                return conn.getresponse().status == 200
            except OSError:
                return False

        wait_until(healthy, 60, "gunicorn to answer", interval=0.2)
        connections.close_all()

        groups = {
            f"gunicorn ({args.workers} workers)": server.pid,
            "celery worker": worker.pid,
        }
        sampler = WaitSampler(db, name)
        sampler.start()
        load = Load(args, data, port)
        load_avg_before = os.getloadavg()
        cpu_before = cpu_snapshot(groups)
        python = interpreter()
        print("python:", ", ".join(f"{k} {v}" for k, v in python.items()), flush=True)
        print(f"load: {args.seconds:.0f} s on http://127.0.0.1:{port} …", flush=True)
        elapsed = load.run()
        cpu_after = cpu_snapshot(groups)
        load_avg_after = os.getloadavg()
        sampler.done.set()
        sampler.join(5)

        rec = load.recorder
        everything = sorted(x for xs in rec.latencies.values() for x in xs)
        per_kind = {}
        for kind in sorted(rec.latencies):
            xs = sorted(rec.latencies[kind])
            per_kind[kind] = {
                "requests": len(xs),
                "errors": rec.errors[kind],
                "rps": round(len(xs) / elapsed, 1),
                "p50_ms": round(percentile(xs, 0.50), 1),
                "p95_ms": round(percentile(xs, 0.95), 1),
                "p99_ms": round(percentile(xs, 0.99), 1),
                "max_ms": round(xs[-1] * 1000, 1) if xs else None,
                "mean_ms": round(statistics.fmean(xs) * 1000, 1) if xs else None,
            }
        errors = sum(rec.errors.values())
        cpu = {
            k: round(cpu_after[k] - cpu_before[k], 1)
            for k in cpu_after
            if cpu_after[k] - cpu_before[k] >= 0
        }
        ours = sum(v for k, v in cpu.items() if not k.startswith("machine"))
        cpu["other processes on the machine"] = round(
            max(
                0.0,
                cpu.get("machine busy (all processes)", 0.0)
                - cpu.get("machine time stolen by the hypervisor", 0.0)
                - ours,
            ),
            1,
        )
        waits_total = sum(sampler.samples.values()) or 1
        waits = {k: f"{v / waits_total * 100:.0f} %" for k, v in sampler.samples.most_common(8)}

        print(
            f"\nrun: {elapsed:.1f} s, {len(everything)} requests, "
            f"{len(everything) / elapsed:.1f} req/s, {errors} errors"
        )
        print(
            f"{'kind':<22}{'requests':>9}{'errors':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
            f"{'p99 ms':>9}{'max ms':>9}"
        )
        for kind, r in per_kind.items():
            print(
                f"{kind:<22}{r['requests']:>9}{r['errors']:>7}{r['rps']:>8}{r['p50_ms']:>9}"
                f"{r['p95_ms']:>9}{r['p99_ms']:>9}{r['max_ms']:>9}"
            )
        overall_p95 = round(percentile(everything, 0.95), 1)
        print(
            f"{'all':<22}{len(everything):>9}{errors:>7}"
            f"{round(len(everything) / elapsed, 1):>8}{round(percentile(everything, 0.5), 1):>9}"
            f"{overall_p95:>9}{round(percentile(everything, 0.99), 1):>9}"
            f"{round(everything[-1] * 1000, 1) if everything else 0:>9}"
        )
        for line in rec.samples:
            print("  error:", line)
        cores = os.cpu_count() or 1
        print(
            f"\nCPU seconds during the load ({cores} cores × {elapsed:.0f} s = "
            f"{cores * elapsed:.0f} core-seconds; load average {load_avg_before[0]:.1f} → "
            f"{load_avg_after[0]:.1f}):"
        )
        for k, v in cpu.items():
            print(f"  {k:<34}{v:>8.1f} s  ({v / (cores * elapsed) * 100:4.0f} % of the machine)")
        print("active database sessions, sampled every 0.25 s:", waits)

        print("\nconsistency of every report …", flush=True)
        reports = check_reports(data)
        for k, v in reports.items():
            if k != "problems":
                print(f"  {k}: {v}")
        for p in reports["problems"]:
            print("  problem:", p)
        print("rankings after the worker drains …", flush=True)
        rankings = check_rankings(data, timeout=180)
        for k, v in rankings.items():
            print(f"  {k}: {v}")
        server_log = (workdir / "gunicorn.log").read_text()
        worker_log = (workdir / "worker.log").read_text()
        server_errors = sum(
            server_log.count(m) for m in ("Internal Server Error", "[ERROR]", "[CRITICAL]")
        )
        worker_errors = worker_log.count(" ERROR")
        print(f"server log: {server_errors} errors; worker log: {worker_errors} errors")

        slow = [k for k, r in per_kind.items() if r["p95_ms"] > 300]
        ok = (
            errors == 0
            and reports["lost or wrong figures"] == 0
            and reports["wrong status"] == 0
            and reports["wrong version (a write counted twice or missing)"] == 0
            and rankings["worker drained"]
            and rankings["score lines not equal to the submitted figures"] == 0
            and server_errors == 0
            and worker_errors == 0
        )
        print(
            "\nverdict: "
            + ("0 errors, 0 lost writes, rankings recomputed" if ok else "FAILED (see above)")
            + "; p95 < 300 ms "
            + ("met for every kind" if not slow else f"MISSED for {', '.join(slow)}")
            + f" (all requests: {overall_p95} ms)"
        )
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "args": {k: str(v) for k, v in vars(args).items()},
                        "python": python,
                        "elapsed": elapsed,
                        "per_kind": per_kind,
                        "cpu_seconds": cpu,
                        "db_waits": waits,
                        "reports": reports,
                        "rankings": rankings,
                        "load_average": [load_avg_before, load_avg_after],
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
        failed = not ok
    except BudgetExceeded:
        print(f"loadtest: stopped after its {budget} s budget", file=sys.stderr)
    finally:
        signal.alarm(0)
        if sampler is not None:
            sampler.done.set()
        stop(server, signal.SIGINT)
        stop(worker)
        try:
            from django.core.cache import cache
            from django.db import connections

            from emulation.celery import app

            app.control.purge()
            cache.clear()
            connections.close_all()
        except Exception as error:  # cleanup goes on
            print(f"loadtest: cleanup of Redis: {error}", file=sys.stderr)
        if args.keep:
            print(f"database {name} kept (--keep)")
        else:
            drop_database(db, name)
            print(f"database {name} dropped")
        if failed or args.keep:
            shutil.rmtree(workdir / "static", ignore_errors=True)
            print(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
