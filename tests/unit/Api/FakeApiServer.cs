using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using DockerVm.Engine;
using DockerVm.Engine.Api;

namespace DockerVm.Tests.Api;

/// <summary>One request as the fake engine received it.</summary>
internal sealed class FakeRequest
{
    public string Method { get; init; } = "";
    /// <summary>The target without its /vX.YY prefix (routes match this).</summary>
    public string Target { get; init; } = "";
    /// <summary>The target as sent.</summary>
    public string RawTarget { get; init; } = "";
    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    public byte[] Body { get; init; } = Array.Empty<byte>();
    public int Connection { get; init; }
    public string Text => Encoding.UTF8.GetString(Body);
    public override string ToString() => $"{Method} {Target}";
}

/// <summary>The fake engine's side of one connection: what a handler writes back.</summary>
internal sealed class FakeConnection
{
    private readonly Socket _socket;

    public FakeConnection(Socket socket) => _socket = socket;

    /// <summary>Set by a handler to close the connection after its answer.</summary>
    public bool CloseAfter { get; set; }

    /// <summary>Set by a handler that took the connection over (hijack): the server stops reading requests from it.</summary>
    public bool Hijacked { get; set; }

    public void Raw(byte[] bytes) => _socket.Send(bytes);

    public void Raw(string text) => Raw(Encoding.UTF8.GetBytes(text));

    public void Json(int status, string json, string reason = "X") =>
        Raw($"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");

    public void Empty(int status) => Raw($"HTTP/1.1 {status} X\r\n\r\n");

    public void Error(int status, string message) => Json(status, "{\"message\":" + System.Text.Json.JsonSerializer.Serialize(message) + "}");

    /// <summary>A chunked answer, each piece sent on its own (with a pause, so the client reads them apart).</summary>
    public void Chunked(int status, params string[] pieces)
    {
        Raw($"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        foreach (var p in pieces)
        {
            Raw(p);
            Thread.Sleep(5);
        }
    }

    /// <summary>Reads what the client sends on a hijacked connection until it half-closes.</summary>
    public byte[] ReadToEnd()
    {
        var all = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = _socket.Receive(buffer)) > 0)
        {
            all.Write(buffer, 0, n);
        }
        return all.ToArray();
    }

    public void Close()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        _socket.Close();
    }

    /// <summary>One multiplexed frame: the 8-byte header and the payload.</summary>
    public static byte[] Frame(int stream, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = new byte[8 + payload.Length];
        frame[0] = (byte)stream;
        frame[4] = (byte)(payload.Length >> 24);
        frame[5] = (byte)(payload.Length >> 16);
        frame[6] = (byte)(payload.Length >> 8);
        frame[7] = (byte)payload.Length;
        payload.CopyTo(frame, 8);
        return frame;
    }
}

/// <summary>
/// A tiny Docker engine on a unix socket, for the API transport's tests: requests are parsed
/// (Content-Length bodies), routed by "METHOD regex" to handlers that write raw HTTP back, and
/// recorded. GET /version answers API <see cref="ApiVersion"/> unless routed otherwise.
/// </summary>
internal sealed class FakeApiServer : IDisposable
{
    private readonly Socket _listener;
    private readonly List<(string Method, Regex Path, Action<FakeRequest, FakeConnection> Handle)> _routes = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Socket> _accepted = new();
    private int _connections;

    public FakeApiServer(bool answer = true)
    {
        Dir = Path.Combine("/tmp", "dvapi-" + Guid.NewGuid().ToString("N").Substring(0, 10));
        Directory.CreateDirectory(Dir);
        SocketPath = Path.Combine(Dir, "engine.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(64);
        Answer = answer;
        _ = Task.Run(AcceptLoop);
    }

    public string Dir { get; }
    public string SocketPath { get; }
    public string ApiVersion { get; set; } = "1.41";

    /// <summary>False: accept connections, read requests, never answer (a hung engine).</summary>
    public bool Answer { get; set; }

    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The requests but the version negotiation, as "METHOD target".</summary>
    public List<string> Seen => Requests.Where(r => r.Target != "/version").Select(r => r.ToString()).ToList();

    public FakeApiServer On(string method, string pathRegex, Action<FakeRequest, FakeConnection> handle)
    {
        lock (_routes)
        {
            _routes.Insert(0, (method, new Regex(pathRegex), handle));
        }
        return this;
    }

    /// <summary>A DockerApi on this engine, with short probe timings (a busy test machine must still answer a ping in time).</summary>
    public DockerApi Engine(DockerCli? cli = null) =>
        new("", () => ApiTarget.Unix(SocketPath), cli ?? new DockerCli(program: "/nonexistent/docker-for-tests"))
        {
            ProbeAfter = TimeSpan.FromMilliseconds(500),
            ProbeEvery = TimeSpan.FromMilliseconds(500),
            PingDeadline = TimeSpan.FromSeconds(2),
        };

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket s;
            try
            {
                s = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _accepted.Add(s);
            var n = Interlocked.Increment(ref _connections);
            // a thread of its own: blocking reads never wait for a busy thread pool
            new Thread(() => Serve(s, n)) { IsBackground = true, Name = "fake engine connection" }.Start();
        }
    }

    private void Serve(Socket socket, int connection)
    {
        var conn = new FakeConnection(socket);
        var reader = new Reader(socket);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var request = reader.ReadRequest(connection);
                if (request is null)
                {
                    return;
                }
                Requests.Enqueue(request);
                if (!Answer)
                {
                    continue; // a hung engine reads, and never answers
                }
                Route(request, conn);
                if (conn.Hijacked)
                {
                    return;
                }
                if (conn.CloseAfter)
                {
                    conn.Close();
                    return;
                }
            }
        }
        catch (Exception)
        {
            // the client went away
        }
    }

    private void Route(FakeRequest request, FakeConnection conn)
    {
        var path = request.Target;
        Action<FakeRequest, FakeConnection>? handle;
        lock (_routes)
        {
            handle = _routes.FirstOrDefault(r => r.Method == request.Method && r.Path.IsMatch(path)).Handle;
        }
        if (handle is not null)
        {
            handle(request, conn);
        }
        else if (request.Method == "GET" && path == "/version")
        {
            conn.Json(200, $"{{\"Version\":\"fake\",\"ApiVersion\":\"{ApiVersion}\",\"MinAPIVersion\":\"1.12\"}}");
        }
        else if (request.Method == "GET" && path == "/_ping")
        {
            conn.Raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");
        }
        else
        {
            conn.Error(404, "page not found: " + path);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        foreach (var s in _accepted)
        {
            try
            {
                s.Dispose();
            }
            catch (Exception)
            {
            }
        }
        try
        {
            Directory.Delete(Dir, true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class Reader
    {
        private readonly Socket _socket;
        private readonly List<byte> _buffer = new();

        public Reader(Socket socket) => _socket = socket;

        public FakeRequest? ReadRequest(int connection)
        {
            var head = ReadUntil("\r\n\r\n");
            if (head is null)
            {
                return null;
            }
            var lines = head.Split("\r\n");
            var first = lines[0].Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var l in lines.Skip(1).Where(l => l.Contains(':')))
            {
                headers[l.Substring(0, l.IndexOf(':')).Trim()] = l.Substring(l.IndexOf(':') + 1).Trim();
            }
            byte[] body;
            if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                body = ReadChunked();
            }
            else
            {
                var length = headers.TryGetValue("Content-Length", out var cl) ? int.Parse(cl) : 0;
                while (_buffer.Count < length && Fill())
                {
                }
                body = _buffer.Take(length).ToArray();
                _buffer.RemoveRange(0, Math.Min(length, _buffer.Count));
            }
            var target = first[1];
            // The version prefix is the transport's business: routes see /containers/..., and the raw target is kept.
            var m = Regex.Match(target, @"^/v\d+\.\d+(/.*)$");
            return new FakeRequest
            {
                Method = first[0],
                Target = m.Success ? m.Groups[1].Value : target,
                Headers = headers,
                Body = body,
                Connection = connection,
                RawTarget = target,
            };
        }

        /// <summary>A chunked request body (an upload), whole.</summary>
        private byte[] ReadChunked()
        {
            var body = new MemoryStream();
            while (true)
            {
                var size = Convert.ToInt32((ReadUntil("\r\n") ?? throw new EndOfStreamException("no chunk size")).Split(';')[0].Trim(), 16);
                if (size == 0)
                {
                    ReadUntil("\r\n");
                    return body.ToArray();
                }
                while (_buffer.Count < size + 2)
                {
                    if (!Fill())
                    {
                        throw new EndOfStreamException("the chunk ended early");
                    }
                }
                body.Write(_buffer.Take(size).ToArray());
                _buffer.RemoveRange(0, size + 2);
            }
        }

        private string? ReadUntil(string marker)
        {
            var bytes = Encoding.ASCII.GetBytes(marker);
            while (true)
            {
                var at = IndexOf(bytes);
                if (at >= 0)
                {
                    var text = Encoding.ASCII.GetString(_buffer.Take(at).ToArray());
                    _buffer.RemoveRange(0, at + bytes.Length);
                    return text;
                }
                if (!Fill())
                {
                    return null;
                }
            }
        }

        private int IndexOf(byte[] marker)
        {
            for (var i = 0; i + marker.Length <= _buffer.Count; i++)
            {
                var ok = true;
                for (var j = 0; j < marker.Length && ok; j++)
                {
                    ok = _buffer[i + j] == marker[j];
                }
                if (ok)
                {
                    return i;
                }
            }
            return -1;
        }

        private bool Fill()
        {
            var chunk = new byte[4096];
            var n = _socket.Receive(chunk);
            if (n == 0)
            {
                return false;
            }
            _buffer.AddRange(chunk.Take(n));
            return true;
        }
    }
}
