# TEST DOUBLE (never shipped): stands in for supervisord in test/worker-liveness.test.ts. The
# entrypoint stand-in exec()s it, as backend_entrypoint.sh exec()s supervisord; its file name starts
# with "supervisord" so the liveness endpoint sees the main process running. On SIGTERM it prints
# that it got the signal and exits 0.
import signal
import sys
import time


def on_term(signum, frame):
    print("supervisord stand-in: SIGTERM received", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, on_term)
print("supervisord stand-in: running", flush=True)
while True:
    time.sleep(1)
