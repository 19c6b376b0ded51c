"""``python -m search`` runs the ``haberara`` command."""

from search.cli import cli

cli()
