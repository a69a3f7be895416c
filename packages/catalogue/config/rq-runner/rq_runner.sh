# Starts the CVAT RQ worker process(es) of one runner without supervisord, so that every worker process
# receives the platform's SIGTERM and does RQ's warm shutdown (finishes its current job, then exits).
#
# The container runs it through the image's entrypoint:
#
#   /opt/cvat/backend_entrypoint.sh bash -c "<this file>" cvat-rq-runner GROUP [:: GROUP]...
#   GROUP = QUEUE... [--rqworker-flags]
#
# e.g. `cvat-rq-runner import --burst --max-jobs=5` (one worker process) or
# `cvat-rq-runner chunks :: webhooks notifications cleaning --with-scheduler` (two). The separator is the
# plain argument `::` (neither a queue name nor a --flag; RQ_RUNNER.groupSeparator in the catalogue).
#
# backend_entrypoint.sh sources /etc/cvat/init.d/* and its `bash` subcommand exec()s bash with these
# arguments (cvat-ai/cvat@v2.73.0 backend_entrypoint.sh cmd_bash: `exec bash "$@"`), so this script
# runs in the process the platform signals. It does what `run worker` does there (cmd_run) up to the
# point where upstream exec()s supervisord:
#
# 1. split the arguments into groups at `::`, and each group into queue names and `--flags` (as cmd_run
#    does);
# 2. wait once for PostgreSQL, for `migrate --check` and `migrateredis --check` to pass (only the init
#    job migrates), and for both Redis servers (wait_for_deps.sh, which supervisord runs in front of
#    every rqworker);
# 3. set VECTOR_EVENT_HANDLER like supervisord/worker.conf, and CVAT_POSTGRES_APPLICATION_NAME like
#    cmd_run (`cvat:worker:<queues joined by +>`) for each worker process;
# 4. start once the side processes upstream adds for these queues (backend_entrypoint.d/cvat.conf:
#    smokescreen for annotation, chunks, export, import and webhooks; rqscheduler for cleaning, with
#    the arguments of supervisord/reusable/rqscheduler.conf), each restarted if it exits, as
#    supervisord's autorestart would;
# 5. one group: exec() `django-admin rqworker -v 3 QUEUE... --worker-class cvat.rqworker.DefaultWorker
#    FLAGS`, the command of supervisord/worker.conf, in this same process. From then on the process the
#    platform signals is the RQ worker: on SIGTERM rq 1.16.0 (the version cvat/requirements/base.txt
#    pins) runs Worker.request_stop, a warm shutdown that waits for the running job's work horse, so
#    the job finishes within the termination grace period instead of supervisord's 10 s stopwaitsecs.
# 6. several groups: start that command once per group as a child and stay in front of them: SIGTERM
#    is forwarded once to every worker (each does its warm shutdown, all at the same time), and the
#    script exits 0 after all of them have exited. If a worker exits on its own, the others get SIGTERM
#    (warm shutdown) and the script exits non-zero once they are gone, so the platform restarts the
#    container (supervisord's autorestart would restart the one worker; a restarting container shows a
#    crash loop instead of hiding it). Several rqworkers in one container is what upstream does with
#    NUMPROCS > 1 (supervisord/worker.conf numprocs): rq names each worker with a fresh uuid4 (rq/rq@v1.16
#    rq/worker.py Worker.__init__), so they register side by side under one host name.
set -eu

# Before the workers run there is no job to protect: exit on SIGTERM (as PID 1, bash would otherwise
# ignore it and wait for SIGKILL).
trap 'echo "cvat-rq-runner: SIGTERM before the worker started, exiting" >&2; exit 143' TERM

separator="::"
group_queues=()
group_flags=()
all_queues=()
queues=()
flags=()
end_group() {
    if [ ${#queues[@]} -eq 0 ]; then
        echo "cvat-rq-runner: expected at least 1 queue name in every worker group (groups are separated by '$separator')" >&2
        exit 2
    fi
    group_queues+=("${queues[*]}")
    group_flags+=("${flags[*]:-}")
    queues=()
    flags=()
}
for arg in "$@"; do
    case "$arg" in
        "$separator") end_group ;;
        --*) flags+=("$arg") ;;
        *) queues+=("$arg"); all_queues+=("$arg") ;;
    esac
done
end_group
if [ ${#group_queues[@]} -gt 1 ] && [[ " ${group_flags[*]} " == *" --burst "* ]]; then
    echo "cvat-rq-runner: --burst runs one worker group only (a burst worker exits when its queues are empty)" >&2
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

for group in "${group_queues[@]}"; do
    echo "Workers to run: $group"
done
export VECTOR_EVENT_HANDLER="SynchronousLogstashHandler"

smokescreen=no
rqscheduler=no
for queue in "${all_queues[@]}"; do
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

if [ ${#group_queues[@]} -eq 1 ]; then
    read -r -a queues <<< "${group_queues[0]}"
    read -r -a flags <<< "${group_flags[0]}"
    export CVAT_POSTGRES_APPLICATION_NAME="cvat:worker:${group_queues[0]// /+}"
    trap - TERM
    exec django-admin rqworker -v 3 "${queues[@]}" --worker-class cvat.rqworker.DefaultWorker "${flags[@]}"
fi

# Several groups: this shell stays the process the platform signals and forwards SIGTERM, once, to every
# worker started so far (a second SIGTERM would be RQ's cold shutdown, which kills the running job).
pids=()
signalled=0
stopping=no
stop_workers() {
    stopping=yes
    while [ "$signalled" -lt ${#pids[@]} ]; do
        kill -TERM "${pids[$signalled]}" 2>/dev/null || true
        signalled=$((signalled + 1))
    done
}
trap 'echo "cvat-rq-runner: SIGTERM: warm shutdown of ${#pids[@]} workers" >&2; stop_workers' TERM
for i in "${!group_queues[@]}"; do
    read -r -a queues <<< "${group_queues[$i]}"
    read -r -a flags <<< "${group_flags[$i]}"
    CVAT_POSTGRES_APPLICATION_NAME="cvat:worker:${group_queues[$i]// /+}" \
        django-admin rqworker -v 3 "${queues[@]}" --worker-class cvat.rqworker.DefaultWorker "${flags[@]}" &
    pids+=("$!")
done
if [ "$stopping" = yes ]; then stop_workers; fi

# `wait -n` returns when a child exits (or, with 128 + n, when a trapped signal arrives); it does not
# say which one, so count the workers still alive.
alive() {
    local n=0 pid
    for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then n=$((n + 1)); fi
    done
    echo "$n"
}
status=0
code=0
while [ "$stopping" = no ]; do
    if [ "$(alive)" -lt ${#pids[@]} ]; then
        echo "cvat-rq-runner: a worker exited on its own: warm shutdown of the others, then exit for a restart" >&2
        status=$((code == 0 ? 1 : code))
        stop_workers
        break
    fi
    code=0
    wait -n || code=$?
done
for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do
        wait "$pid" || true
    done
done
echo "cvat-rq-runner: every worker has exited" >&2
exit "$status"
