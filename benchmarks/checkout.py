#!/usr/bin/env python3
"""Another revision of the cleaner beside this checkout: checked out, imported or run with its own rules.

    python3 benchmarks/checkout.py SOURCE ARGS ...     the ``cleaner ARGS ...`` of the checkout at SOURCE

What ``real_downloads.py --against`` and ``targets.py --against`` share. A
checkout is imported from its own folder, with its own rule files: the
editable install of this checkout would otherwise lend it this checkout's
``rules/`` (the data package ``cleaner.ruledata`` is found by the install's
finder, not on the path). Run as a command, this file imports nothing more
than the checkout's ``cleaner`` does, so that its start-up is timed fairly.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType


def import_checkout(source: Path) -> ModuleType:
    """The ``cleaner`` package of the checkout at ``source``, reading that checkout's rule files."""
    sys.path.insert(0, str(source))
    import cleaner.rules

    cleaner.rules.default_rules_dir = lambda: source / "rules"
    import cleaner

    assert cleaner.__file__ is not None and Path(cleaner.__file__).is_relative_to(source), "imported the wrong cleaner"
    return cleaner


def command(source: Path) -> list[str]:
    """The ``cleaner`` command of the checkout at ``source`` (its console script's function)."""
    return [sys.executable, __file__, str(source)]


@contextmanager
def worktrees(revs: list[str], folder: Path) -> Iterator[dict[str, Path]]:
    """Each git revision checked out (detached) into ``folder``, by a label that names it; removed at the end."""
    from compare_revisions import git

    made: dict[str, Path] = {}
    try:
        for rev in revs:
            where = folder / f"rev-{len(made)}"
            git("worktree", "add", "--detach", str(where), rev)
            made[f"cleaner {rev} ({git('rev-parse', '--short', rev)})"] = where
        yield made
    finally:
        for where in made.values():
            git("worktree", "remove", "--force", str(where))


def main(argv: list[str]) -> int:
    source, args = Path(argv[0]).resolve(), argv[1:]
    import_checkout(source)
    from cleaner.cli import main as cleaner_main

    sys.argv[0] = "cleaner"  # the name its messages use
    code: int = cleaner_main(args)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
