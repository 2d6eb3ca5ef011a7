#!/usr/bin/env python3
"""A slow Docker engine: an HTTP/1.1-aware proxy on a unix socket that holds back every response.

    python3 slow_proxy.py SOCKET [--upstream /var/run/docker.sock] [--delay-ms 500] [--match REGEX]
                          [--hang-after N] [--ready-file F] [--log F] [--max-seconds 900] [--watch-pid PID]

Each client connection gets its own upstream connection. Requests are parsed (Content-Length and
chunked bodies) and forwarded as they come; each response's head is held for --delay-ms after it
arrives from the engine, then the response streams through unchanged. The delay applies to every
response, also to the many requests one keep-alive connection carries (the docker CLI and the Go
client reuse connections).
Streams pass through: chunked bodies (docker logs -f, events) are forwarded chunk by chunk as they
arrive; a request with 'Connection: Upgrade' (docker exec/attach/run -i hijack) and a 101 response
or one delimited by close switch the connection to raw bytes both ways, half-closes included.
--match REGEX: delay (and count for --hang-after) only requests whose 'METHOD /path?query' matches
  (re.search; the API version prefix is part of the path, e.g. 'POST /v1.41/containers/.*/start').
--hang-after N: forward the first N (matching) requests; from the next one on, a request is
  swallowed and its connection never answered again, as a hung engine would (0 = hang at once).
--hang-forward: with --hang-after, the request that hangs still reaches the engine (which acts on
  it); only its answer is dropped, as when an engine hangs after doing the work.
--log appends '<epoch> req conn=C n=K METHOD TARGET' and '<epoch> resp conn=C n=K STATUS
  delayed=MS' lines ('hang' instead of 'req' for a swallowed request).
The ready file (written atomically), the 'ready ...' stdout line and the lifecycle (SIGTERM/SIGINT/
SIGHUP, --max-seconds, --watch-pid: exit 0, socket and ready file removed) are as hung_engine.py's.
"""
import os
import queue
import re
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402

MAX_HEAD = 1 << 20


class Closed(Exception):
    """The peer closed (or reset) the connection."""


class Reader:
    """Buffered reads from a socket that also hand back whatever is already there (streams)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.eof = False

    def fill(self):
        """At least one more byte, or False at end of stream."""
        if self.eof:
            return False
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b''
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def wait_data(self):
        """True when a byte is buffered (waiting for one if needed), False at end of stream."""
        return bool(self.buf) or self.fill()

    def _through(self, sep, what, none_at_end):
        """The bytes through sep; at a clean end of stream None when none_at_end, else Closed."""
        while True:
            i = self.buf.find(sep)
            if i >= 0:
                out = bytes(self.buf[:i + len(sep)])
                del self.buf[:i + len(sep)]
                return out
            if len(self.buf) > MAX_HEAD:
                raise Closed(f'{what} too long')
            if not self.fill():
                if self.buf or not none_at_end:
                    raise Closed(f'end of stream inside a {what}')
                return None

    def head(self):
        """An HTTP head (through the blank line), or None at a clean end of stream."""
        return self._through(b'\r\n\r\n', 'head', none_at_end=True)

    def line(self):
        return self._through(b'\n', 'line', none_at_end=False)

    def some(self, limit):
        """Up to limit bytes, as soon as any are there; b'' at end of stream."""
        if not self.buf and not self.fill():
            return b''
        out = bytes(self.buf[:limit])
        del self.buf[:limit]
        return out


def send(sock, data):
    try:
        sock.sendall(data)
    except OSError as e:
        raise Closed(str(e))


def shut_write(sock):
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def parse_head(raw):
    """(first line, {lower-case name: [values]}) of an HTTP head."""
    lines = raw.decode('latin-1').split('\r\n')
    headers = {}
    for l in lines[1:]:
        if ':' in l:
            k, v = l.split(':', 1)
            headers.setdefault(k.strip().lower(), []).append(v.strip())
    return lines[0], headers


def tokens(headers, name):
    return {t.strip().lower() for v in headers.get(name, []) for t in v.split(',') if t.strip()}


def body_kind(headers):
    """('chunked', None), ('length', n) or (None, None) when the head says nothing."""
    if 'chunked' in tokens(headers, 'transfer-encoding'):
        return 'chunked', None
    if 'content-length' in headers:
        return 'length', int(headers['content-length'][-1])
    return None, None


def copy_length(r, dst, n):
    while n > 0:
        data = r.some(min(n, 65536))
        if not data:
            raise Closed('end of stream inside a body')
        send(dst, data)
        n -= len(data)


def copy_chunked(r, dst):
    # Each chunk goes on as it arrives, so a stream (logs -f, events) is never held back.
    while True:
        size_line = r.line()
        send(dst, size_line)
        size = int(size_line.split(b';', 1)[0].strip() or b'0', 16)
        if size == 0:
            while True:  # trailers, through the blank line
                l = r.line()
                send(dst, l)
                if l in (b'\r\n', b'\n'):
                    return
        copy_length(r, dst, size + 2)  # data and its CRLF


def copy_raw(r, dst):
    """Everything to end of stream, then half-close dst."""
    if r.buf:
        send(dst, bytes(r.buf))
        r.buf.clear()
    while r.fill():
        send(dst, bytes(r.buf))
        r.buf.clear()
    shut_write(dst)


class Proxy:
    def __init__(self, args):
        self.args = args
        self.match = re.compile(args.match) if args.match else None
        self.lock = threading.Lock()
        self.counted = 0  # requests that matched (for --hang-after)
        self.log_file = open(args.log, 'a', buffering=1) if args.log else None
        self.conns = set()

    def log(self, text):
        if self.log_file:
            with self.lock:
                self.log_file.write(f'{time.time():.3f} {text}\n')

    def serve(self, client, cid):
        try:
            up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            up.connect(self.args.upstream)
        except OSError as e:
            self.log(f'upstream conn={cid} failed: {e}')
            client.close()
            return
        with self.lock:
            self.conns.update((client, up))
        state = {'raw': False, 'n': 0}
        pending = queue.Queue()  # per request, in order: (n, method, delayed)
        t = threading.Thread(target=self.responses, args=(cid, up, client, pending, state), daemon=True)
        t.start()
        try:
            self.requests(cid, client, up, pending, state)
        except Closed:
            pass
        except Exception as e:  # noqa: BLE001 - a proxy bug must not kill the listener
            self.log(f'error conn={cid} requests: {e!r}')
        # The client is done sending (or gone): tell the engine, then wait for its side to end.
        shut_write(up)
        t.join()
        with self.lock:
            self.conns.discard(client)
            self.conns.discard(up)
        client.close()
        up.close()

    def requests(self, cid, client, up, pending, state):
        r = Reader(client)
        while True:
            if not r.wait_data():
                shut_write(up)
                return
            if state['raw']:
                # The engine switched protocols (or answered until close) without an Upgrade request.
                copy_raw(r, up)
                return
            head = r.head()
            if head is None:
                shut_write(up)
                return
            first, headers = parse_head(head)
            parts = first.split(' ')
            method = parts[0].upper()
            target = parts[1] if len(parts) > 1 else ''
            matched = self.match is None or bool(self.match.search(f'{method} {target}'))
            hang = False
            with self.lock:
                if matched:
                    self.counted += 1
                    hang = self.args.hang_after is not None and self.counted > self.args.hang_after
            state['n'] += 1
            n = state['n']
            if hang:
                self.log(f'hang conn={cid} n={n} {method} {target}')
                if self.args.hang_forward:
                    # The engine gets the request and acts on it; its answer is dropped.
                    pending.put((n, method, 'hang'))
                    send(up, head)
                    kind, length = body_kind(headers)
                    if kind == 'chunked':
                        copy_chunked(r, up)
                    elif kind == 'length':
                        copy_length(r, up, length)
                # Swallow whatever follows: the client waits for ever.
                r.buf.clear()
                while r.fill():
                    r.buf.clear()
                return
            self.log(f'req conn={cid} n={n} {method} {target}')
            pending.put((n, method, matched))
            send(up, head)
            kind, length = body_kind(headers)
            if kind == 'chunked':
                copy_chunked(r, up)
            elif kind == 'length':
                copy_length(r, up, length)
            if 'upgrade' in tokens(headers, 'connection'):
                # docker exec/attach/run -i: from here on raw bytes (stdin) to the engine.
                copy_raw(r, up)
                return

    def responses(self, cid, up, client, pending, state):
        r = Reader(up)
        try:
            while True:
                if not r.wait_data():
                    break
                try:
                    n, method, matched = pending.get(timeout=5)
                except queue.Empty:
                    n, method, matched = 0, '', False  # unsolicited bytes: pass them on as they are
                    state['raw'] = True
                    copy_raw(r, client)
                    return
                if matched == 'hang':
                    self.log(f'dropped conn={cid} n={n} (--hang-forward)')
                    r.buf.clear()
                    while r.fill():
                        r.buf.clear()
                    return
                delay = self.args.delay_ms if matched else 0
                if delay:
                    time.sleep(delay / 1000.0)
                while True:
                    head = r.head()
                    if head is None:
                        raise Closed('engine closed before answering')
                    first, headers = parse_head(head)
                    parts = first.split(' ')
                    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
                    if 100 <= status < 200 and status != 101:
                        send(client, head)  # 100 Continue and the like: the real answer follows
                        continue
                    break
                self.log(f'resp conn={cid} n={n} {status} delayed={delay}')
                if status == 101:
                    state['raw'] = True
                    send(client, head)
                    copy_raw(r, client)
                    return
                send(client, head)
                if method == 'HEAD' or status in (204, 304):
                    continue
                kind, length = body_kind(headers)
                if kind == 'chunked':
                    copy_chunked(r, client)
                elif kind == 'length':
                    copy_length(r, client, length)
                else:
                    # No length: the body runs to close (the old raw-stream hijack answers so).
                    state['raw'] = True
                    copy_raw(r, client)
                    return
        except Closed:
            pass
        except Exception as e:  # noqa: BLE001
            self.log(f'error conn={cid} responses: {e!r}')
        shut_write(client)

    def close_all(self):
        with self.lock:
            for s in self.conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


def parse_args(argv):
    p = faultlib.common_args(__doc__)
    p.add_argument('--upstream', default='/var/run/docker.sock', help='the real engine socket (default /var/run/docker.sock)')
    p.add_argument('--delay-ms', type=int, default=500, help='hold each response this long (default 500)')
    p.add_argument('--match', default=None, help="only requests whose 'METHOD /path' matches this regex are delayed/counted")
    p.add_argument('--hang-after', type=int, default=None, metavar='N', help='answer N (matching) requests, then hang')
    p.add_argument('--hang-forward', action='store_true', help='with --hang-after: pass the hanging request on to the engine (it acts) but drop its answer')
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    proxy = Proxy(args)
    life = faultlib.Lifetime(args)
    listener = faultlib.listen_unix(args.socket)
    listener.settimeout(0.2)
    lines = ['ready', f'unix={args.socket}', f'upstream={args.upstream}', f'delay-ms={args.delay_ms}']
    if args.ready_file:
        faultlib.write_ready(args.ready_file, lines)
    print(' '.join(lines), flush=True)
    proxy.log('ready ' + ' '.join(lines[1:]))

    cid = 0
    try:
        while not life.over():
            try:
                client, _ = listener.accept()
            except (socket.timeout, InterruptedError):
                continue
            client.settimeout(None)
            cid += 1
            threading.Thread(target=proxy.serve, args=(client, cid), daemon=True).start()
    finally:
        listener.close()
        faultlib.remove_files(args.socket, args.ready_file)
        proxy.close_all()
        proxy.log(f'exit ({life.why})')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
