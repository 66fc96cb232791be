"""ingest: turn a folder of article files into a searchable index."""
from ingest.build import IngestReport, ingest

__all__ = ["ingest", "IngestReport"]
