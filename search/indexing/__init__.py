"""Reindexing: bring the index in line with the articles folder (change detection, the
build workers, the merge policy, the report)."""
