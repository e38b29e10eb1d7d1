"""Small helpers for the encoders' files: hashing and locating packaged data."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from analysis.errors import ModelError


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def package_dir(name: str) -> Path:
    """The folder of an installed package, without importing it (importing may load native code)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package {name!r} is not installed; it carries a base encoder the model needs")
    return Path(next(iter(spec.submodule_search_locations)))
