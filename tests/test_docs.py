"""The rule reference (docs/rules/) and the README's stage table are generated, never stale."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_generated_docs_match_the_rule_files() -> None:
    spec = importlib.util.spec_from_file_location("generate", REPO / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    stale = [str(p.relative_to(REPO)) for p in generate.stale()]
    assert stale == [], f"run python3 docs/generate.py: {stale}"
