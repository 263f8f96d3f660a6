"""Checking the figures: where each came from (trace) and this year against last (compare)."""
