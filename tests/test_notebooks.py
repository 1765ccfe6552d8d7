"""Every notebook in notebooks/ runs top to bottom (nbclient), each within its time budget."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
BUDGET_S = 60  # the limit per notebook; they take 10-25 s on a 2-core machine


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, store_path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    if "reasoning" in path.stem and shutil.which("java") is None:
        pytest.skip("HermiT needs Java")
    notebook = nbformat.read(path, as_version=4)
    # Run from the repository root, so that `import kg` is this checkout's package.
    client = nbclient.NotebookClient(
        notebook, timeout=BUDGET_S, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    started = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - started
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    produced = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert any(o.output_type in ("execute_result", "display_data") for o in produced)
    assert elapsed < BUDGET_S, f"{path.name} took {elapsed:.0f} s"


def test_every_notebook_is_saved_with_outputs() -> None:
    nbformat = pytest.importorskip("nbformat")
    assert [p.stem for p in NOTEBOOKS][:3] == ["01-explore", "02-sparql", "03-reasoning"]
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert code and all(c.get("execution_count") for c in code), path.name
        assert not [o for c in code for o in c.outputs if o.output_type == "error"], path.name
