# TEST DOUBLE (never shipped): stands in for /opt/cvat/backend_entrypoint.sh in
# test/worker-liveness.test.ts. Prints its arguments, then waits, as the real entrypoint waits for
# its dependencies and migrations, until the file named by $STAND_IN_START exists; then it exec()s
# the supervisord stand-in in the same process, as the real entrypoint exec()s supervisord. On
# SIGTERM while waiting it prints that it got the signal and exits 0.
import os
import signal
import sys
import time


def on_term(signum, frame):
    print("entrypoint stand-in: SIGTERM received", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, on_term)
print("entrypoint stand-in: " + " ".join(sys.argv[1:]), flush=True)
while not os.path.exists(os.environ["STAND_IN_START"]):
    time.sleep(0.1)
here = os.path.dirname(os.path.abspath(__file__))
os.execv(sys.executable, [sys.executable, os.path.join(here, "supervisord_stand_in.py")])
