"""File names given by users, made safe to store and to send back in headers."""

from __future__ import annotations


def safe_filename(name: str, default: str = "file") -> str:
    """The last path component, printable characters only, at most 255 of them."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or default
    return "".join(ch for ch in base if ch.isprintable())[:255] or default
