"""The error-analysis notebook runs top to bottom on a small model, so it never rots."""

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "error_analysis.ipynb"


@pytest.mark.slow
def test_error_analysis_notebook_runs(tiny_model, tiny_exports, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    _, dev = tiny_exports
    monkeypatch.setenv("GOVTAG_MODEL", str(tiny_model))
    monkeypatch.setenv("GOVTAG_EVAL_DATA", str(dev))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    printed = "".join(out.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                      for out in cell.get("outputs", []))
    assert "section char macro F1:" in printed
    assert "sentences with a wrong role" in printed
    assert "missed:" in printed and "invented:" in printed
