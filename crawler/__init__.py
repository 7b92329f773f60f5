"""newsarchive: a regional news crawler and archive."""

__version__ = "0.1.0"
