"""The on-disk index: its folder and generations, the writer lock, the schema, the array
postings codec, compressed stored text, and segment writing, merging and reading.

The only package that touches whoosh's internals; the layers above use what it exports.
"""
