# Liveness endpoint for a CVAT RQ worker on Azure Container Apps.
#
# ACA has HTTP and TCP probes only (no exec), so CVAT's own worker check cannot be run by the
# platform the way upstream's Helm chart does (cvat-ai/cvat@v2.73.0
# helm-chart/templates/_helpers.tpl `cvat.backend.worker.livenessProbe`: exec
# `django-admin workerprobe <queue> --expected-num-workers <n>`). This script closes the gap:
#
#   python3 -c "<this file>" --port 8081 --main-process "django-admin rqworker" -- \
#       /opt/cvat/backend_entrypoint.sh bash -c "<rq_runner.sh>" cvat-rq-runner GROUP [:: GROUP]...
#
# (the catalogue's RQ runner, config/rq-runner/rq_runner.sh: with one group of queues it exec()s
# `django-admin rqworker` itself, with several it starts one rqworker child per group and stays in
# front of them); upstream's `... backend_entrypoint.sh run worker <queues...>` (supervisord in front,
# `--main-process supervisord`) is understood too.
#
# 1. It forks. The child serves `GET /livez` on --port; the parent immediately exec()s the
#    entrypoint, so the entrypoint (and then what it exec()s: the runner script, and with one group
#    `django-admin rqworker`) keeps the process id the platform signals: SIGTERM on scale-in or
#    revision change reaches the runner or the RQ worker exactly as without this wrapper.
# 2. Until --main-process (a program and optional subcommand words: `django-admin rqworker` for the RQ
#    runner; `supervisord` for upstream's `run worker`) runs as the process it forked from or as one of
#    that process's children, and for --grace seconds after that while the workers register, it
#    answers 200 "starting": the runner first waits for PostgreSQL, Redis and the init job's
#    migrations like cvat-ai/cvat@v2.73.0 backend_entrypoint.sh cmd_run (running `django-admin migrate
#    --check` children, which the subcommand word tells apart), restarting a container that waits for
#    migrations helps nothing, and ACA fails the provisioning of a revision whose probes never pass.
#    It tells by reading /proc/<pid>/cmdline of the process it forked from and of that process's
#    children (found through the parent pid field of /proc/<pid>/stat).
# 3. After that, on each request it runs `django-admin workerprobe <queues> --expected-num-workers
#    $NUMPROCS` (cvat-ai/cvat@v2.73.0 cvat/apps/health/management/commands/workerprobe.py: for each
#    queue, fails unless at least that many RQ workers registered in Redis with this host name serve
#    it; a worker's registration expires when it stops sending heartbeats, so a hung or missing
#    worker fails it). The runner starts exactly one worker process on every queue (NUMPROCS=1), so
#    one probe over all queues checks every worker process of the container. The queues are the
#    command's own arguments after `cvat-rq-runner` (or `run worker`), without `--flags` and the group
#    separator `::`. It answers 200 when the command succeeds, 503 with the command's last output
#    line when it fails or outlives --timeout.
# 4. Cost: one check at a time; concurrent requests wait for it and share its result, and a result
#    younger than --min-interval seconds is reused, so the probe period bounds the CPU spent
#    (one Django start per period). Idle, the child only blocks in accept() and wakes every 2 s to
#    exit once its parent (the worker) is gone.
#
# Standard library only; Python 3.8+.
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USAGE = (
    "usage: worker_liveness.py [--host H] [--port N] [--timeout S] [--min-interval S] [--grace S] "
    "[--main-process 'PROGRAM [SUBCOMMAND]'] [--probe-command CMD] -- ENTRYPOINT run worker QUEUE... [--flags]"
)


def parse_args(argv):
    opts = {
        "host": "0.0.0.0",
        "port": 8081,
        "timeout": 50.0,
        "min_interval": 20.0,
        "grace": 120.0,
        "main_process": "supervisord",
        "probe_command": ["django-admin", "workerprobe"],
    }
    if "--" not in argv:
        raise ValueError("missing '--' before the entrypoint command")
    split = argv.index("--")
    own, command = argv[:split], argv[split + 1:]
    i = 0
    while i < len(own):
        key = own[i]
        if i + 1 >= len(own):
            raise ValueError("option %s needs a value" % key)
        value = own[i + 1]
        if key == "--host":
            opts["host"] = value
        elif key == "--port":
            opts["port"] = int(value)
            if not 1 <= opts["port"] <= 65535:
                raise ValueError("--port must be between 1 and 65535, got %s" % value)
        elif key == "--timeout":
            opts["timeout"] = float(value)
        elif key == "--min-interval":
            opts["min_interval"] = float(value)
        elif key == "--grace":
            opts["grace"] = float(value)
        elif key == "--main-process":
            if not value.split():
                raise ValueError("--main-process needs a program name, got %r" % value)
            opts["main_process"] = " ".join(value.split())
        elif key == "--probe-command":
            opts["probe_command"] = value.split()
        else:
            raise ValueError("unknown option %s" % key)
        i += 2
    if not command:
        raise ValueError("no entrypoint command after '--'")
    opts["command"] = command
    opts["queues"] = queues_of(command)
    if not opts["queues"]:
        raise ValueError("the entrypoint command names no queue after 'run worker' or 'cvat-rq-runner': %s" % " ".join(command))
    return opts


GROUP_SEPARATOR = "::"


def queues_of(command):
    """Queue names after `run worker` (or `worker-pool`), or after the runner's `cvat-rq-runner` marker
    (`bash -c <rq_runner.sh> cvat-rq-runner QUEUE... [:: QUEUE...]`), skipping `--flags` (as
    backend_entrypoint.sh does) and the runner's group separator."""
    for i, arg in enumerate(command):
        if arg == "cvat-rq-runner" and i > 1 and command[i - 2] == "-c":
            return [a for a in command[i + 1:] if not a.startswith("--") and a != GROUP_SEPARATOR]
        if arg in ("worker", "worker-pool") and i > 0 and command[i - 1] == "run":
            return [a for a in command[i + 1:] if not a.startswith("--")]
    return []


class Checker:
    """Runs the worker probe, one at a time, reusing a result younger than min_interval seconds."""

    def __init__(self, probe, timeout, min_interval, clock=time.monotonic):
        self.probe = probe
        self.timeout = timeout
        self.min_interval = min_interval
        self.clock = clock
        self.lock = threading.Lock()
        self.last = None  # (time, ok, detail)
        self.runs = 0

    def check(self):
        with self.lock:
            now = self.clock()
            if self.last is not None and now - self.last[0] < self.min_interval:
                return self.last[1], self.last[2]
            ok, detail = self._run()
            self.last = (self.clock(), ok, detail)
            self.runs += 1
            return ok, detail

    def _run(self):
        try:
            done = subprocess.run(self.probe, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            return False, "workerprobe did not finish within %g s" % self.timeout
        except OSError as e:
            return False, "workerprobe could not start: %s" % e
        lines = [l for l in done.stdout.decode("utf-8", "replace").splitlines() if l.strip()]
        last = lines[-1].strip()[:300] if lines else ""
        if done.returncode == 0:
            return True, "ok"
        return False, last or ("workerprobe exited with %d" % done.returncode)


def read_cmdline(pid):
    """The argument vector of a process, or None when it cannot be read."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().decode("utf-8", "replace").split("\0")
    except OSError:
        return None


def children_of(pid):
    """Process ids whose parent is pid (from the ppid field of /proc/<n>/stat)."""
    out = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return out
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read().decode("utf-8", "replace")
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                out.append(int(name))
        except (OSError, ValueError, IndexError):
            continue
    return out


def runs(argv, words):
    """Whether argv runs words[0] (the program, or the script an interpreter runs) followed by words[1:]."""
    for i, a in enumerate(argv[:2]):
        if os.path.basename(a).startswith(words[0]) and argv[i + 1:i + len(words)] == words[1:]:
            return True
    return False


class Startup:
    """Whether the process we forked from, or one of its children, runs the main process yet, and for how long."""

    def __init__(self, pid, main_process, grace, clock=time.monotonic):
        self.pid = pid
        self.main_process = main_process
        self.words = main_process.split()
        self.grace = grace
        self.clock = clock
        self.since = None

    def main_running(self):
        """True once the process or one of its children runs main_process; True without /proc."""
        argv = read_cmdline(self.pid)
        if argv is None:
            return True
        if runs(argv, self.words):
            return True
        return any(runs(read_cmdline(child) or [], self.words) for child in children_of(self.pid))

    def starting(self):
        """A reason to answer "starting", or None once the checks apply."""
        if self.since is None:
            if not self.main_running():
                return "starting: the entrypoint has not started %s yet (waiting for its dependencies)" % self.main_process
            self.since = self.clock()
        up = self.clock() - self.since
        if up < self.grace:
            return "starting: %s up for %d s, checks begin after %d s" % (self.main_process, up, self.grace)
        return None


def make_handler(checker, startup):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/livez":
                self._reply(404, "not found: only GET /livez\n")
                return
            reason = startup.starting()
            if reason is not None:
                self._reply(200, reason + "\n")
                return
            ok, detail = checker.check()
            self._reply(200 if ok else 503, detail + "\n")

        def _reply(self, status, text):
            body = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


def serve(opts, parent):
    probe = opts["probe_command"] + opts["queues"] + ["--expected-num-workers", os.environ.get("NUMPROCS", "1")]
    checker = Checker(probe, opts["timeout"], opts["min_interval"])
    startup = Startup(parent, opts["main_process"], opts["grace"])
    server = ThreadingHTTPServer((opts["host"], opts["port"]), make_handler(checker, startup))
    server.daemon_threads = True

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(2)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    server.serve_forever()


def main(argv):
    try:
        opts = parse_args(argv)
    except ValueError as e:
        sys.stderr.write("worker_liveness: %s\n%s\n" % (e, USAGE))
        return 2
    parent = os.getpid()
    if os.fork() == 0:
        try:
            os.setsid()
            serve(opts, parent)
        except BaseException as e:  # noqa: BLE001 - the child must never return into the parent's code
            sys.stderr.write("worker_liveness: endpoint stopped: %s\n" % e)
        finally:
            os._exit(1)
    os.execvp(opts["command"][0], opts["command"])
    return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
