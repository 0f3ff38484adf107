"""The signal rules of migsafe.engine.interrupts, with real signals to a process of its own
(installing handlers in the test runner's process would change how pytest stops)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import json, os, signal
    from migsafe.engine import interrupts

    seen = {}
    interrupts.install()

    # Outside any shield: raised where the process is, naming the signal.
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        seen["plain"] = "not raised"
    except interrupts.Interrupted as exc:
        seen["plain"] = exc.name

    # During a COMMIT (shielded): held, then raised when the block ends.
    interrupts.install()
    inside = "not raised"
    try:
        with interrupts.shielded():
            os.kill(os.getpid(), signal.SIGTERM)
            inside = "held"
    except interrupts.Interrupted as exc:
        seen["shielded"] = [inside, exc.name]

    # Settled inside the shield (the last COMMIT): noted, never raised.
    interrupts.install()
    with interrupts.shielded():
        os.kill(os.getpid(), signal.SIGINT)
        interrupts.settle("upgrade run x succeeded")
    seen["settled"] = [interrupts.received(), interrupts.settled()]

    # After settling, a first signal is noted; a second one stops the process.
    interrupts.install()
    interrupts.settle()
    os.kill(os.getpid(), signal.SIGTERM)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        seen["second"] = "not raised"
    except interrupts.Interrupted as exc:
        seen["second"] = exc.name
    print(json.dumps(seen))
    """
)


def test_signals_are_raised_held_during_a_commit_and_only_noted_once_settled() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen == {
        "plain": "SIGHUP",
        "shielded": ["held", "SIGTERM"],
        "settled": ["SIGINT", "upgrade run x succeeded"],
        "second": "SIGTERM",
    }
