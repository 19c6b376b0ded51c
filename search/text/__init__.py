"""Turkish text: the analysis chain shared by indexing, querying and highlighting, its
fast equivalents, inflection rules and stop words. Knows nothing of the index."""
