"""Per-call cost of `is_enabled`: the `flags` engine vs `UnleashClient.is_enabled`.

One client-features document, loaded into both clients:

* (a) `plain_on`: a plain on/off flag (on, one `default` strategy);
* (b) `rollout_50`: a 50% `flexibleRollout` sticky on `userId`, with the constraint
  `environment IN [production]`;
* (c) `no_such_flag`: a name the document does not define.

`FlagClient.from_features(document).is_enabled` (what application code calls: the client over
its compiled `flags.Engine`) is timed against `UnleashClient.UnleashClient` bootstrapped offline
from the same document: an in-memory bootstrap cache, metrics and registration off, and
`initialize_client(fetch_toggles=False)` (its background scheduler only re-reads that cache,
once an hour). Its URL points at a closed loopback port, and every socket connect and name
lookup in this process is refused and counted: the run fails if there was any.

Before timing, both clients must give the same answer for every case over a few hundred
contexts (the script exits 1 if they disagree). Then every case is timed with `timeit`, each
repeat running all six (case, client) pairs in turn, in alternating order, so that drift in the
machine's load hits all of them. The context passed is the same for every call:
`{"userId": ..., "environment": "production"}`, with a user inside the rollout, so that (b)
runs its whole path (the constraint, then the hash) and answers True. Figures are per call,
timeit's loop included (its empty-loop cost is printed, not subtracted).

Propagation: 8 separate processes each hold `FlagClient.from_database` on one PostgreSQL
database and check one flag every millisecond (tests/support/flag_watchers.py). The flag is
flipped 50 times, alternately with `migsafe flags disable` and `enable`'s own code path
(`migsafe.api.flags.flags_disable`/`flags_enable`, in this process: what the command runs,
without the interpreter's start-up). Each flip is timed from just before that call to the
moment each process sees the new answer, on `time.monotonic_ns()`, which is the same
system-wide CLOCK_MONOTONIC in every process on Linux. The call is made as on a bastion host,
with only a URL, and opens one short connection (the flag read under its row lock, written and
committed), so the figures include it: an upper bound on the time from the commit, which the
line "from its return" brackets from below. Figures are compared with
Unleash's SDKs, which poll every 15 s by default (a change waits 7.5 s on average, up to 15 s).

    python benchmarks/bench_flags.py            # 9 repeats of >= 0.2 s per pair; 50 flips
    python benchmarks/bench_flags.py --quick    # 3 repeats of >= 0.02 s per pair, 10 flips

REGEX (issue 9): a flag whose constraint is `userId REGEX (a+)+$`, the pattern a backtracking
engine takes exponential time on, is asked about `'a' * 24 + '!'` and `'a' * 10000 + '!'`
(no match), timed the same way for both clients. With Python's `re` the first took 5.3 s per
call; with RE2 it is linear in the input.

Targets (issue 5): (a) at most 1 us per call and at least 30x faster than UnleashClient,
(b) at least 10x faster; propagation p99 under 100 ms.

PostgreSQL: MIGSAFE_BENCH_DATABASE_URL (an admin URL; a database is created and dropped), else
the same throwaway cluster the test suite uses.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import ipaddress
import json
import logging
import os
import platform
import socket
import statistics
import sys
import time
import timeit
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from UnleashClient import UnleashClient  # noqa: E402
from UnleashClient.cache import BaseCache  # noqa: E402
from UnleashClient.constants import FEATURES_URL  # noqa: E402
from UnleashClient.utils import InstanceAllowType  # noqa: E402

from flags import Engine, FlagClient  # noqa: E402
from migsafe.api import flags as flags_api  # noqa: E402
from migsafe.settings import CliOptions, load_settings  # noqa: E402
from tests.support.flag_watchers import watchers  # noqa: E402
from tests.support.pg import PgServer, from_env, provide_server  # noqa: E402

PLAIN, ROLLOUT, UNKNOWN = "plain_on", "rollout_50", "no_such_flag"

DOCUMENT: dict[str, Any] = {
    "version": 2,
    "features": [
        {
            "name": PLAIN,
            "type": "release",
            "enabled": True,
            "impressionData": False,
            "strategies": [{"name": "default", "parameters": {}, "constraints": []}],
            "variants": [],
        },
        {
            "name": ROLLOUT,
            "type": "release",
            "enabled": True,
            "impressionData": False,
            "strategies": [
                {
                    "name": "flexibleRollout",
                    "parameters": {"rollout": "50", "stickiness": "userId", "groupId": ROLLOUT},
                    "constraints": [
                        {
                            "contextName": "environment",
                            "operator": "IN",
                            "values": ["production"],
                            "inverted": False,
                            "caseInsensitive": False,
                        }
                    ],
                }
            ],
            "variants": [],
        },
    ],
    "segments": [],
}

CASES = [
    ("a", PLAIN, "plain on/off flag"),
    ("b", ROLLOUT, "50% rollout + constraint"),
    ("c", UNKNOWN, "unknown flag"),
]
TARGET_US = {"a": 1.0}
TARGET_RATIO = {"a": 30.0, "b": 10.0}
PROCESSES = 8
TARGET_P99_MS = 100.0
UNLEASH_POLL_S = 15.0  # UnleashClient's default refresh_interval

UNREACHABLE_URL = "http://127.0.0.1:9/"  # the discard port, closed; nothing is ever sent to it


class MemoryCache(BaseCache):
    """A bootstrap cache in memory: UnleashClient's default FileCache would write to disk."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._data: dict[str, Any] = {FEATURES_URL: json.dumps(document)}
        self.bootstrapped = True

    def set(self, key: str, value: Any) -> None:
        self._data[key] = value

    def mset(self, data: dict[str, Any]) -> None:
        self._data.update(data)

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def exists(self, key: str) -> bool:
        return key in self._data

    def destroy(self) -> None:
        self._data.clear()


@contextlib.contextmanager
def no_network() -> Iterator[list[object]]:
    """Refuse every socket connect and name lookup in this process; yield what was attempted."""
    attempts: list[object] = []
    real = (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo)

    def refuse(address: object) -> OSError:
        attempts.append(address)
        host = address[0] if isinstance(address, tuple) else None
        where = "loopback" if isinstance(host, str) and _is_loopback(host) else "not loopback"
        return OSError(f"bench_flags: no network allowed ({where}: {address!r})")

    def connect(self: socket.socket, address: object) -> Any:
        raise refuse(address)

    def getaddrinfo(host: object, port: object, *args: Any, **kwargs: Any) -> Any:
        raise refuse((host, port))

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    try:
        yield attempts
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = real


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def unleash_client(document: dict[str, Any]) -> UnleashClient:
    client = UnleashClient(
        url=UNREACHABLE_URL,
        app_name="bench_flags",
        refresh_interval=3600,  # the offline job re-reads the in-memory cache; keep it idle
        disable_metrics=True,
        disable_registration=True,
        cache=MemoryCache(document),
        multiple_instance_mode=InstanceAllowType.SILENTLY_ALLOW,
    )
    client.initialize_client(fetch_toggles=False)
    return client


def check_agreement(engine: Engine, client: UnleashClient) -> tuple[int, int]:
    """Both clients' answers for every case over many contexts; (contexts, rollout hits)."""
    contexts: list[dict[str, Any] | None] = [None, {}, {"environment": "production"}]
    for env in ("production", "staging"):
        contexts += [{"userId": str(i), "environment": env} for i in range(200)]
    contexts += [{"userId": str(i)} for i in range(20)]
    contexts += [{"userId": i, "environment": "production"} for i in range(20)]  # non-str ids
    disagreements = []
    hits = 0
    for context in contexts:
        for _, name, _ in CASES:
            ours = engine.is_enabled(name, context)
            theirs = client.is_enabled(name, context)
            if ours is not theirs:
                disagreements.append((name, context, ours, theirs))
            if name == ROLLOUT and ours:
                hits += 1
    if disagreements:
        for name, context, ours, theirs in disagreements[:20]:
            print(f"DISAGREE {name} {context!r}: flags {ours}, UnleashClient {theirs}")
        raise SystemExit(f"{len(disagreements)} disagreements: not timing")
    for name, value in ((PLAIN, True), (UNKNOWN, False)):
        if engine.is_enabled(name, {"userId": "1"}) is not value:
            raise SystemExit(f"{name} should be {value} for both clients")
    if not 0 < hits < len(contexts):
        raise SystemExit(f"the 50% rollout is degenerate: on for {hits} of {len(contexts)}")
    return len(contexts), hits


def timed_context(engine: Engine) -> dict[str, Any]:
    """The context every timed call gets: production, and a user inside the 50% rollout."""
    for i in range(100):
        context = {"userId": str(i), "environment": "production"}
        if engine.is_enabled(ROLLOUT, context):
            return context
    raise SystemExit("no user in the first 100 is inside the 50% rollout")


def per_call_times(
    timers: dict[tuple[str, str], timeit.Timer], repeats: int, min_seconds: float
) -> dict[tuple[str, str], list[float]]:
    """Seconds per call for every timer, `repeats` times, interleaved in alternating order."""
    numbers = {}
    for key, timer in timers.items():
        number = 1
        while (elapsed := timer.timeit(number)) < min_seconds:
            number = max(number * 2, int(number * min_seconds * 1.2 / max(elapsed, 1e-9)))
        numbers[key] = number
    results: dict[tuple[str, str], list[float]] = {key: [] for key in timers}
    keys = list(timers)
    for i in range(repeats):
        for key in keys if i % 2 == 0 else reversed(keys):
            results[key].append(timers[key].timeit(numbers[key]) / numbers[key])
    return results


REGEX_FLAG = "regex_backtracking"
REGEX_DOCUMENT: dict[str, Any] = {
    "version": 2,
    "features": [
        {
            "name": REGEX_FLAG,
            "enabled": True,
            "strategies": [
                {
                    "name": "default",
                    "parameters": {},
                    "constraints": [
                        {"contextName": "userId", "operator": "REGEX", "value": "(a+)+$"}
                    ],
                }
            ],
        }
    ],
}
REGEX_INPUTS = (("24 a's and !", "a" * 24 + "!"), ("10000 a's and !", "a" * 10_000 + "!"))


def report_regex(repeats: int, min_seconds: float) -> None:
    """Time `is_enabled` on the REGEX flag `(a+)+$` for inputs that never match."""
    ours = FlagClient.from_features(REGEX_DOCUMENT)
    client = unleash_client(REGEX_DOCUMENT)
    try:
        timers: dict[tuple[str, str], timeit.Timer] = {}
        for label, text in REGEX_INPUTS:
            context = {"userId": text}
            answers = {ours.is_enabled(REGEX_FLAG, context), client.is_enabled(REGEX_FLAG, context)}
            if answers != {False}:
                raise SystemExit(f"(a+)+$ on {label}: the clients answered {answers}, not False")
            for who, obj in (("FlagClient", ours), ("UnleashClient", client)):
                timers[(label, who)] = timeit.Timer(
                    "c.is_enabled(n, ctx)", globals={"c": obj, "n": REGEX_FLAG, "ctx": context}
                )
        times = per_call_times(timers, repeats, min_seconds)
    finally:
        client.destroy()
    print("(d) REGEX (a+)+$ (exponential for a backtracking engine; 5.3 s per call with re):")
    for label, _ in REGEX_INPUTS:
        print(f"    userId = {label} -> False")
        for who in ("FlagClient", "UnleashClient"):
            values = times[(label, who)]
            print(
                f"        {who:<14} best {fmt(min(values))}   median "
                f"{fmt(statistics.median(values))}  per call"
            )


def fmt(seconds: float) -> str:
    ns = seconds * 1e9
    return f"{ns:8.0f} ns" if ns < 10_000 else f"{ns / 1000:8.1f} us"


@contextlib.contextmanager
def server() -> Iterator[PgServer]:
    raw = os.environ.get("MIGSAFE_BENCH_DATABASE_URL")
    if raw:
        yield from_env(raw)
    else:
        with provide_server() as srv:
            yield srv


def propagation(flips: int) -> tuple[list[float], list[float], list[float]]:
    """Milliseconds from each flip's call to each process seeing it, the calls' own, and from
    each call's return (its commit done) to each process seeing it."""
    name = "bench_kill_switch"
    seen_ms: list[float] = []
    call_ms: list[float] = []
    after_ms: list[float] = []
    with server() as srv:
        dbname = f"bench_flags_{uuid.uuid4().hex[:8]}"
        srv.create_database(dbname)
        try:
            url = srv.url(dbname)
            # Only a URL, as on a bastion host: the flags commands need no Alembic project.
            settings = load_settings(CliOptions(database_url=url), require_config=False)
            flags_api.flags_create(settings, name, type="kill-switch", actor="bench")
            flags_api.flags_enable(settings, name, actor="bench")
            with watchers(url, name, PROCESSES, check_every=0.001) as group:
                value = True
                for _ in range(flips):
                    value = not value
                    start = time.monotonic_ns()
                    if value:
                        flags_api.flags_enable(settings, name, actor="bench")
                    else:
                        flags_api.flags_disable(settings, name, reason="bench", actor="bench")
                    end = time.monotonic_ns()
                    call_ms.append((end - start) / 1e6)
                    seen = group.wait_all(value, timeout=10.0)
                    if len(seen) != PROCESSES:
                        raise SystemExit(f"only {len(seen)} of {PROCESSES} processes saw a flip")
                    seen_ms += [(s.ns - start) / 1e6 for s in seen]
                    after_ms += [(s.ns - end) / 1e6 for s in seen]
        finally:
            srv.drop_database(dbname)
    return seen_ms, call_ms, after_ms


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile (inclusive method), p in 1..99."""
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def report_propagation(flips: int) -> bool:
    seen_ms, call_ms, after_ms = propagation(flips)
    p50, p99 = percentile(seen_ms, 50), percentile(seen_ms, 99)
    met = p99 < TARGET_P99_MS
    print(
        f"propagation (migsafe flags disable/enable -> {PROCESSES} processes, {flips} flips, "
        f"{len(seen_ms)} observations, checked every 1 ms):"
    )
    print(
        f"    p50 {p50:.1f} ms   p99 {p99:.1f} ms   max {max(seen_ms):.1f} ms  "
        f"(target p99 < {TARGET_P99_MS:.0f} ms: {'met' if met else 'NOT met'})"
    )
    print(
        f"    the flags_api call itself (1 connection: read, write and commit): median "
        f"{statistics.median(call_ms):.1f} ms; from its return to each process: p50 "
        f"{percentile(after_ms, 50):.1f} ms, p99 {percentile(after_ms, 99):.1f} ms "
        "(negative: seen before the call returned)"
    )
    print(
        f"    vs Unleash's default {UNLEASH_POLL_S:.0f} s poll: {UNLEASH_POLL_S * 1000 / p99:.0f}x "
        f"its worst case at our p99, {UNLEASH_POLL_S * 500 / p50:.0f}x its average (7.5 s) "
        "at our p50"
    )
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 short repeats (for CI)")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--flips", type=int, default=None, help="propagation flips (50)")
    args = parser.parse_args()
    flips = args.flips or (10 if args.quick else 50)
    repeats, min_seconds = (3, 0.02) if args.quick else (args.repeats, 0.2)
    logging.getLogger("UnleashClient").setLevel(logging.ERROR)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)

    with no_network() as attempts:
        engine = Engine(DOCUMENT)
        assert not engine.problems, engine.problems
        # What application code holds: the client, whose is_enabled is what is timed.
        ours_client = FlagClient.from_features(DOCUMENT)
        client = unleash_client(DOCUMENT)
        try:
            checked, hits = check_agreement(engine, client)
            context = timed_context(engine)
            answers = {name: engine.is_enabled(name, context) for _, name, _ in CASES}
            timers: dict[tuple[str, str], timeit.Timer] = {}
            for label, name, _ in CASES:
                for who, obj in (("flags", ours_client), ("unleash", client)):
                    timers[(label, who)] = timeit.Timer(
                        "c.is_enabled(n, ctx)", globals={"c": obj, "n": name, "ctx": context}
                    )
            timers[("loop", "-")] = timeit.Timer("pass")
            times = per_call_times(timers, repeats, min_seconds)
        finally:
            client.destroy()
    if attempts:
        print(f"network: {len(attempts)} connect(s) or lookup(s) attempted: {attempts!r}")
        return 1

    versions = ", ".join(
        f"{p} {importlib.metadata.version(p)}" for p in ("UnleashClient", "yggdrasil-engine")
    )
    print(f"python {platform.python_version()}, {versions}; {repeats} repeats per figure")
    print(
        "UnleashClient: bootstrapped offline (in-memory cache, fetch_toggles=False, metrics "
        "and registration off); socket connects and name lookups attempted: 0"
    )
    print(
        f"agreement: flags and UnleashClient gave the same answer for all 3 flags on "
        f"{checked} contexts (rollout_50 on for {hits})"
    )
    print(
        f"timeit empty-loop overhead: {statistics.median(times[('loop', '-')]) * 1e9:.0f} ns "
        "per call (included below, not subtracted)"
    )
    ok = True
    for label, name, title in CASES:
        print(f"({label}) {title}: is_enabled({name!r}) -> {answers[name]}")
        ours, theirs = times[(label, "flags")], times[(label, "unleash")]
        for who, values in (("FlagClient", ours), ("UnleashClient", theirs)):
            print(
                f"    {who:<14} best {fmt(min(values))}   median "
                f"{fmt(statistics.median(values))}  per call"
            )
        ratio = statistics.median(theirs) / statistics.median(ours)
        best_ratio = min(theirs) / min(ours)
        line = f"    ratio UnleashClient/flags: {ratio:.1f}x median, {best_ratio:.1f}x best"
        if label in TARGET_RATIO:
            met = ratio >= TARGET_RATIO[label]
            ok &= met
            line += f"  (target >= {TARGET_RATIO[label]:.0f}x: {'met' if met else 'NOT met'})"
        print(line)
        if label in TARGET_US:
            us = statistics.median(ours) * 1e6
            met = us <= TARGET_US[label]
            ok &= met
            print(
                f"    FlagClient median {us:.3f} us per call  "
                f"(target <= {TARGET_US[label]:.0f} us: {'met' if met else 'NOT met'})"
            )
    print(f"per-call targets: {'all met' if ok else 'NOT all met'}")
    with no_network() as attempts:
        report_regex(repeats, min_seconds)
    if attempts:
        print(f"network: {len(attempts)} connect(s) or lookup(s) attempted: {attempts!r}")
        return 1
    report_propagation(flips)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
