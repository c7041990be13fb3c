"""A batch function for Ray Data's ``Dataset.map_batches``: the text column cleaned as ``cleaner clean`` does.

    import ray
    from cleaner.integrations.ray import CleanBatch

    ds = ray.data.read_json("raw/*.jsonl")
    ds.map_batches(CleanBatch, batch_format="pyarrow", concurrency=2).write_json("clean/")

:class:`CleanBatch` takes an Arrow table (``batch_format="pyarrow"``) and gives
it back with the text column cleaned through the command's pipeline (decode,
clean, guard), the other columns as they were and the metadata as a struct
column (:func:`cleaner.records.clean_table`, as for Parquet). Rows that cannot
be cleaned (no text, or text the guard refuses) are dropped, as the command
leaves such records out, and said in the worker's log. As a class, Ray makes
one per worker (an actor), so the rules are compiled once per worker; the
function :func:`clean_batch` does the same with the defaults, for tasks.

Needs ``pip install 'speech-cleaner[ray]'``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from ..core import Options, default_rules
from ..pipeline import Pipeline
from ..records import Keys, clean_table, records_pipeline
from ..rules import Rule

_LOG = logging.getLogger(__name__)


class CleanBatch:
    """Clean the text column of an Arrow batch; the metadata as a struct column; bad rows dropped.

    ``drop_empty`` also drops the rows whose text the cleaning left empty.
    """

    def __init__(self, rules: Sequence[Rule] | None = None, options: Options | None = None, *,
                 text_key: str = "text", meta_key: str = "cleaner", id_key: str = "id",
                 drop_empty: bool = False) -> None:
        self.pipeline = records_pipeline(Pipeline(default_rules() if rules is None else rules,
                                                  options or Options()))
        self.keys = Keys(text_key, meta_key, id_key)
        self.drop_empty = drop_empty

    def __call__(self, batch: Any) -> Any:
        table, done = clean_table(self.pipeline, batch, self.keys, lambda i: f"row {i + 1} of a batch")
        for item, result in done:
            if result is None or result.text is None:
                _LOG.warning("%s was dropped: %s", item.label, item.error or result and result.error)
        if self.drop_empty:
            import pyarrow.compute as pc

            table = table.filter(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(table[self.keys.text])), 0))
        return table


_DEFAULT: CleanBatch | None = None


def clean_batch(batch: Any) -> Any:
    """:class:`CleanBatch` with the default rules and options, made once per worker process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = CleanBatch()
    return _DEFAULT(batch)
