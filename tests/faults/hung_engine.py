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
import os
import selectors
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402
import time


def parse_args(argv):
    p = faultlib.common_args(__doc__)
    p.add_argument('--tcp', type=int, default=None, metavar='PORT', help='also listen on 127.0.0.1:PORT (0 = any free port)')
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    log = faultlib.Log(args.log)
    life = faultlib.Lifetime(args)
    listeners = [faultlib.listen_unix(args.socket)]
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
    if args.ready_file:
        faultlib.write_ready(args.ready_file, lines)
    print(' '.join(lines), flush=True)
    log('ready ' + ' '.join(lines[1:]))

    try:
        while not life.over():
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
        faultlib.remove_files(args.socket, args.ready_file)
        log(f'exit ({life.why})')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
