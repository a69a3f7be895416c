# Starts one CVAT RQ worker without supervisord, so that the worker process itself receives the
# platform's SIGTERM and does RQ's warm shutdown (finishes its current job, then exits).
#
# The container runs it through the image's entrypoint:
#
#   /opt/cvat/backend_entrypoint.sh bash -c "<this file>" cvat-rq-runner QUEUE... [--rqworker-flags]
#
# backend_entrypoint.sh sources /etc/cvat/init.d/* and its `bash` subcommand exec()s bash with these
# arguments (cvat-ai/cvat@v2.73.0 backend_entrypoint.sh cmd_bash: `exec bash "$@"`), so this script
# runs in the process the platform signals. It does what `run worker` does there (cmd_run) up to the
# point where upstream exec()s supervisord:
#
# 1. split the arguments into queue names and `--flags` (as cmd_run does);
# 2. wait for PostgreSQL, for `migrate --check` and `migrateredis --check` to pass (only the init job
#    migrates), and for both Redis servers (wait_for_deps.sh, which supervisord runs in front of every
#    rqworker);
# 3. set CVAT_POSTGRES_APPLICATION_NAME like cmd_run and VECTOR_EVENT_HANDLER like
#    supervisord/worker.conf;
# 4. start the side processes upstream adds for these queues (backend_entrypoint.d/cvat.conf:
#    smokescreen for annotation, chunks, export, import and webhooks; rqscheduler for cleaning, with
#    the arguments of supervisord/reusable/rqscheduler.conf), each restarted if it exits, as
#    supervisord's autorestart would;
# 5. exec() `django-admin rqworker -v 3 QUEUE... --worker-class cvat.rqworker.DefaultWorker FLAGS`,
#    the command of supervisord/worker.conf, in this same process. From then on the process the
#    platform signals is the RQ worker: on SIGTERM rq 1.16.0 (the version cvat/requirements/base.txt
#    pins) runs Worker.request_stop, a warm shutdown that waits for the running job's work horse, so
#    the job finishes within the termination grace period instead of supervisord's 10 s stopwaitsecs.
#
# One worker process per replica (upstream's NUMPROCS is 1 in the Helm chart too); scale with
# replicas or job executions.
set -eu

# Before the worker runs there is no job to protect: exit on SIGTERM (as PID 1, bash would otherwise
# ignore it and wait for SIGKILL).
trap 'echo "cvat-rq-runner: SIGTERM before the worker started, exiting" >&2; exit 143' TERM

queues=()
flags=()
for arg in "$@"; do
    case "$arg" in
        --*) flags+=("$arg") ;;
        *) queues+=("$arg") ;;
    esac
done
if [ ${#queues[@]} -eq 0 ]; then
    echo "cvat-rq-runner: expected at least 1 queue name" >&2
    exit 2
fi

wait-for-it "${CVAT_POSTGRES_HOST}:${CVAT_POSTGRES_PORT:-5432}" -t 0
echo "waiting for migrations to complete..."
while ! django-admin migrate --check; do
    sleep 10
done
wait-for-it "${CVAT_REDIS_INMEM_HOST}:${CVAT_REDIS_INMEM_PORT:-6379}" -t 0
echo "waiting for Redis migrations to complete..."
while ! django-admin migrateredis --check; do
    sleep 10
done
wait-for-it "${CVAT_REDIS_ONDISK_HOST}:${CVAT_REDIS_ONDISK_PORT}" -t 0

queue_list="${queues[*]}"
echo "Workers to run: $queue_list"
export CVAT_POSTGRES_APPLICATION_NAME="cvat:worker:${queue_list// /+}"
export VECTOR_EVENT_HANDLER="SynchronousLogstashHandler"

smokescreen=no
rqscheduler=no
for queue in "${queues[@]}"; do
    case "$queue" in
        annotation|chunks|export|import|webhooks) smokescreen=yes ;;
        cleaning) rqscheduler=yes ;;
    esac
done
if [ "$smokescreen" = yes ]; then
    # SMOKESCREEN_OPTS is split into words, as supervisord's %(ENV_SMOKESCREEN_OPTS)s is.
    (trap - TERM; while true; do smokescreen --listen-ip=127.0.0.1 ${SMOKESCREEN_OPTS:-}; sleep 5; done) &
fi
if [ "$rqscheduler" = yes ]; then
    (trap - TERM; while true; do
        python3 /opt/cvat/rqscheduler.py --host "$CVAT_REDIS_INMEM_HOST" --port "$CVAT_REDIS_INMEM_PORT" \
            --password "${CVAT_REDIS_INMEM_PASSWORD:-}" -i 30
        sleep 5
    done) &
fi

trap - TERM
exec django-admin rqworker -v 3 "${queues[@]}" --worker-class cvat.rqworker.DefaultWorker "${flags[@]}"
