"""Kept for build/worker.py, which imports sha256_bytes from here: the worker's source is
part of every PDF's input hash (the engine, lgo_letters/inputs.py), so changing even its
imports would rebuild every letter ever built. What a letter is made from is said in
lgo_letters/inputs.py, and hashes are made in lgo_letters/hashing.py: import them there."""

from lgo_letters.hashing import sha256_bytes

__all__ = ["sha256_bytes"]
