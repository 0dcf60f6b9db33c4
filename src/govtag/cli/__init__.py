"""The command line: ``govtag`` and its subcommands (``main``), thin wrappers over plain
functions (``commands``, ``ls_commands``, ``base_commands``)."""

from govtag.cli.main import main

__all__ = ["main"]
