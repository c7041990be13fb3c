"""A datatrove pipeline step that cleans each document's text as ``cleaner clean`` cleans a record.

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleaner.integrations.datatrove import CleanSpeech

    LocalPipelineExecutor(pipeline=[JsonlReader("raw/"), CleanSpeech(drop_empty=True),
                                    JsonlWriter("clean/")], tasks=2).run()

:class:`CleanSpeech` cleans ``Document.text`` through the command's pipeline
(decode, clean, guard: :func:`cleaner.records.clean_text_of`) and writes the
same metadata as a record's into ``Document.metadata[meta_key]``. A document
whose text the guard refuses is dropped (as the command leaves such a record
out), counted under the ``error`` stat and said in the task's log.

Needs ``pip install 'speech-cleaner[datatrove]'``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

try:
    from datatrove.pipeline.base import PipelineStep
except ImportError as exc:  # say which extra brings it
    raise ImportError(f"cleaner.integrations.datatrove needs datatrove ({exc}): "
                      "pip install 'speech-cleaner[datatrove]'") from exc

from ..core import Options, default_rules
from ..pipeline import Pipeline
from ..records import clean_text_of, records_pipeline
from ..rules import Rule

_LOG = logging.getLogger(__name__)


class CleanSpeech(PipelineStep):  # type: ignore[misc]  # datatrove has no type information
    """Clean ``Document.text``; the metadata into ``Document.metadata[meta_key]``; drop empty ones if asked.

    ``rules`` default to the default rules, ``options`` to the defaults
    (``cleaner.load_rules`` and ``cleaner.Options`` make others). With
    ``drop_empty``, a document left with no text is dropped (stat ``dropped_empty``).
    """

    name = "speech-cleaner"
    type = "✂️ - FORMAT"

    def __init__(self, rules: Sequence[Rule] | None = None, options: Options | None = None, *,
                 meta_key: str = "cleaner", drop_empty: bool = False) -> None:
        super().__init__()
        self.pipeline = records_pipeline(Pipeline(default_rules() if rules is None else rules,
                                                  options or Options()))
        self.meta_key = meta_key
        self.drop_empty = drop_empty

    def run(self, data: Iterator[Any], rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        for document in data:
            self.stat_update("total")
            with self.track_time():
                done = clean_text_of(self.pipeline, document.text, str(document.id))
            if done.text is None:
                self.stat_update("error")
                _LOG.warning("document %s was dropped: %s", document.id, done.error)
                continue
            if done.changed:
                self.stat_update("changed")
            document.text = done.text
            document.metadata[self.meta_key] = done.meta
            if self.drop_empty and not done.text.strip():
                self.stat_update("dropped_empty")
                continue
            self.update_doc_stats(document)
            yield document
