"""migsafe's version: its own module, so that the engine can record it without importing the
root package (whose ``run``/``settings_for`` reach the command line)."""

from __future__ import annotations

__version__ = "0.1.0"
