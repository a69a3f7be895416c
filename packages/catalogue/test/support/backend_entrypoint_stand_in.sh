#!/usr/bin/env bash
# TEST DOUBLE (never shipped): stands in for /opt/cvat/backend_entrypoint.sh in the RQ runner tests.
# It does what the real entrypoint does for the `bash` subcommand (cvat-ai/cvat@v2.73.0
# backend_entrypoint.sh: source /etc/cvat/init.d/*, then cmd_bash `exec bash "$@"`), nothing else:
# the catalogue's runner command reaches bash in the same process, as in the image.
set -eu
echo "entrypoint stand-in: $1"
if [ "$1" != bash ]; then
    echo "entrypoint stand-in: only the bash subcommand is modelled" >&2
    exit 1
fi
shift
exec bash "$@"
