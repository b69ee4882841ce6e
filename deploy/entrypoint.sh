#!/bin/sh
# Container entry point: bring the archive's schema up to date, then run the command (default:
# the daemon). Migrating on every start is how upgrades work: a new image migrates, then runs.
# A database that cannot be reached stops here with pantau's one-line error and exit code 2;
# the container's restart policy tries again later.
set -eu

if [ "$#" -eq 0 ]; then
    set -- pantau run
fi

if [ "${PANTAU_MIGRATE_ON_START:-1}" = "1" ]; then
    pantau db migrate
fi

exec "$@"
