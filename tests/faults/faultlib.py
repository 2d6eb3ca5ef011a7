"""What the fault engines share: their common arguments, the lifecycle (signals, a lifetime bound,
a watched process), the unix listener, the ready file and the log."""
import argparse
import os
import signal
import socket
import time


def common_args(doc):
    """The parser with the arguments every fault engine takes; add the engine's own to it."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument('socket', help='unix socket path to listen on')
    p.add_argument('--ready-file', default=None, help='written (atomically) once listening')
    p.add_argument('--log', default=None, help='append what happens here')
    p.add_argument('--max-seconds', type=float, default=900.0, help='exit by itself after this long (default 900)')
    p.add_argument('--watch-pid', type=int, default=None, help='exit when this process is gone')
    return p


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill 0: look at its state.
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return True


def write_ready(path, lines):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    os.replace(tmp, path)


def remove_files(*paths):
    """Removes what a fault engine made on disk (its socket, its ready file); absent or unset ones are fine."""
    for path in paths:
        if path:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def listen_unix(path):
    if os.path.exists(path) or os.path.islink(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    os.chmod(path, 0o666)
    s.listen(128)
    return s


class Lifetime:
    """Why to stop, once there is a reason: a signal, the lifetime bound, or the watched process gone."""

    def __init__(self, args):
        self.why = None
        self._deadline = time.monotonic() + args.max_seconds
        self._watch = args.watch_pid
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, self._on_signal)

    def _on_signal(self, signum, _frame):
        self.why = signal.Signals(signum).name

    def over(self):
        if self.why is None and time.monotonic() > self._deadline:
            self.why = 'max-seconds'
        if self.why is None and self._watch and not pid_alive(self._watch):
            self.why = f'pid {self._watch} gone'
        return self.why is not None


class Log:
    def __init__(self, path):
        self.f = open(path, 'a', buffering=1) if path else None

    def __call__(self, text):
        if self.f:
            self.f.write(f'{time.time():.3f} {text}\n')
