"""What a non-editable install ships: every package of cleaner/, and its data files."""

from __future__ import annotations

import tomllib

from support import REPO


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    # An editable install finds any folder; a wheel ships only the packages listed.
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "cleaner").rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
