"""The upstream registry API, read politely: one HTTP client, a request rate, retries.

One `httpx.Client` for a whole sync (one connection, kept alive; gzip answers decoded), at
most `rate` requests a second, every wait bounded. A request that fails in a way that may
pass (no connection, no answer in time, 429, 5xx, a body cut short or not JSON: the
registry's CDN sometimes answers an HTML page) is tried again after an exponential backoff
with jitter, or after the upstream's `Retry-After` when it says one; any other 4xx is the
upstream's answer and is not retried. When the retries are spent, `UpstreamError` says in
one line what went wrong.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Self
from urllib.parse import urlsplit

import httpx
import orjson
import tenacity

API_PATH = "/api/v2"
DISTRIBUTION = "ctgov-v2-server"
# A page of 1,000 large studies is tens of MB: the whole answer may take this many
# timeouts, each read one at most (a trickling upstream must not hold the sync forever).
ANSWER_TIMEOUTS = 10
# A Retry-After longer than this is not waited for: the run stops and says so.
MAX_RETRY_AFTER = 600.0
MESSAGE_CHARACTERS = 300  # of an upstream's error text, in our one line


class UpstreamError(Exception):
    """The upstream could not be read; `str()` is the one line to show."""


class UpstreamRefused(UpstreamError):
    """The upstream answered a 4xx (not 429): `status` and its text/plain `message`."""

    def __init__(self, url: str, status: int, message: str):
        super().__init__(f"{url} answered {status}: {message}")
        self.status, self.message = status, message


class Transient(Exception):
    """A failure that may pass: tried again (after `retry_after` seconds, if given)."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Policy:
    """How the upstream is read: requests a second, the timeout of one wait (seconds), how
    many retries after the first attempt, and the first backoff (doubled each retry)."""

    rate: float = 1.0
    timeout: float = 60.0
    retries: int = 6
    backoff: float = 2.0


def base_url(url: str) -> str:
    """The API base URL of `url`: a registry API base URL ending in `/api/v2` as it is,
    a server's root (`http://127.0.0.1:8000`) with `/api/v2` added; no trailing slash.
    Raises ValueError unless it is an http(s) URL with a host."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http:// or https:// URL with a host")
    if parts.query or parts.fragment:
        raise ValueError("a base URL has no query or fragment")
    path = parts.path.rstrip("/")
    if not path.endswith(API_PATH):
        path += API_PATH
    return f"{parts.scheme}://{parts.netloc}{path}"


def user_agent() -> str:
    """`ctgov-v2-server/<version> (+<project URL or name>)`, from the package metadata."""
    try:
        found = metadata.metadata(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # a tree not installed: still say who we are
        return f"{DISTRIBUTION} (+{DISTRIBUTION})"
    home = found.get("Home-page") or next(
        (entry.split(",", 1)[-1].strip() for entry in found.get_all("Project-URL") or ()),
        DISTRIBUTION)
    return f"{DISTRIBUTION}/{found['Version']} (+{home})"


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a `Retry-After` value (seconds, or an HTTP date); None if
    absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _described(error: httpx.HTTPError, timeout: float) -> str:
    """A transport failure in a few words."""
    if isinstance(error, httpx.TimeoutException):
        return f"no answer within {timeout:g} s ({type(error).__name__})"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"the answer was cut short ({error})"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


class Upstream:
    """A registry v2 API at `base` (see `base_url`), read under `policy`. `on_retry(line)`
    hears of each retry before its wait. Use it in a `with` block (it closes the client)."""

    def __init__(self, base: str, policy: Policy = Policy(),
                 on_retry: Callable[[str], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.base, self.policy = base, policy
        self._on_retry, self._sleep = on_retry, sleep
        self._next_start = 0.0
        self._exponential = tenacity.wait_exponential_jitter(
            multiplier=policy.backoff, max=policy.backoff * 64, jitter=policy.backoff)
        self._client = httpx.Client(
            headers={"User-Agent": user_agent(), "Accept": "application/json"},
            timeout=httpx.Timeout(policy.timeout), follow_redirects=True)

    def get_json(self, path: str, params: dict[str, str]) -> tuple[bytes, object]:
        """`GET {base}{path}?{params}`: the answer's body and its JSON value, retried as the
        policy says. Raises `UpstreamRefused` (a 4xx) or `UpstreamError` (retries spent)."""
        url = f"{self.base}{path}"
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.policy.retries + 1),
            wait=self._wait, retry=tenacity.retry_if_exception_type(Transient),
            before_sleep=self._tell, sleep=self._sleep, reraise=True)
        try:
            return retrying(self._attempt, url, params)
        except Transient as error:
            raise UpstreamError(f"{url}: {error} (after {self.policy.retries + 1} "
                                "attempts)") from None

    def _attempt(self, url: str, params: dict[str, str]) -> tuple[bytes, object]:
        self._pace()
        deadline = time.monotonic() + ANSWER_TIMEOUTS * self.policy.timeout
        try:
            with self._client.stream("GET", url, params=params) as response:
                body = b"".join(self._chunks(response, deadline))
        except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.TooManyRedirects) as error:
            raise UpstreamError(f"{url}: {error}") from None
        except httpx.HTTPError as error:  # transport failures, bodies that do not decode
            raise Transient(_described(error, self.policy.timeout)) from None
        return body, self._value(url, response, body)

    def _chunks(self, response: httpx.Response, deadline: float):
        for chunk in response.iter_bytes():
            if time.monotonic() > deadline:
                raise Transient(f"the answer took longer than "
                                f"{ANSWER_TIMEOUTS * self.policy.timeout:g} s")
            yield chunk

    def _value(self, url: str, response: httpx.Response, body: bytes) -> object:
        """The JSON of a 200 answer; otherwise why not, as an exception."""
        status = response.status_code
        if status == 429 or status >= 500:
            wait = retry_after(response.headers.get("Retry-After"))
            if wait is not None and wait > MAX_RETRY_AFTER:
                raise UpstreamError(f"{url} answered {status} and asks to wait {wait:.0f} s "
                                    "(Retry-After): try again later")
            raise Transient(f"{status} {response.reason_phrase}", wait)
        if status != 200:
            text = body.decode("utf-8", "replace").strip().replace("\n", " ")
            raise UpstreamRefused(url, status, text[:MESSAGE_CHARACTERS] or
                                  response.reason_phrase)
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            start = body[:40].decode("utf-8", "replace").strip().replace("\n", " ")
            raise Transient(f"the answer is not JSON ({len(body):,} bytes"
                            f"{', starting ' + repr(start) if start else ''})") from None

    def _pace(self) -> None:
        """Wait until the next request may start (at most `rate` a second)."""
        now = time.monotonic()
        if now < self._next_start:
            self._sleep(self._next_start - now)
        self._next_start = max(now, self._next_start) + 1 / self.policy.rate

    def _wait(self, state: tenacity.RetryCallState) -> float:
        """Backoff: the upstream's Retry-After when it gave one (at least), else
        exponential with jitter."""
        exponential = self._exponential(state)
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "retry_after", None)
        return max(asked, self.policy.backoff) if asked is not None else exponential

    def _tell(self, state: tenacity.RetryCallState) -> None:
        if self._on_retry is not None:
            error = state.outcome.exception()
            self._on_retry(f"upstream: {error}; retry {state.attempt_number} of "
                           f"{self.policy.retries} in {state.upcoming_sleep:.1f} s")

    def close(self) -> None:
        """Close the connection."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
