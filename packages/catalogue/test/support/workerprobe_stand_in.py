# TEST DOUBLE (never shipped): stands in for `django-admin workerprobe <queues> --expected-num-workers N`
# (cvat-ai/cvat@v2.73.0 cvat/apps/health/management/commands/workerprobe.py) in
# test/worker-liveness.test.ts. Live worker counts per queue come from the JSON file named by
# $STAND_IN_STATE ({"queues": {"import": 2}, "hang_seconds": 0}); every call is appended to
# $STAND_IN_LOG. Like the real command it raises CommandError (exit 1, message on stderr) when a
# queue has fewer live workers than expected.
import json
import os
import sys
import time

args = sys.argv[1:]
with open(os.environ["STAND_IN_LOG"], "a") as log:
    log.write(" ".join(args) + "\n")
state = json.load(open(os.environ["STAND_IN_STATE"]))
time.sleep(state.get("hang_seconds", 0))
if args[0] != "workerprobe":
    sys.exit("Unknown command: %r" % args[0])
expected = int(args[args.index("--expected-num-workers") + 1])
for queue in [a for a in args[1:args.index("--expected-num-workers")]]:
    live = state["queues"].get(queue, 0)
    if live < expected:
        sys.stderr.write("CommandError: Queue %s: expected at least %d live worker(s) on stand-in, found %d\n" % (queue, expected, live))
        sys.exit(1)
