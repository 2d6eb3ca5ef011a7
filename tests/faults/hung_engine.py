#!/usr/bin/env python3
"""A Docker engine that never answers: accepts every connection, reads and discards, replies nothing.

    python3 hung_engine.py SOCKET [--tcp PORT] [--ready-file F] [--log F] [--max-seconds 900] [--watch-pid PID]

Listens on the unix socket SOCKET (and on 127.0.0.1:PORT with --tcp; 0 picks a free port).
When listening it writes the ready file (atomically; contents: 'ready', then 'unix=...' and
'tcp=127.0.0.1:PORT' lines) and prints the same 'ready ...' line on stdout.
--log appends one line per accepted connection ('<epoch> accept conn=N') and per first line a
connection sends ('<epoch> request conn=N GET /_ping HTTP/1.1'), so a test can wait until a client
is stuck instead of sleeping.
Exits 0, closing every connection and removing SOCKET and the ready file, on SIGTERM/SIGINT/SIGHUP,
after --max-seconds, or when the process --watch-pid is gone; so it never outlives its test.
"""
import argparse
import os
import selectors
import signal
import socket
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('socket', help='unix socket path to listen on')
    p.add_argument('--tcp', type=int, default=None, metavar='PORT', help='also listen on 127.0.0.1:PORT (0 = any free port)')
    p.add_argument('--ready-file', default=None, help='written (atomically) once listening')
    p.add_argument('--log', default=None, help='append accept/request lines here')
    p.add_argument('--max-seconds', type=float, default=900.0, help='exit by itself after this long (default 900)')
    p.add_argument('--watch-pid', type=int, default=None, help='exit when this process is gone')
    return p.parse_args(argv)


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


class Log:
    def __init__(self, path):
        self.f = open(path, 'a', buffering=1) if path else None

    def __call__(self, text):
        if self.f:
            self.f.write(f'{time.time():.3f} {text}\n')


def main(argv):
    args = parse_args(argv)
    log = Log(args.log)
    stop = {'why': None}

    def on_signal(signum, _frame):
        stop['why'] = signal.Signals(signum).name

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)

    if os.path.exists(args.socket) or os.path.islink(args.socket):
        os.unlink(args.socket)
    listeners = []
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(args.socket)
    os.chmod(args.socket, 0o666)
    unix.listen(128)
    listeners.append(unix)
    lines = ['ready', f'unix={args.socket}']
    if args.tcp is not None:
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind(('127.0.0.1', args.tcp))
        tcp.listen(128)
        listeners.append(tcp)
        lines.append(f'tcp=127.0.0.1:{tcp.getsockname()[1]}')

    sel = selectors.DefaultSelector()
    for l in listeners:
        l.setblocking(False)
        sel.register(l, selectors.EVENT_READ, 'listen')
    conns = {}  # socket -> [id, bytes seen before the first line break]
    next_id = 0
    deadline = time.monotonic() + args.max_seconds
    if args.ready_file:
        write_ready(args.ready_file, lines)
    print(' '.join(lines), flush=True)
    log('ready ' + ' '.join(lines[1:]))

    try:
        while stop['why'] is None:
            if time.monotonic() > deadline:
                stop['why'] = 'max-seconds'
                break
            if args.watch_pid and not pid_alive(args.watch_pid):
                stop['why'] = f'pid {args.watch_pid} gone'
                break
            for key, _ in sel.select(timeout=0.2):
                s = key.fileobj
                if key.data == 'listen':
                    try:
                        c, _ = s.accept()
                    except (BlockingIOError, InterruptedError):
                        continue
                    c.setblocking(False)
                    next_id += 1
                    conns[c] = [next_id, b'']
                    sel.register(c, selectors.EVENT_READ, 'conn')
                    log(f'accept conn={next_id}')
                    continue
                try:
                    data = s.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b''
                cid, head = conns[s]
                if not data:
                    # The client gave up: forget it (a hung engine keeps quiet either way).
                    sel.unregister(s)
                    s.close()
                    del conns[s]
                    log(f'close conn={cid}')
                    continue
                if head is not None:
                    head += data
                    if b'\n' in head or len(head) > 8192:
                        log(f'request conn={cid} ' + head.split(b'\n', 1)[0].decode('latin-1').strip())
                        head = None
                    conns[s][1] = head
    finally:
        for c in list(conns):
            c.close()
        for l in listeners:
            l.close()
        for path in (args.socket, args.ready_file):
            if path:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
        log(f'exit ({stop["why"]})')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
