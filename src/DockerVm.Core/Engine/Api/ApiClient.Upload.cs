using System;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Engine.Api
{
    /// <summary>A failure on the host's side of an upload (a file that cannot be read): never a broken connection.</summary>
    internal sealed class UploadSourceException : Exception
    {
        public UploadSourceException(DockerVmException failure) : base(failure.Message, failure) => Failure = failure;
        public DockerVmException Failure { get; }
    }

    internal sealed partial class ApiClient
    {
        /// <summary>
        /// Sends a request whose body is written by <paramref name="writeBody"/> as it goes (chunked
        /// transfer encoding: a tar of any size in constant memory), on a new connection, while the
        /// answer is read at the same time: an engine that refuses the request before it has read the
        /// whole body (a missing folder) is heard, not taken for a broken connection. A body the writer
        /// could not finish (<see cref="UploadSourceException"/>) closes the connection, and its failure is thrown.
        /// The connection is never kept after an upload that did not finish.
        /// </summary>
        public async Task<ApiResponse> SendStreamingAsync(string method, string path, string contentType, Func<Stream, CancellationToken, Task> writeBody, CancellationToken ct)
        {
            var head = new StringBuilder(256)
                .Append(method).Append(' ').Append(path).Append(" HTTP/1.1\r\n")
                .Append("Host: ").Append(Target.HostHeader).Append("\r\n")
                .Append("User-Agent: DockerVm\r\n")
                .Append("Content-Type: ").Append(contentType).Append("\r\n")
                .Append("Transfer-Encoding: chunked\r\n\r\n");
            var headBytes = Encoding.ASCII.GetBytes(head.ToString());
            var connection = await Dialer.ConnectAsync(Target, ct).ConfigureAwait(false);
            try
            {
                using (ct.Register(connection.Dispose))
                {
                    await connection.WriteAsync(headBytes, 0, headBytes.Length, ct).ConfigureAwait(false);
                    var answer = ReadHeadAsync(connection, ct);
                    Exception? uploadError = null;
                    try
                    {
                        var body = new ChunkedBodyStream(connection);
                        await writeBody(body, ct).ConfigureAwait(false);
                        await body.EndAsync(ct).ConfigureAwait(false);
                    }
                    catch (UploadSourceException e)
                    {
                        connection.Dispose();
                        _ = answer.ContinueWith(t => t.Exception, TaskScheduler.Default); // observed: the connection is gone
                        throw e.Failure;
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested && (e is IOException || e is SocketException || e is ObjectDisposedException))
                    {
                        // The engine may have answered (and stopped reading) before the body's end: its answer tells why.
                        uploadError = e;
                    }
                    (int Status, string Reason, System.Collections.Generic.Dictionary<string, string> Headers, bool Http10) h;
                    try
                    {
                        h = await answer.ConfigureAwait(false);
                    }
                    catch (Exception) when (uploadError is not null && !ct.IsCancellationRequested)
                    {
                        throw uploadError;
                    }
                    if (uploadError is not null && h.Status < 300)
                    {
                        throw uploadError;
                    }
                    // Not kept after an unfinished upload: the engine's side of the exchange is unknown.
                    return new ApiResponse(this, connection, method, path, h.Status, h.Reason, h.Headers, h.Http10 || uploadError is not null);
                }
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

        /// <summary>The request body as HTTP/1.1 chunks of up to 64 KiB, written to the connection as they fill.</summary>
        private sealed class ChunkedBodyStream : Stream
        {
            private const int ChunkSize = 64 * 1024;
            private static readonly byte[] Crlf = { (byte)'\r', (byte)'\n' };
            private static readonly byte[] Last = Encoding.ASCII.GetBytes("0\r\n\r\n");
            private readonly HttpConnection _connection;
            private readonly byte[] _chunk = new byte[ChunkSize];
            private int _fill;

            public ChunkedBodyStream(HttpConnection connection) => _connection = connection;

            public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
            {
                while (count > 0)
                {
                    var n = Math.Min(count, ChunkSize - _fill);
                    Buffer.BlockCopy(buffer, offset, _chunk, _fill, n);
                    _fill += n;
                    offset += n;
                    count -= n;
                    if (_fill == ChunkSize)
                    {
                        await SendChunkAsync(ct).ConfigureAwait(false);
                    }
                }
            }

            public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask; // a chunk leaves when full, or at the end

            public async Task EndAsync(CancellationToken ct)
            {
                await SendChunkAsync(ct).ConfigureAwait(false);
                await _connection.WriteAsync(Last, 0, Last.Length, ct).ConfigureAwait(false);
                await _connection.FlushAsync(ct).ConfigureAwait(false);
            }

            private async Task SendChunkAsync(CancellationToken ct)
            {
                if (_fill == 0)
                {
                    return;
                }
                var size = Encoding.ASCII.GetBytes(_fill.ToString("x", CultureInfo.InvariantCulture) + "\r\n");
                await _connection.WriteAsync(size, 0, size.Length, ct).ConfigureAwait(false);
                await _connection.WriteAsync(_chunk, 0, _fill, ct).ConfigureAwait(false);
                await _connection.WriteAsync(Crlf, 0, Crlf.Length, ct).ConfigureAwait(false);
                _fill = 0;
            }

            public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
            public override void Flush() { }
            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }

    /// <summary>A response's body as a read-only stream (for the tar reader).</summary>
    internal sealed class ApiResponseStream : Stream
    {
        private readonly ApiResponse _response;

        public ApiResponseStream(ApiResponse response) => _response = response;

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => _response.ReadAsync(buffer, offset, count, ct);

        public override int Read(byte[] buffer, int offset, int count) => _response.ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
