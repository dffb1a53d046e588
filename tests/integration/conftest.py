"""A real Celery worker process, on the real Redis broker, writing to the test PostgreSQL
database. Used by tests marked `integration` (run with INTEGRATION=1)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture
def live_worker(transactional_db, tmp_path):
    """Start `celery worker` against the test database; stop it afterwards."""
    from django.conf import settings
    from django.db import connection

    from emulation.celery import app

    app.control.purge()
    with app.connection_for_write() as broker:  # purge() empties the default queue only
        broker.default_channel.queue_purge(settings.RECOMPUTE_BULK_QUEUE)
    env = dict(os.environ)
    env["DATABASE_URL"] = _database_url(connection.settings_dict)
    env["DB_CONN_MAX_AGE"] = "0"
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "emulation",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--loglevel=INFO",
                f"--hostname=test-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--queues=celery,recompute-bulk",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("the worker exited: " + log.read_text())
            replies = app.control.ping(
                destination=[f"test-{os.getpid()}@{os.uname().nodename}"], timeout=1
            )
            if replies:
                break
        else:
            pytest.fail("the worker did not answer within 60 s: " + log.read_text())
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # Django's own connection must not keep the test database busy either.
        connection.close()


def wait_for(predicate, *, timeout: float = 60.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s")


# --- real processes for the fault tests (tests/integration/test_faults.py) ----------------------
# Every process is started in its own session and killed — with its children — in a `finally`;
# every wait has a deadline.


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(args: list[str], *, env: dict, log: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends it and its children
        )


def stop(process: subprocess.Popen | None, *, timeout: float = 15) -> None:
    """SIGTERM the process group we started, SIGKILL it if it lingers."""
    import signal

    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        os.killpg(process.pid, signal.SIGCONT)  # a stopped process acts on SIGTERM only then
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # children that outlived their parent, too
    process.wait(timeout=10)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid …": comm may hold spaces, so split after its closing bracket.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


class PrivateRedis:
    """A redis-server of this test alone, on a free port, without persistence: killing it and
    starting it again is a broker outage (and a cache outage: the app's cache follows the broker)
    that touches no other test."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.log = tmp_path / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = spawn(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            env=dict(os.environ),
            log=self.log,
        )
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        try:
            wait_for(lambda: _pings(client), timeout=15, interval=0.05)
        finally:
            client.close()

    def kill(self) -> None:
        import signal

        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:  # not up yet
        return False


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        stop(server.process)


def service_database_url(*, application_name: str = "") -> str:
    from django.db import connection

    url = _database_url(connection.settings_dict)
    return f"{url}?application_name={application_name}" if application_name else url


def service_env(*, broker_url: str, application_name: str, **extra: str) -> dict:
    """The environment of an app, worker or beat process on the test database and a private
    broker — the production shape: the cache follows the broker (no REDIS_URL)."""
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_RESULT_BACKEND"}}
    env.update(
        # One key for all: without it each process (and each restarted gunicorn worker) would
        # draw its own development secret, and sessions would not survive between them.
        SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=service_database_url(application_name=application_name),
        CELERY_BROKER_URL=broker_url,
        TESTING="1",
        PYTHONUNBUFFERED="1",
        CELERY_TRACE_LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


def start_worker(
    *, broker_url: str, log: Path, name: str, pool: str = "solo", **extra: str
) -> subprocess.Popen:
    """A `celery worker` on the private broker; returns once it is ready."""
    hostname = f"{name}-{os.getpid()}@{os.uname().nodename}"
    process = spawn(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "emulation",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--loglevel=INFO",
            f"--hostname={hostname}",
            "--without-gossip",
            "--without-mingle",
            "--queues=celery,recompute-bulk",
        ],
        env=service_env(broker_url=broker_url, application_name=name, **extra),
        log=log,
    )
    # Ready when it says so. (A ping from this process would go to the shared broker: Celery
    # prefers the CELERY_BROKER_URL environment variable to any broker given to an app.)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the worker exited: " + log.read_text())
        if f"{hostname} ready." in log.read_text():
            return process
        time.sleep(0.1)
    stop(process)
    pytest.fail("the worker was not ready within 60 s: " + log.read_text())


def start_beat(*, broker_url: str, tmp_path: Path, sweep_seconds: int) -> subprocess.Popen:
    """A real `celery beat` whose only job is the sweep, every `sweep_seconds`."""
    return spawn(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "emulation",
            "beat",
            "--loglevel=INFO",
            f"--schedule={tmp_path / 'celerybeat-schedule'}",
            "--max-interval=1",
        ],
        env=service_env(
            broker_url=broker_url,
            application_name="fault-beat",
            RECOMPUTE_SWEEP_SECONDS=str(sweep_seconds),
        ),
        log=tmp_path / "beat.log",
    )


def start_gunicorn(*, broker_url: str, log: Path, **extra: str) -> tuple[subprocess.Popen, str]:
    """The app under gunicorn (one sync worker: requests run one after another on the same
    persistent database connection); returns once /healthz/ answers."""
    import urllib.request

    port = free_port()
    process = spawn(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "emulation.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ],
        env=service_env(broker_url=broker_url, application_name="fault-web", **extra),
        log=log,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if process.poll() is not None:
            pytest.fail("gunicorn exited: " + log.read_text())
        try:
            # Our own http:// address, never a user-supplied scheme.
            with urllib.request.urlopen(base + "/healthz/", timeout=2) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    try:
        wait_for(up, timeout=30, interval=0.1)
    except AssertionError:
        stop(process)
        raise
    return process, base


class Browser:
    """A logged-in user of a live server: cookies, CSRF token, redirects not followed."""

    def __init__(self, base: str):
        import http.cookiejar
        import urllib.request

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, path: str, data: dict | None = None, *, timeout: float = 30):
        """(status, body, seconds) of one request; a POST carries the CSRF token."""
        import urllib.error
        import urllib.parse
        import urllib.request

        body = None
        if data is not None:
            data = {"csrfmiddlewaretoken": self.cookie("csrftoken"), **data}
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 (http://)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        return status, text, time.monotonic() - started

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def login(self, username: str, password: str) -> None:
        status, _body, _s = self.request("/dang-nhap/")
        assert status == 200
        status, body, _s = self.request("/dang-nhap/", {"username": username, "password": password})
        assert status == 302, body[:2000]
        assert self.cookie("sessionid")
