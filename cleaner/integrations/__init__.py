"""Cleaning on the engines corpora are built with: :mod:`.datatrove` and :mod:`.ray`.

Each is an optional extra (``speech-cleaner[datatrove]``, ``speech-cleaner[ray]``);
``import cleaner`` never imports them, and neither does this package.
"""
