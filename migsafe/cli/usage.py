"""The command line before and after click: `--backup`'s optional value, and usage errors said
in a way that sends people the right way (a root option given after the command)."""

from __future__ import annotations

from collections.abc import Sequence

from migsafe.snapshots.model import SnapshotMode

# The root options (migsafe's callback): they go before the command, never after it.
ROOT_OPTIONS = ("-c", "--config", "--database-url", "--debug", "-x")

_BACKUP_MODES = tuple(SnapshotMode)


def normalise_args(argv: Sequence[object]) -> list[str]:
    """The arguments click parses: `--backup` alone means `--backup=full`, and `--backup full`
    / `--backup tables` are the option and its value (click cannot express an option whose
    value is optional, so the value is attached here)."""
    args = [str(arg) for arg in argv]
    out: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            out += args[index:]
            break
        if arg == "--backup":
            following = args[index + 1] if index + 1 < len(args) else None
            if following in _BACKUP_MODES:
                out.append(f"--backup={following}")
                index += 2
                continue
            out.append("--backup=full")
        else:
            out.append(arg)
        index += 1
    return out


def explain(exc: Exception) -> tuple[str, str]:
    """A click usage error (typer's vendored click: matched by name) as message and hint."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "migsafe"
    name = getattr(exc, "option_name", None)
    if type(exc).__name__ == "NoSuchOption" and name in ROOT_OPTIONS and command != "migsafe":
        example = _ROOT_EXAMPLES[name]
        sub = command.removeprefix("migsafe ").strip()
        return (
            f"{name} goes before the command: migsafe {example} {sub}",
            "the global options (-c, --database-url, --debug, -x) come before the command",
        )
    format_message = getattr(exc, "format_message", None)
    message = format_message() if callable(format_message) else str(exc)
    return message, f"see `{command} --help`"


_ROOT_EXAMPLES = {
    "-c": "-c FILE",
    "--config": "--config FILE",
    "--database-url": "--database-url URL",
    "--debug": "--debug",
    "-x": "-x KEY=VALUE",
}
