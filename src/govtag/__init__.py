"""govtag: tag section roles and quantities in Chinese government work reports.

Data flows through these modules, one stage each:
text (reading, normalising, splitting) -> labels (spans, char tags) -> labelstudio (export I/O)
-> rules (baseline tagger) / encoding (windows, token labels) -> model -> train -> evaluate
-> predict (with values from quantities) -> cli.
"""

__version__ = "0.1.0"
