using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Engine.Api
{
    /// <summary>
    /// A minimal HTTP/1.1 client for one engine address: requests with JSON bodies, responses framed
    /// by Content-Length, chunked encoding or the end of the stream, a few keep-alive connections kept
    /// for the next request, and connection hijacking (Upgrade: tcp) for exec. Everything a Docker
    /// engine needs and nothing else (no redirects, no compression, no proxies).
    /// </summary>
    internal sealed partial class ApiClient : IDisposable
    {
        /// <summary>Idle keep-alive connections kept for the next requests.</summary>
        public const int MaxIdle = 8;

        private readonly Stack<HttpConnection> _idle = new();
        private readonly object _gate = new();
        private bool _disposed;

        public ApiClient(ApiTarget target) => Target = target;

        public ApiTarget Target { get; }

        /// <summary>The negotiated API version ("1.41"); null until the first request negotiated it.</summary>
        public string? Version { get; set; }

        /// <summary>
        /// Sends one request and reads the answer's status line and headers. The body (or, for an
        /// upgraded connection, the raw stream) is read from the returned response, which must be
        /// disposed. A keep-alive connection that turns out to be closed is replaced once, before any
        /// answer was read from it. Connection failures are <see cref="EngineConnectException"/>;
        /// cancellation closes the connection and throws <see cref="OperationCanceledException"/>.
        /// </summary>
        public async Task<ApiResponse> SendAsync(string method, string path, byte[]? body, bool upgrade, CancellationToken ct)
        {
            var request = Encode(method, path, body, upgrade);
            for (var attempt = 0; ; attempt++)
            {
                ct.ThrowIfCancellationRequested();
                var connection = TakeIdle() ?? await Dialer.ConnectAsync(Target, ct).ConfigureAwait(false);
                try
                {
                    using (ct.Register(connection.Dispose))
                    {
                        await connection.WriteAsync(request, 0, request.Length, ct).ConfigureAwait(false);
                        await connection.FlushAsync(ct).ConfigureAwait(false);
                        var head = await ReadHeadAsync(connection, ct).ConfigureAwait(false);
                        return new ApiResponse(this, connection, method, path, head.Status, head.Reason, head.Headers, head.Http10);
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested && connection.Reused && attempt == 0 && IsStale(e))
                {
                    // A keep-alive connection the engine had closed: nothing was answered, send it again on a new one.
                    connection.Dispose();
                }
                catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
                {
                    connection.Dispose();
                    throw new OperationCanceledException(ct);
                }
                catch (Exception)
                {
                    connection.Dispose();
                    throw;
                }
            }
        }

        /// <summary>
        /// True when the engine answers GET /_ping on a new connection within <paramref name="deadline"/>
        /// (any HTTP answer: alive, however slow the request it watches).
        /// </summary>
        public async Task<bool> PingAsync(TimeSpan deadline, CancellationToken ct)
        {
            using var limit = new CancellationTokenSource(deadline);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
            HttpConnection? connection = null;
            try
            {
                connection = await Dialer.ConnectAsync(Target, linked.Token).ConfigureAwait(false);
                using (linked.Token.Register(connection.Dispose))
                {
                    var ping = Encode("GET", "/_ping", null, false);
                    await connection.WriteAsync(ping, 0, ping.Length, linked.Token).ConfigureAwait(false);
                    var line = await connection.ReadLineAsync(linked.Token).ConfigureAwait(false);
                    return line is not null && line.StartsWith("HTTP/", StringComparison.Ordinal);
                }
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                return false; // refused, reset, gone, or no answer before the deadline
            }
            finally
            {
                connection?.Dispose();
            }
        }

        internal void Return(HttpConnection connection)
        {
            connection.Reused = true;
            lock (_gate)
            {
                if (!_disposed && _idle.Count < MaxIdle && connection.CanBeReused())
                {
                    _idle.Push(connection);
                    return;
                }
            }
            connection.Dispose();
        }

        private HttpConnection? TakeIdle()
        {
            while (true)
            {
                HttpConnection? c;
                lock (_gate)
                {
                    if (_idle.Count == 0)
                    {
                        return null;
                    }
                    c = _idle.Pop();
                }
                if (c.CanBeReused())
                {
                    return c;
                }
                c.Dispose();
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                while (_idle.Count > 0)
                {
                    _idle.Pop().Dispose();
                }
            }
        }

        private static bool IsStale(Exception e) =>
            e is IOException || e is SocketException || e is ObjectDisposedException || e is StaleConnectionException;

        private byte[] Encode(string method, string path, byte[]? body, bool upgrade)
        {
            var head = new StringBuilder(256)
                .Append(method).Append(' ').Append(path).Append(" HTTP/1.1\r\n")
                .Append("Host: ").Append(Target.HostHeader).Append("\r\n")
                .Append("User-Agent: DockerVm\r\n");
            if (body is not null)
            {
                head.Append("Content-Type: application/json\r\n")
                    .Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            }
            else if (method != "GET" && method != "HEAD")
            {
                head.Append("Content-Length: 0\r\n");
            }
            if (upgrade)
            {
                head.Append("Connection: Upgrade\r\nUpgrade: tcp\r\n");
            }
            head.Append("\r\n");
            var headBytes = Encoding.UTF8.GetBytes(head.ToString());
            if (body is null || body.Length == 0)
            {
                return headBytes;
            }
            // One write: head and body leave in the same segment.
            var all = new byte[headBytes.Length + body.Length];
            Buffer.BlockCopy(headBytes, 0, all, 0, headBytes.Length);
            Buffer.BlockCopy(body, 0, all, headBytes.Length, body.Length);
            return all;
        }

        private static async Task<(int Status, string Reason, Dictionary<string, string> Headers, bool Http10)> ReadHeadAsync(HttpConnection connection, CancellationToken ct)
        {
            while (true)
            {
                var statusLine = await connection.ReadLineAsync(ct).ConfigureAwait(false)
                    ?? throw new StaleConnectionException("The engine closed the connection without answering.");
                var parts = statusLine.Split(new[] { ' ' }, 3);
                if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal) ||
                    !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
                {
                    throw new InvalidDataException($"The engine answered something that is not HTTP: '{Cut(statusLine)}'.");
                }
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                while (true)
                {
                    var line = await connection.ReadLineAsync(ct).ConfigureAwait(false)
                        ?? throw new EndOfStreamException("The engine closed the connection in the middle of a response header.");
                    if (line.Length == 0)
                    {
                        break;
                    }
                    var colon = line.IndexOf(':');
                    if (colon > 0)
                    {
                        headers[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
                    }
                }
                if (status >= 100 && status < 200 && status != 101)
                {
                    continue; // 100 Continue and the like: the real answer follows
                }
                return (status, parts.Length > 2 ? parts[2] : "", headers, parts[0] == "HTTP/1.0");
            }
        }

        private static string Cut(string s) => s.Length <= 80 ? s : s.Substring(0, 80) + "…";
    }

    /// <summary>A kept connection was closed by the engine before it answered: the request may be sent again.</summary>
    internal sealed class StaleConnectionException : IOException
    {
        public StaleConnectionException(string message) : base(message) { }
    }

    /// <summary>
    /// One answer: status, headers, and the body read as a stream (Content-Length, chunked, or until
    /// the engine closes: the raw stream of an upgraded connection). Disposing it gives a fully read
    /// keep-alive connection back to the client; anything else is closed.
    /// </summary>
    internal sealed class ApiResponse : IDisposable
    {
        private enum Framing
        {
            None,
            Length,
            Chunked,
            UntilClose,
        }

        private readonly ApiClient _owner;
        private readonly HttpConnection _connection;
        private readonly Framing _framing;
        private readonly bool _keepAlive;
        private long _remaining;
        private bool _chunkCrlfPending;
        private bool _done;
        private bool _disposed;

        internal ApiResponse(ApiClient owner, HttpConnection connection, string method, string path, int status, string reason, Dictionary<string, string> headers, bool http10)
        {
            _owner = owner;
            _connection = connection;
            Method = method;
            Path = path;
            Status = status;
            Reason = reason;
            Headers = headers;
            var close = headers.TryGetValue("Connection", out var c) && c.IndexOf("close", StringComparison.OrdinalIgnoreCase) >= 0;
            _keepAlive = !close && !http10;
            if (status == 101)
            {
                _framing = Framing.UntilClose; // the raw stream of a hijacked connection
                _keepAlive = false;
            }
            else if (status == 204 || status == 304 || method == "HEAD")
            {
                _framing = Framing.None;
            }
            else if (headers.TryGetValue("Transfer-Encoding", out var te) && te.IndexOf("chunked", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                _framing = Framing.Chunked;
            }
            else if (headers.TryGetValue("Content-Length", out var cl) && long.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                _framing = Framing.Length;
                _remaining = length;
            }
            else
            {
                _framing = Framing.UntilClose;
                _keepAlive = false;
            }
            _done = _framing == Framing.None || (_framing == Framing.Length && _remaining == 0);
        }

        /// <summary>The request's method and path (with its version), for messages.</summary>
        public string Method { get; }
        public string Path { get; }
        public int Status { get; }
        public string Reason { get; }
        public IReadOnlyDictionary<string, string> Headers { get; }

        public string ContentType => Headers.TryGetValue("Content-Type", out var t) ? t : "";

        /// <summary>The connection, for an upgraded (hijacked) exchange: its sending half can be closed.</summary>
        internal HttpConnection Connection => _connection;

        /// <summary>Reads the next bytes of the body; 0 at its end. Cancellation closes the connection.</summary>
        public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct)
        {
            if (_done || count == 0)
            {
                return 0;
            }
            using var _ = ct.Register(_connection.Dispose);
            try
            {
                switch (_framing)
                {
                    case Framing.Length:
                    {
                        var n = await _connection.ReadAsync(buffer, offset, (int)Math.Min(count, _remaining), ct).ConfigureAwait(false);
                        if (n == 0)
                        {
                            throw new EndOfStreamException($"The engine closed the connection {_remaining} bytes before the end of its answer.");
                        }
                        _remaining -= n;
                        _done = _remaining == 0;
                        return n;
                    }
                    case Framing.Chunked:
                    {
                        if (_remaining == 0)
                        {
                            if (_chunkCrlfPending)
                            {
                                var end = await _connection.ReadLineAsync(ct).ConfigureAwait(false);
                                if (end is null || end.Length != 0)
                                {
                                    throw new InvalidDataException("The engine sent a malformed chunked body.");
                                }
                                _chunkCrlfPending = false;
                            }
                            var sizeLine = await _connection.ReadLineAsync(ct).ConfigureAwait(false)
                                ?? throw new EndOfStreamException("The engine closed the connection in the middle of a chunked answer.");
                            var semicolon = sizeLine.IndexOf(';');
                            var hex = (semicolon >= 0 ? sizeLine.Substring(0, semicolon) : sizeLine).Trim();
                            if (!long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
                            {
                                throw new InvalidDataException($"The engine sent a malformed chunk size: '{sizeLine}'.");
                            }
                            if (size == 0)
                            {
                                // trailers, up to the empty line
                                while (!string.IsNullOrEmpty(await _connection.ReadLineAsync(ct).ConfigureAwait(false)))
                                {
                                }
                                _done = true;
                                return 0;
                            }
                            _remaining = size;
                            _chunkCrlfPending = true;
                        }
                        var n = await _connection.ReadAsync(buffer, offset, (int)Math.Min(count, _remaining), ct).ConfigureAwait(false);
                        if (n == 0)
                        {
                            throw new EndOfStreamException("The engine closed the connection in the middle of a chunk.");
                        }
                        _remaining -= n;
                        return n;
                    }
                    default:
                    {
                        var n = await _connection.ReadAsync(buffer, offset, count, ct).ConfigureAwait(false);
                        _done = n == 0;
                        return n;
                    }
                }
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
            {
                throw new OperationCanceledException(ct);
            }
        }

        /// <summary>The whole body.</summary>
        public async Task<byte[]> ReadAllAsync(CancellationToken ct)
        {
            using var all = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await ReadAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false)) > 0)
            {
                all.Write(buffer, 0, n);
            }
            return all.ToArray();
        }

        /// <summary>The whole body as UTF-8 text.</summary>
        public async Task<string> ReadStringAsync(CancellationToken ct) =>
            Encoding.UTF8.GetString(await ReadAllAsync(ct).ConfigureAwait(false));

        /// <summary>Closes the connection now (from any thread): a pending read ends.</summary>
        public void Abort() => _connection.Dispose();

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (_done && _keepAlive && !_connection.IsDisposed)
            {
                _owner.Return(_connection);
            }
            else
            {
                _connection.Dispose();
            }
        }
    }
}
