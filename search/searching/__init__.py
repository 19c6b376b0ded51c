"""Searching: the searcher facade, the query language, compiling to index terms, scoring,
highlighting and suggestions."""
