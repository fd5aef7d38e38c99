"""The model card as a Hugging Face README: exported by the CLI, parsed by the real ``huggingface_hub``."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict

import huggingface_hub  # requirements-dev.txt: a missing package fails the test, it does not skip it
import modelreg
import pytest


def run(args, cwd: Path, expect: int = 0) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "modelreg", *args],
        env=dict(os.environ),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == expect, f"exit {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"
    return done


@pytest.fixture
def released(registry: modelreg.Registry, model: str, server_env: Dict[str, str]) -> str:
    """A model with metadata, a filled card and version 1.2.0 with metrics."""
    with registry.candidate(model, name="xgb") as candidate:
        candidate.log_metric("auc", 0.91)
        candidate.log_metric("logloss", 0.31)
    group, name = model.split("/")
    registry._client.json(
        "PATCH",
        f"/models/{group}/{name}",
        json_body={
            "metadata": {
                "license": "apache-2.0",
                "tags": ["churn"],
                "framework": "scikit-learn",
                "task": "tabular-classification",
                "extra": {"datasets": ["acme/customers"], "base_model": "acme/base"},
            }
        },
    )
    registry.update_card(
        model,
        {
            "intended_use": "Retention campaigns.",
            "risks": "Under-represents new customers.",
            "evaluation": "AUC 0.91 on the March holdout.",
        },
        description="Predicts churn.",
    )
    candidate.promote("1.2.0")
    return model


def test_exported_card_md_parses_with_huggingface_hub(released: str, tmp_path: Path):
    run(["card", "export", released, "--version", "1.2.0", "-o", "README.md"], tmp_path)
    card = huggingface_hub.ModelCard.load(tmp_path / "README.md")
    data = card.data
    assert data.license == "apache-2.0"
    assert data.library_name == "sklearn"
    assert data.pipeline_tag == "tabular-classification"
    assert data.tags == ["churn"]
    assert data.datasets == ["acme/customers"]
    assert data.base_model == "acme/base"
    assert data.model_name == released
    results = {r.metric_type: r.metric_value for r in data.eval_results}
    assert results == {"auc": pytest.approx(0.91), "logloss": pytest.approx(0.31)}
    assert "## Intended use\n\nRetention campaigns." in card.text
    assert "## Risks" in card.text and "Predicts churn." in card.text
    # huggingface_hub writes it back out and reads its own output the same way.
    again = huggingface_hub.ModelCard(str(card))
    assert again.data.to_dict() == data.to_dict()


def test_card_made_with_huggingface_hub_imports_through_the_cli(
    registry: modelreg.Registry, model: str, server_env: Dict[str, str], tmp_path: Path
):
    registry.create_model(model)
    data = huggingface_hub.ModelCardData(license="mit", library_name="sklearn", tags=["tabular"])
    content = f"---\n{data.to_yaml()}\n---\n\n# churn\n\nA churn model.\n\n## Uses\n\nScoring.\n\n## Monitoring\n\nAUC weekly.\n"
    (tmp_path / "README.md").write_text(content, encoding="utf-8")
    out = json.loads(run(["card", "import", model, "README.md", "--json"], tmp_path).stdout)
    assert out["revision"] == 1
    assert out["sections"]["intended_use"] == "Scoring."
    assert out["sections"]["monitoring"] == "AUC weekly."
    assert out["description"] == "A churn model."
    assert registry.model(model)["metadata"]["license"] == "mit"
    shown = run(["card", "show", model], tmp_path).stdout
    assert "revision 1" in shown and "2/11 sections filled" in shown
    # Bad YAML is refused with the server's message, and the card stays where it was.
    (tmp_path / "bad.md").write_text("---\nlicense: [mit\n---\n", encoding="utf-8")
    refused = run(["card", "import", model, "bad.md"], tmp_path, expect=1)
    assert "front matter" in refused.stderr
    assert registry.card(model)["revision"] == 1
