"""The `pantau` command line: the group in `main`, one module per area of subcommands."""
