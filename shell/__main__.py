"""`python -m pantau` runs the `pantau` command."""

from pantau.cli.main import main

main()
