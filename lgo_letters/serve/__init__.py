"""`lgo-letters serve`: one year's letters on a local web server that reloads as files change."""

from lgo_letters.serve.server import LiveServer, serving

__all__ = ["LiveServer", "serving"]
