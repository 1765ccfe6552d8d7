"""Build the embedded store: curated Turtle + full ICD-10-CM + derived triples.

The store is an on-disk Oxigraph database in the user cache, keyed by a hash of
everything it is built from, so it is rebuilt exactly when a source changes.
"""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from kg import resources
from kg.namespaces import GRAPH_CURATED, GRAPH_DERIVED, GRAPH_ICD, GRAPH_OWL

if TYPE_CHECKING:
    from pathlib import Path

BUILD_FORMAT = "2"  # bump when the build logic changes the store's content
ICD_PACKAGE_VERSION = "1.5.0"

Progress = Callable[[str], None]


def _stderr(message: str) -> None:
    print(f"painkg: {message}", file=sys.stderr, flush=True)


# The `check` start-up path (cache key, store directory) uses plain os.path strings;
# the Path-returning functions are for everything else.


def _cache_root() -> str:
    root = os.environ.get("PAINKG_HOME")
    if root:
        return root
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "painkg")


def _rule_files() -> list[str]:
    folder = resources.query_file("rules")
    return sorted(os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".rq"))


def _source_files() -> list[str]:
    files = [resources.ontology_file(name) for name in resources.GRAPH_FILES]
    inferred = resources.ontology_file(resources.INFERRED_FILE)
    if os.path.exists(inferred):
        files.append(inferred)
    return files + _rule_files()


def cache_root() -> Path:
    from pathlib import Path

    return Path(_cache_root())


def rule_files() -> list[Path]:
    from pathlib import Path

    return [Path(p) for p in _rule_files()]


def source_files() -> list[Path]:
    from pathlib import Path

    return [Path(p) for p in _source_files()]


def content_key() -> str:
    """A 64-bit checksum (CRC-32 and Adler-32) of every source's name and bytes: a cache key,
    not a security digest; zlib keeps the OpenSSL-backed hashlib off the `check` start-up path."""
    crc, adler = 0, 1
    chunks = [f"format={BUILD_FORMAT};icd={ICD_PACKAGE_VERSION}".encode()]
    for path in _source_files():
        with open(path, "rb") as handle:
            chunks += [os.path.basename(path).encode(), handle.read()]
    for chunk in chunks:
        crc, adler = zlib.crc32(chunk, crc), zlib.adler32(chunk, adler)
    return f"{crc:08x}{adler:08x}"


def store_dir() -> str:
    return os.path.join(_cache_root(), f"store-{content_key()}")


def store_path() -> Path:
    from pathlib import Path

    return Path(store_dir())


def ensure_store_dir(progress: Progress | None = _stderr) -> str:
    """The directory of an up-to-date store, building it first if needed."""
    target = store_dir()
    if not os.path.exists(os.path.join(target, "READY")):
        from pathlib import Path

        build_store(Path(target), progress)
    return target


def ensure_store(progress: Progress | None = _stderr) -> Path:
    """Return the path of an up-to-date store, building it first if needed."""
    from pathlib import Path

    return Path(ensure_store_dir(progress))


def build_store(target: Path, progress: Progress | None = _stderr) -> None:
    import shutil  # build-only imports stay out of the `check` start-up path
    import tempfile
    import time
    from pathlib import Path

    import pyoxigraph as ox

    from kg.build import icd10cm

    say = progress or (lambda _m: None)
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="building-", dir=target.parent))
    try:
        say("first run: building the knowledge graph (about 30 s, once)...")
        store = ox.Store(str(work / "store"))
        curated = ox.NamedNode(GRAPH_CURATED)
        for path in resources.graph_files():
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=curated)
        inferred = resources.ontology_dir() / resources.INFERRED_FILE
        if inferred.exists():
            store.bulk_load(
                path=str(inferred), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH_OWL)
            )
        say("  curated ontology loaded; reading ICD-10-CM (98,505 items)...")
        nt = work / "icd10cm.nt"
        count = icd10cm.write_ntriples(str(nt))
        store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH_ICD))
        nt.unlink()
        say(f"  {count:,} ICD-10-CM items loaded; deriving inherited assignments...")
        derived_graph = ox.NamedNode(GRAPH_DERIVED)
        for rule in rule_files():  # in file order: later rules read earlier results
            produced = store.query(rule.read_text(encoding="utf-8"), use_default_graph_as_union=True)
            store.extend([ox.Quad(t.subject, t.predicate, t.object, derived_graph) for t in produced])
        derived = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_DERIVED)))
        store.flush()
        store.optimize()
        say("  compiling the answers of the check queries...")
        from kg.answers import FILE_NAME
        from kg.build.answers import build_answers

        indexed = build_answers(store, str(work / "store" / FILE_NAME))
        store.flush()  # leave no write-ahead log for every read-only open to replay
        del store
        (work / "store" / "READY").write_text(f"derived={derived}\n", encoding="utf-8")
        if (target / "READY").exists():  # another process finished first
            return
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(work / "store", target)
        except OSError:
            if not (target / "READY").exists():
                raise
        say(f"  done in {time.perf_counter() - started:.1f} s ({derived:,} derived triples, "
            f"{indexed['code-info']:,} codes and {indexed['profiles']} diagnosis profiles "
            f"indexed): {target}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
