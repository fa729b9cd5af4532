"""Small file helpers shared across layers."""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["sha256_of"]


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks; of a folder, over its files' relative paths and bytes.

    A folder (a partitioned dataset) is hashed over its files in sorted order
    of their paths relative to it, each path's text then its bytes, so that a
    renamed, moved, added or changed file changes the digest.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = path.write_bytes(b"abc")
    >>> sha256_of(path)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    root = Path(path)
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    for file in files:
        if root.is_dir():
            digest.update(file.relative_to(root).as_posix().encode("utf-8") + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
