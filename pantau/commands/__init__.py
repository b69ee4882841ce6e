"""CLI subcommands, one module per area; each is registered in pantau.cli._register_commands."""
