"""Government application progress: catalog, applications, timeline, outbox."""
