"""Load, slow clients, protocol probes and memory, for bench_servers.py and soak.py.

Load comes from `wrk` (Debian's package; `apt-get install wrk`): C, epoll, keep-alive
connections, a few threads. A Python client would need about as much CPU per request as the
servers it measures and, on this two-core machine, would cap the fastest of them; wrk needs a
fraction. It runs closed-loop (each connection sends its next request when the answer
arrives), so latencies include queueing at the server; they are compared between servers
measured in the same run, never taken as absolute figures.
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# wrk prints one JSON line from Lua at the end; the rest of its output is not parsed.
LUA = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%f, "p50_ms": %%f, "p99_ms": %%f, "max_ms": %%f, ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def require_wrk() -> str:
    """The path of `wrk`, or `SystemExit` saying how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("this benchmark needs wrk as its load generator: apt-get install wrk")
    return path


@dataclass
class LoadResult:
    """What one wrk run measured; `errors` counts non-2xx/3xx answers and socket errors."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(port: int, paths: list[str], connections: int, seconds: float,
            threads: int = 2) -> LoadResult:
    """`connections` keep-alive connections GETting `paths` in turn for `seconds`."""
    quoted = ", ".join(json.dumps(path) for path in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % quoted)
    try:
        done = subprocess.run(
            [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s",
             "-s", script.name, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=seconds + 30, check=False)
    finally:
        Path(script.name).unlink()
    line = next((line for line in done.stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {done.stdout[-500:]} {done.stderr[-500:]}")
    result = json.loads(line[len("RESULT "):])
    errors = sum(result[key] for key in ("connect", "read", "write", "status", "timeout"))
    return LoadResult(result["requests"], result["seconds"], result["p50_ms"],
                      result["p99_ms"], result["max_ms"], errors)


class Periodic:
    """A background thread calling `tick()` every `interval` seconds while the `with`
    block runs (`begin()` first, in the thread; `end()` after it has stopped)."""

    def __init__(self, interval: float):
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def begin(self) -> None:
        """What the thread does before its first tick."""

    def tick(self) -> None:
        """One period's work."""

    def end(self) -> None:
        """Clean-up once the thread has stopped."""

    def _run(self) -> None:
        self.begin()
        while not self._stop.wait(self.interval):
            self.tick()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.end()


class SlowClients(Periodic):
    """`count` connections sending one request head a byte every `interval` seconds.

    A connection the server closes is counted and, with `reconnect`, opened anew (as an
    attacker would), so the pressure lasts. The last byte is never sent.
    """

    HEAD = (b"GET /api/v2/version HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-"
            + b"x" * 400 + b"\r\n\r\n")

    def __init__(self, port: int, count: int, interval: float = 1.0, reconnect: bool = False):
        super().__init__(interval)
        self.port, self.reconnect = port, reconnect
        self.sockets: list[tuple[socket.socket | None, int]] = [(None, 0)] * count
        self.closed_by_server = 0

    def _open(self) -> tuple[socket.socket | None, int]:
        try:
            return socket.create_connection(("127.0.0.1", self.port), timeout=2), 0
        except OSError:
            return None, 0

    def _step(self, sock: socket.socket | None, sent: int) -> tuple[socket.socket | None, int]:
        if sock is None:
            return self._open() if self.reconnect else (None, sent)
        try:
            sock.send(self.HEAD[sent:sent + 1])
            return sock, min(sent + 1, len(self.HEAD) - 2)
        except OSError:
            self.closed_by_server += 1
            sock.close()
            return self._open() if self.reconnect else (None, sent)

    def begin(self) -> None:
        self.sockets = [self._open() for _ in self.sockets]

    def tick(self) -> None:
        self.sockets = [self._step(sock, sent) for sock, sent in self.sockets]

    def end(self) -> None:
        for sock, _ in self.sockets:
            if sock is not None:
                sock.close()


@dataclass
class ProbeResult:
    """Fresh-connection GETs made while something else goes on."""

    latencies: list[float] = field(default_factory=list)
    failures: int = 0

    @property
    def worst(self) -> float:
        return max(self.latencies, default=float("nan"))


def probe_while(port: int, seconds: float, path: str = "/api/v2/studies/NCT04325594",
                timeout: float = 2.0, pause: float = 0.2) -> ProbeResult:
    """GET `path` on a new connection every `pause` seconds for `seconds`; a request not
    answered 200 within `timeout` is a failure."""
    result, deadline = ProbeResult(), time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            result.latencies.append(time.monotonic() - started)
            result.failures += response.status != 200
        except OSError:
            result.latencies.append(time.monotonic() - started)
            result.failures += 1
        finally:
            connection.close()
        time.sleep(pause)
    return result


PROBES = {
    "414": b"GET /api/v2/studies?filter.ids=" + b"NCT04325594," * 1800
           + b"NCT04325594 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "431": b"GET /api/v2/version HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000
           + b"\r\nConnection: close\r\n\r\n",
    "400": b"GARBAGE\r\n\r\n",
}


def protocol_errors(port: int) -> dict[str, str]:
    """For each probe of `PROBES`: the status and what the body is (text, html, empty)."""
    verdicts = {}
    for name, data in PROBES.items():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(data)
                response = http.client.HTTPResponse(sock)
                response.begin()
                body = response.read()
            kind = response.getheader("Content-Type", "").split(";")[0].split("/")[-1]
            verdicts[name] = f"{response.status} {kind if body else 'empty'}"
        except OSError as error:
            verdicts[name] = f"no answer ({type(error).__name__})"
    return verdicts


def server_header(port: int) -> str:
    """The `Server` header of a plain GET, or '-'."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/api/v2/version")
        response = connection.getresponse()
        response.read()
        return response.getheader("Server") or "-"
    finally:
        connection.close()


def session_memory_mb(session: int) -> tuple[float, float]:
    """Resident memory of every process of session `session` (a server started with
    `start_new_session`: its master and workers), in MB: all of it, and the private part
    (`RssAnon`: the heap, without the files mapped, such as the store SQLite maps)."""
    totals = {"VmRSS": 0, "RssAnon": 0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) != session:  # field 6 of stat: the session id
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                name = line.split(":")[0]
                if name in totals:
                    totals[name] += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
    return totals["VmRSS"] / 1024, totals["RssAnon"] / 1024
