"""lgo-letters: the Ombudsman's annual review letters, from YAML records to HTML and PDF."""

__version__ = "0.1.0"
