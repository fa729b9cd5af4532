"""Pseudonymised person identifiers.

A person's identifier is a keyed permutation (a four-round Feistel network
on 62 bits) of its position ``(municipality, group, local index)``. It is
unique, deterministic for a seed, positive in int64, and reveals nothing of
the order in which persons were simulated.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pseudonymise"]

_HALF_BITS = 31
_HALF_MASK = np.uint64((1 << _HALF_BITS) - 1)
_ROUNDS = 4
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


def _round_function(half: np.ndarray, key: np.uint64) -> np.ndarray:
    mixed = (half ^ key) * _MIX_1
    mixed ^= mixed >> np.uint64(29)
    mixed *= _MIX_2
    mixed ^= mixed >> np.uint64(32)
    return mixed & _HALF_MASK


def _round_keys(seed: int) -> list[np.uint64]:
    draws = np.random.default_rng([seed, 0x1D5]).integers(0, 1 << 62, _ROUNDS)
    return [np.uint64(k) for k in draws]


def pseudonymise(
    seed: int, municipality: int, group_index: int, local: np.ndarray
) -> np.ndarray:
    """Random-looking, unique, deterministic person identifiers.

    Parameters
    ----------
    seed : int
        Key of the permutation.
    municipality : int
        Municipality code (below 1024).
    group_index : int
        Index of the person's benefit group (below 16).
    local : numpy.ndarray
        Local person indices (below 2**36).

    Returns
    -------
    numpy.ndarray
        int64 identifiers in ``[0, 2**62)``.

    Examples
    --------
    >>> import numpy as np
    >>> ids = pseudonymise(1, 860, 0, np.arange(5))
    >>> len(set(ids.tolist())), bool((np.diff(ids) != 1).all())
    (5, True)
    >>> bool((pseudonymise(1, 860, 0, np.arange(5)) == ids).all())
    True
    """
    with np.errstate(over="ignore"):
        position = (
            (np.uint64(municipality) << np.uint64(40))
            | (np.uint64(group_index) << np.uint64(36))
            | np.asarray(local, dtype=np.uint64)
        )
        left = position >> np.uint64(_HALF_BITS)
        right = position & _HALF_MASK
        for key in _round_keys(seed):
            left, right = right, left ^ _round_function(right, key)
        return ((left << np.uint64(_HALF_BITS)) | right).astype(np.int64)
