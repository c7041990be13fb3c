"""The default rule files (TOML), installed as the data package ``cleaner.ruledata``.

This file only makes the folder importable so that the loader can find the
rule files with importlib.resources, both installed and in a source checkout.
"""
