"""Unleash's normalised murmur3 hash: the one thing that makes rollouts sticky.

Every Unleash SDK hashes `"{group_id}:{identifier}"` with 32-bit murmur3 (x86),
reads it unsigned, and maps it to 1..modulus. Rollouts use seed 0 and modulus
100; variants use seed 86028157 and the total weight, so that a user's variant
does not correlate with whether they are in the rollout.
"""

from __future__ import annotations

import mmh3

ROLLOUT_SEED = 0
VARIANT_SEED = 86028157


def murmur3(key: str, seed: int) -> int:
    """Unsigned 32-bit murmur3 of `key` as UTF-8, lone surrogates included.

    Never hand `mmh3.hash` a `str` that may hold a lone surrogate (JSON text can):
    mmh3 5.x crashes the process on one. Hot paths pass ASCII keys to it
    directly and everything else through here, encoded first.
    """
    return mmh3.hash(key.encode("utf-8", "surrogatepass"), seed, signed=False)
