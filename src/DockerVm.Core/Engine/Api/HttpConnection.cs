using System;
using System.IO;
using System.IO.Pipes;
using System.Net.Security;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Engine.Api
{
    /// <summary>
    /// One connection to an engine: a byte stream (a unix or tcp socket, TLS over tcp, or a Windows
    /// named pipe) with a read buffer, so that a response head can be parsed line by line and whatever
    /// follows it (a body, or the raw stream of a hijacked connection) read from the same buffer.
    /// Not thread-safe except for <see cref="Dispose"/>, which may come from any thread (cancellation).
    /// </summary>
    internal sealed class HttpConnection : IDisposable
    {
        private const int BufferSize = 16 * 1024;
        private readonly Stream _stream;
        private readonly Socket? _socket;
        private readonly byte[] _buffer = new byte[BufferSize];
        private int _start;
        private int _end;
        private int _disposed;

        public HttpConnection(Stream stream, Socket? socket)
        {
            _stream = stream;
            _socket = socket;
        }

        /// <summary>True once a request has been sent on it: a failure before its first answer may be a stale keep-alive.</summary>
        public bool Reused { get; set; }

        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        /// <summary>Bytes already read from the stream and not yet consumed.</summary>
        public int Buffered => _end - _start;

        public Task WriteAsync(byte[] data, int offset, int count, CancellationToken ct) => _stream.WriteAsync(data, offset, count, ct);

        public Task FlushAsync(CancellationToken ct) => _stream.FlushAsync(ct);

        /// <summary>Reads up to <paramref name="count"/> bytes: the buffer first, then the stream. 0 at the end of the stream.</summary>
        public async Task<int> ReadAsync(byte[] destination, int offset, int count, CancellationToken ct)
        {
            if (_end > _start)
            {
                var n = Math.Min(count, _end - _start);
                Buffer.BlockCopy(_buffer, _start, destination, offset, n);
                _start += n;
                return n;
            }
            return await _stream.ReadAsync(destination, offset, count, ct).ConfigureAwait(false);
        }

        /// <summary>
        /// One line of a response head (ASCII, ending in LF, a CR before it dropped); null when the stream
        /// ends before any byte of it. A line longer than the buffer is an error.
        /// </summary>
        public async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            var scanned = _start;
            while (true)
            {
                var lf = Array.IndexOf(_buffer, (byte)'\n', scanned, _end - scanned);
                if (lf >= 0)
                {
                    var length = lf - _start;
                    if (length > 0 && _buffer[lf - 1] == (byte)'\r')
                    {
                        length--;
                    }
                    var line = Encoding.ASCII.GetString(_buffer, _start, length);
                    _start = lf + 1;
                    return line;
                }
                scanned = _end;
                if (_start > 0)
                {
                    // make room: keep the unread part at the front
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    scanned -= _start;
                    _end -= _start;
                    _start = 0;
                }
                if (_end == _buffer.Length)
                {
                    throw new InvalidDataException($"The engine sent a response header line longer than {BufferSize} bytes.");
                }
                var n = await _stream.ReadAsync(_buffer, _end, _buffer.Length - _end, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    if (_end == _start)
                    {
                        return null;
                    }
                    throw new EndOfStreamException("The engine closed the connection in the middle of a response header.");
                }
                _end += n;
            }
        }

        /// <summary>
        /// True when an idle connection can carry another request: nothing unread, and the peer has not
        /// closed it (a readable idle socket means end of stream or bytes nobody asked for).
        /// </summary>
        public bool CanBeReused()
        {
            if (IsDisposed || Buffered > 0)
            {
                return false;
            }
            if (_socket is null)
            {
                return true; // a pipe: a stale one fails on first use, and the request is retried
            }
            try
            {
                return !_socket.Poll(0, SelectMode.SelectRead);
            }
            catch (Exception e) when (e is SocketException || e is ObjectDisposedException)
            {
                return false;
            }
        }

        /// <summary>
        /// Ends the sending half (stdin's end of file for a hijacked exec) while the answer is still
        /// read: shutdown(SHUT_WR) on a socket, close_notify on TLS, a zero-length message on a pipe.
        /// </summary>
        public async Task CloseWriteAsync()
        {
            if (_stream is SslStream ssl)
            {
                // SslStream.ShutdownAsync exists on .NET Core 2.1+ only (not in netstandard2.0's surface).
                if (ssl.GetType().GetMethod("ShutdownAsync", Type.EmptyTypes)?.Invoke(ssl, null) is Task shutdown)
                {
                    await shutdown.ConfigureAwait(false);
                }
                return;
            }
            if (_socket is not null)
            {
                _socket.Shutdown(SocketShutdown.Send);
                return;
            }
            if (_stream is PipeStream pipe)
            {
                PipeCloseWrite.Send(pipe);
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
            try
            {
                _stream.Dispose();
            }
            catch (Exception)
            {
                // closing a broken stream can throw; it is closed all the same
            }
            try
            {
                _socket?.Dispose();
            }
            catch (Exception)
            {
            }
        }

        /// <summary>
        /// The engine's named pipe is in message mode: a zero-byte write is the writer's end of file
        /// (what the docker CLI sends). .NET skips zero-byte writes, so WriteFile is called directly.
        /// </summary>
#pragma warning disable CA1416 // named pipes: Windows only, and only reached there
        private static class PipeCloseWrite
        {
            public static void Send(PipeStream pipe)
            {
                using var done = new ManualResetEvent(false);
                var overlapped = new NativeOverlapped
                {
                    // the low bit: do not queue this completion to the pipe's completion port
                    EventHandle = new IntPtr(done.SafeWaitHandle.DangerousGetHandle().ToInt64() | 1),
                };
                if (WriteFile(pipe.SafePipeHandle, IntPtr.Zero, 0, IntPtr.Zero, ref overlapped) == 0)
                {
                    var error = Marshal.GetLastWin32Error();
                    const int ioPending = 997;
                    if (error != ioPending || GetOverlappedResult(pipe.SafePipeHandle, ref overlapped, out _, 1) == 0)
                    {
                        throw new IOException($"Could not end the input on the engine's pipe (error {Marshal.GetLastWin32Error()}).");
                    }
                }
            }

            [DllImport("kernel32.dll", SetLastError = true)]
            private static extern int WriteFile(SafeHandle handle, IntPtr buffer, int count, IntPtr written, ref NativeOverlapped overlapped);

            [DllImport("kernel32.dll", SetLastError = true)]
            private static extern int GetOverlappedResult(SafeHandle handle, ref NativeOverlapped overlapped, out int transferred, int wait);
        }
#pragma warning restore CA1416
    }

    /// <summary>Opening a connection failed: nothing was sent, the engine cannot be reached.</summary>
    internal sealed class EngineConnectException : IOException
    {
        public EngineConnectException(string message, Exception? inner) : base(message, inner) { }
    }

    /// <summary>Opens connections to one engine address.</summary>
    internal static class Dialer
    {
        /// <summary>How long a named pipe that exists but is busy is waited for.</summary>
        private const int PipeConnectTimeoutMs = 5000;

        public static async Task<HttpConnection> ConnectAsync(ApiTarget target, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            switch (target.Scheme)
            {
                case "unix":
                    return await ConnectSocketAsync(target, UnixEndPoint(target.Path!) ??
                        throw new EngineConnectException("This .NET runtime has no unix domain sockets.", null), AddressFamily.Unix, ct).ConfigureAwait(false);
                case "tcp" when target.Tls is null:
                    return await ConnectSocketAsync(target, new System.Net.DnsEndPoint(target.HostName!, target.Port), AddressFamily.InterNetworkV6, ct).ConfigureAwait(false);
                case "tcp":
                    return await ConnectTlsAsync(target, ct).ConfigureAwait(false);
                case "npipe":
                    return await ConnectPipeAsync(target, ct).ConfigureAwait(false);
                default:
                    throw new EngineConnectException($"'{target.Scheme}://' addresses are not reached through the Engine API transport.", null);
            }
        }

        private static async Task<HttpConnection> ConnectSocketAsync(ApiTarget target, System.Net.EndPoint endPoint, AddressFamily family, CancellationToken ct)
        {
            var socket = family == AddressFamily.Unix
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using (ct.Register(() => socket.Dispose()))
                {
                    await Task.Factory.FromAsync(socket.BeginConnect, socket.EndConnect, endPoint, null).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                socket.Dispose();
                throw new EngineConnectException(Describe(e), e);
            }
            catch (Exception)
            {
                socket.Dispose();
                throw new OperationCanceledException(ct);
            }
            return new HttpConnection(new NetworkStream(socket, ownsSocket: true), socket);
        }

        private static async Task<HttpConnection> ConnectTlsAsync(ApiTarget target, CancellationToken ct)
        {
            var tls = target.Tls!;
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            SslStream? ssl = null;
            try
            {
                using (ct.Register(() => socket.Dispose()))
                {
                    try
                    {
                        await Task.Factory.FromAsync(socket.BeginConnect, socket.EndConnect, (System.Net.EndPoint)new System.Net.DnsEndPoint(target.HostName!, target.Port), null).ConfigureAwait(false);
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        throw new EngineConnectException(Describe(e), e);
                    }
                    ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), false, tls.ValidateServer, tls.SelectClientCertificate);
                    try
                    {
                        await ssl.AuthenticateAsClientAsync(target.HostName!, tls.ClientCertificates, System.Security.Authentication.SslProtocols.None, false).ConfigureAwait(false);
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        throw new EngineConnectException("The TLS handshake failed: " + (e.InnerException?.Message ?? e.Message), e);
                    }
                }
            }
            catch (Exception)
            {
                ssl?.Dispose();
                socket.Dispose();
                ct.ThrowIfCancellationRequested();
                throw;
            }
            return new HttpConnection(ssl!, socket);
        }

        private static async Task<HttpConnection> ConnectPipeAsync(ApiTarget target, CancellationToken ct)
        {
            var pipe = new NamedPipeClientStream(target.HostName ?? ".", target.Path!, PipeDirection.InOut, PipeOptions.Asynchronous);
            try
            {
                await pipe.ConnectAsync(PipeConnectTimeoutMs, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                pipe.Dispose();
                throw new EngineConnectException(e is TimeoutException ? $"The pipe did not accept a connection within {PipeConnectTimeoutMs / 1000} s (is the engine running?)." : Describe(e), e);
            }
            catch (Exception)
            {
                pipe.Dispose();
                throw;
            }
            return new HttpConnection(pipe, null);
        }

        private static string Describe(Exception e) => e is SocketException s
            ? s.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused (no engine listens there)",
                SocketError.AddressNotAvailable => "no such socket",
                SocketError.AccessDenied => "permission denied",
                _ => s.Message,
            }
            : e.Message;

        // UnixDomainSocketEndPoint exists on every .NET Core runtime but not in netstandard2.0's surface.
        private static readonly Type? UnixEndPointType =
            Type.GetType("System.Net.Sockets.UnixDomainSocketEndPoint, System.Net.Sockets") ??
            typeof(Socket).Assembly.GetType("System.Net.Sockets.UnixDomainSocketEndPoint");

        public static bool HasUnixSockets => UnixEndPointType is not null;

        private static System.Net.EndPoint? UnixEndPoint(string path)
        {
            try
            {
                return UnixEndPointType is null ? null : (System.Net.EndPoint?)Activator.CreateInstance(UnixEndPointType, path);
            }
            catch (TargetInvocationException e)
            {
                throw new EngineConnectException($"'{path}' is not a usable socket path: {e.InnerException?.Message}", e.InnerException);
            }
        }
    }
}
