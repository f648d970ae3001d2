"""Turn what the ``openai`` client raises into one clear, user-facing sentence.

Every failure of the endpoint reaches the user as an :class:`EngineError` whose message says what
went wrong and what to change (the URL, the key's environment variable, the model), and never
contains the key itself.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import openai

from synthls.synth.engine_protocol import (
    EngineError as EngineError,  # raised here, defined by the interface
)

# status codes worth retrying with backoff: overloaded, rate limited, transient server errors
RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    message: object = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
    text = str(message or exc.message or "").strip()
    return text if len(text) <= 200 else text[:199] + "…"


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


_DNS_WORDS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated",
    "name resolution",
    "getaddrinfo failed",
)


def _is_dns(exc: BaseException) -> bool:
    chain = _causes(exc)
    text = " ".join(str(c) for c in chain).lower()
    return any(isinstance(c, socket.gaierror) for c in chain) or any(w in text for w in _DNS_WORDS)


def _is_refused(exc: BaseException) -> bool:
    chain = _causes(exc)
    text = " ".join(str(c) for c in chain).lower()
    return any(isinstance(c, ConnectionRefusedError) for c in chain) or "refused" in text


def _connection_reason(exc: BaseException, url: str) -> str:
    host = urlsplit(url).hostname or url
    if _is_dns(exc):
        return f"cannot reach {url}: DNS lookup failed for {host}"
    if _is_refused(exc):
        return f"cannot reach {url}: connection refused (is the server running?)"
    detail = next((str(c) for c in _causes(exc)[1:] if str(c)), str(exc))
    return f"cannot reach {url}: {detail}"


def describe(
    exc: BaseException, *, url: str, key_env: str, key_set: bool, model: str, attempts: int = 1
) -> str:
    """One sentence for the user about ``exc`` raised while calling ``url``."""
    if isinstance(exc, openai.APITimeoutError):
        return f"{url} did not answer in time (openai.timeout); the request was abandoned"
    if isinstance(exc, openai.APIConnectionError):
        return _connection_reason(exc, url)
    if isinstance(exc, openai.APIStatusError):
        code, said = exc.status_code, _server_message(exc)
        suffix = f" (server said: {said})" if said else ""
        tries = f", gave up after {attempts} attempts" if attempts > 1 else ""
        if code == 401:
            hint = f"check ${key_env}" + ("" if key_set else " (it is not set)")
            return f"401 Unauthorized from {url}: {hint}{suffix}"
        if code == 403:
            return f"403 Forbidden from {url}: check ${key_env} and its access to model {model!r}{suffix}"
        if code == 404:
            return (
                f"404 Not Found from {url}: model {model!r} is not available there, or the base URL "
                f"is wrong (set openai.model / $SYNTHLS_MODEL, openai.baseUrl){suffix}"
            )
        if code == 429:
            return f"429 Too Many Requests from {url}: rate limited{tries}{suffix}"
        if code >= 500:
            return f"{code} server error from {url}{tries}{suffix}"
        return f"{code} from {url}{suffix}"
    if isinstance(exc, openai.APIResponseValidationError | openai.APIError):
        return f"unexpected reply from {url}: {exc}"
    return f"request to {url} failed: {type(exc).__name__}: {exc}"


def redact(text: str, secret: str | None) -> str:
    """``text`` with ``secret`` masked (servers sometimes echo the key they were sent)."""
    if secret and len(secret) >= 4:
        return text.replace(secret, "***")
    return text


def retryable(exc: BaseException) -> bool:
    if isinstance(exc, openai.APITimeoutError):
        return False  # a hanging server: retrying only multiplies the wait
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRYABLE_STATUS
    if isinstance(exc, openai.APIConnectionError):
        return not (_is_dns(exc) or _is_refused(exc))
    return False


def retry_after(exc: BaseException) -> float | None:
    """The server's requested wait in seconds (``retry-after-ms`` / ``retry-after``), if any."""
    if not isinstance(exc, openai.APIStatusError):
        return None
    headers = exc.response.headers
    for header, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(header)
        if value:
            try:
                return max(0.0, float(value) / divisor)
            except ValueError:
                continue
    return None
