"""Readers (one module per format) and the ingest pipeline."""
from dalil.ingest.base import Reader, pick, readers, register

__all__ = ["Reader", "pick", "readers", "register"]
