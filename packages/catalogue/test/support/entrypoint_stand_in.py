# TEST DOUBLE (never shipped): stands in for /opt/cvat/backend_entrypoint.sh in
# test/worker-liveness.test.ts. Prints its arguments, then waits; on SIGTERM it prints that it got
# the signal and exits 0, so the test can prove the signal reached the exec()ed entrypoint.
import signal
import sys
import time


def on_term(signum, frame):
    print("entrypoint stand-in: SIGTERM received", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, on_term)
print("entrypoint stand-in: " + " ".join(sys.argv[1:]), flush=True)
while True:
    time.sleep(1)
