"""What the tests stand on, none of it a test: worlds, servers, seeds, fixtures and helpers.

`replay/` serves the four sites on loopback, `fault_server` the same world with faults; `database`
is the session's PostgreSQL; `helpers` holds `wait_for` and `run_pantau`. Folder conftests import
the fixtures they share from here.
"""
