"""Pairs decided by earlier runs, kept on disk so that a second screening run skips `check`.

A pair's answer depends only on the graph and on the code that computes it, so the file's name
holds the store's content key and a digest of that code (kg/checking.py, kg/graph.py, the
screening decisions, every named query): any change starts a new file. The file is JSON
(no code is ever loaded from it), written atomically; set PAINKG_SCREEN_MEMORY=0 to not use it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 1
MAX_ENTRIES = 200_000


def memory_path() -> Path | None:
    """Where this graph's and this code's pairs are kept; None when turned off."""
    if os.environ.get("PAINKG_SCREEN_MEMORY", "1") in ("0", "false", "no"):
        return None
    from kg import resources
    from kg.build.builder import cache_root, content_key

    package = Path(__file__).resolve().parents[1]
    sources = [package / name for name in ("checking.py", "graph.py", "model.py", "codes.py",
                                           "errors.py", "namespaces.py", "screening/decide.py",
                                           "screening/cache.py", "screening/memory.py")]
    sources += sorted(resources.queries_dir().rglob("*.rq"))
    digest = hashlib.sha256(f"format={FORMAT}".encode())
    for path in sources:
        if path.exists():
            digest.update(str(path.relative_to(path.parents[1])).encode())
            digest.update(path.read_bytes())
    return cache_root() / f"screen-pairs-{content_key()}-{digest.hexdigest()[:16]}.json"


def load(path: Path | None) -> dict[str, Any]:
    """The saved tables, or empty ones when there is no usable file."""
    if path is None or not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == FORMAT else {}


def save(path: Path | None, data: dict[str, Any]) -> None:
    """Write ``data`` atomically; a failure to write only loses the speed-up."""
    if path is None:
        return
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"format": FORMAT, **data}, out, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
