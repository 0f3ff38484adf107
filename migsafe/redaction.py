"""Keeping database passwords out of what migsafe shows or stores.

A password reaches text in many spellings: raw, percent-encoded as in a URL (either case of
hex, partly or fully), ``+`` for a space, backslash-escaped as in a libpq conninfo. Every
password migsafe learns (from a URL it was given or parsed, even one it could not parse) is
remembered for the life of the process, so that the one error boundary can scrub whatever
reaches the user, a ``--debug`` traceback included, whoever wrote the text (env.py's own
exception quoting the URL, a driver's message). Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, unquote_plus

__all__ = [
    "mask_query_secrets",
    "mask_url_passwords",
    "password_in_url_text",
    "password_pattern",
    "redact_url_text",
    "remember_password",
    "remember_url",
    "scrub",
    "scrub_remembered",
]

MASK = "***"

#: Query parameters libpq (and so every PostgreSQL driver) reads a secret from.
_QUERY_SECRET = re.compile(r"([?&](?:ssl)?password=)[^&#]*", re.IGNORECASE)

_remembered: set[str] = set()


def password_pattern(password: str) -> str:
    """A regular expression matching *password* however each of its characters is written."""
    parts = []
    for char in password:
        forms = [re.escape(char), "".join(_percent(b) for b in char.encode("utf-8"))]
        if char == " ":
            forms.append(r"\+")
        if char in "'\\":
            forms.append(re.escape("\\" + char))
        parts.append("(?:" + "|".join(forms) + ")")
    return "".join(parts)


def _percent(byte: int) -> str:
    """``%2F`` or ``%2f``: a pattern for one percent-encoded byte, hex in either case."""
    return "%" + "".join(f"[{d}{d.lower()}]" if d.isalpha() else d for d in f"{byte:02X}")


def remember_password(password: str | None) -> None:
    """Scrub *password* from everything :func:`scrub` sees from now on."""
    if password:
        _remembered.add(password)


def remember_url(url: str | None) -> None:
    """Remember the password of a URL given as text, parseable or not (see
    :func:`password_in_url_text`), in its decoded forms too."""
    if not url:
        return
    raw = password_in_url_text(url)
    if raw:
        for form in (raw, unquote(raw), unquote_plus(raw)):
            remember_password(form)


def scrub(text: str, passwords: Iterable[str | None]) -> str:
    """*text* with each of *passwords* replaced by ``***``, however it is spelled there.

    Longest first, so that a password containing another is masked whole.
    """
    for secret in sorted({p for p in passwords if p}, key=len, reverse=True):
        text = re.sub(password_pattern(secret), MASK, text)
    return text


def scrub_remembered(text: str) -> str:
    """*text* with every password remembered so far replaced by ``***``: for the error
    boundary, which shows text whose author (env.py, a driver) knew nothing of redaction."""
    return scrub(text, _remembered)


def _split(url: str) -> tuple[str, str]:
    """``("scheme://", rest)``; ``("", url)`` when there is no scheme."""
    head, sep, body = url.partition("://")
    return (head + sep, body) if sep else ("", url)


def password_in_url_text(url: str) -> str | None:
    """What a URL's text holds in the password's place, as written (percent-encoding kept).

    Everything between the first ``:`` of the user part and the *last* ``@`` before the
    query: a password with a raw ``@`` or ``/`` is still found whole. Without an ``@``, the
    text after a ``host:`` that is not a port number (``user:secret/db`` misread as a host).
    """
    _, body = _split(url)
    before_query = body.split("?", 1)[0]
    if "@" in before_query:
        userinfo = before_query.rsplit("@", 1)[0]
        _, colon, password = userinfo.partition(":")
        return password if colon and password else None
    authority = before_query.split("/", 1)[0]
    _, colon, after = authority.partition(":")
    if colon and after and not after.isdigit() and not authority.startswith("["):
        return after
    return None


_URL_PASSWORD = re.compile(r"(://[^/:@\s]*:)[^@\s]*@")


def mask_url_passwords(text: str) -> str:
    """*text* with the password of every ``scheme://user:password@`` in it masked, for text
    that may quote URLs migsafe never saw (an exception from env.py's own configuration)."""
    return mask_query_secrets(_URL_PASSWORD.sub(r"\1" + MASK + "@", text))


def mask_query_secrets(url: str) -> str:
    """A URL's text with the values of ``?password=`` / ``sslpassword=`` replaced by ``***``."""
    return _QUERY_SECRET.sub(lambda m: m.group(1) + MASK, url)


def redact_url_text(url: str) -> str:
    """A URL's text with its password replaced by ``***``, for a URL no parser could read.

    Hides what :func:`password_in_url_text` finds, wherever the text repeats it.
    """
    password = password_in_url_text(url)
    if not password:
        return mask_query_secrets(url)
    url = mask_query_secrets(url)
    head, body = _split(url)
    before_query, sep, query = body.partition("?")
    if "@" in before_query:
        userinfo, host = before_query.rsplit("@", 1)
        user = userinfo.partition(":")[0]
        shown = f"{head}{user}:{MASK}@{host}{sep}{query}"
    else:
        shown = f"{head}{before_query.replace(':' + password, ':' + MASK, 1)}{sep}{query}"
    return scrub(shown, [password])


def exception_line(exc: BaseException, limit: int = 300) -> str:
    """``Type: message`` on one line, at most ``limit`` characters of message, with every
    password migsafe knows of and every ``user:password@`` in a URL masked: for notes that are
    shown and stored (a lint note in a run's plan)."""
    text = mask_url_passwords(scrub_remembered(" ".join(str(exc).split())))
    return f"{type(exc).__name__}: {text[:limit]}"
