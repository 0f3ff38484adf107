"""What a database URL's text must hold before any parser reads it.

SQLAlchemy reads ``user:p@ss@host`` as the host ``ss@host`` and ``user:p/w@host`` as the host
``p`` with the database ``w@host``, and a port that is not a number fails deep inside a
driver. Each of these is one line here, exit 2, naming the problem and never the password.
No SQLAlchemy import: the fast ``status`` path checks with this too.
"""

from __future__ import annotations

from migsafe.errors import UsageError
from migsafe.redaction import redact_url_text, remember_url

ENCODE_HINT = (
    "percent-encode special characters in the user name and password: @ as %40, / as %2F, "
    ": as %3A, % as %25, # as %23, ? as %3F (Python: urllib.parse.quote(password, safe=''))"
)


def check_url_text(url: str) -> None:
    """Refuse a URL whose user part holds a raw ``@`` or ``/``, or whose port is not one."""
    remember_url(url)
    scheme, sep, body = url.partition("://")
    if not sep or scheme.split("+")[0].lower().startswith("sqlite"):
        return  # a file path may hold "@" and "/" (and "not a URL" is the parser's to say)
    before_query = body.split("?", 1)[0]
    shown = redact_url_text(url)
    if before_query.count("@") > 1:
        raise UsageError(
            f"the database URL {shown!r} has more than one '@' before the host: a raw '@' in "
            "the password (or user name)",
            hint=ENCODE_HINT,
        )
    if "@" in before_query and "/" in before_query.rsplit("@", 1)[0]:
        raise UsageError(
            f"the database URL {shown!r} has a '/' before the '@': a raw '/' in the password "
            "(or user name)",
            hint=ENCODE_HINT,
        )
    authority = before_query.split("/", 1)[0].rsplit("@", 1)[-1]
    port = _port_text(authority)
    if port is None:
        return
    try:
        number = int(port)
    except ValueError:
        raise UsageError(
            f"the database URL {shown!r} has a port that is not a number",
            hint="a port is a number from 1 to 65535 (PostgreSQL's default is 5432); if "
            "this is part of the password, " + ENCODE_HINT,
        ) from None
    if not 1 <= number <= 65535:
        raise UsageError(
            f"the database URL {shown!r} has port {number}, out of range (1-65535)",
            hint="PostgreSQL's default port is 5432",
        )


def _port_text(authority: str) -> str | None:
    """The port as written after ``host:`` (``[v6]:port`` too); None without one or for a
    list of hosts, which the driver reads itself."""
    if "," in authority:
        return None
    if authority.startswith("["):
        _, _, after = authority.partition("]")
        return after[1:] if after.startswith(":") else None
    _, colon, port = authority.partition(":")
    return port if colon else None
