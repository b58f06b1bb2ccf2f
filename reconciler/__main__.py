"""`python -m reconciler` runs the same CLI as the `reconciler` console script."""

from reconciler.cli.app import main

main()
