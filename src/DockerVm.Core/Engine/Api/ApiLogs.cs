using System;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine.Api;

namespace DockerVm.Engine
{
    public sealed partial class DockerApi
    {
        private static readonly DateTime UnixEpoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        /// <summary>
        /// GET /containers/{id}/logs with timestamps, as docker logs --timestamps: the multiplexed
        /// stream (the raw one of a TTY container, all stdout) split into dated lines as they come,
        /// nothing kept. -Follow reads until the engine ends the stream (the container stopped) or
        /// the caller cancels, which closes the connection at once.
        /// </summary>
        public Task StreamLogsAsync(string target, LogRequest request, ILogObserver observer, CancellationToken ct) =>
            SendAsync(new Call("logs", "GET", LogsPath(target, request), target, null), async (r, t) =>
            {
                if (r.Status != 200)
                {
                    throw Map("logs", r, await MessageAsync(r, t).ConfigureAwait(false), target);
                }
                // A line ends at \n only, as docker logs' own output is read on the CLI path.
                var stdout = new LineSink(line => Deliver(observer, LogStream.Stdout, line), 0, crEndsLine: false);
                var stderr = new LineSink(line => Deliver(observer, LogStream.Stderr, line), 0, crEndsLine: false);
                bool? framed = r.ContentType.IndexOf("multiplexed", StringComparison.OrdinalIgnoreCase) >= 0 ? true : null;
                var demux = new StreamDemux((s, b, o, n) => (s == StreamDemux.Stderr || s == StreamDemux.SystemError ? stderr : stdout).Write(b, o, n), framed);
                await PumpAsync(r, demux, () => stdout.Error is not null || stderr.Error is not null, t).ConfigureAwait(false);
                if ((stdout.Error ?? stderr.Error) is { } observerError)
                {
                    ExceptionDispatchInfo.Capture(observerError).Throw();
                }
                stdout.Complete();
                stderr.Complete();
                if ((stdout.Error ?? stderr.Error) is { } lastError)
                {
                    ExceptionDispatchInfo.Capture(lastError).Throw();
                }
                return true;
            }, ct);

        private static void Deliver(ILogObserver observer, LogStream stream, string line)
        {
            var (time, text) = LogLines.Split(line);
            observer.OnLine(stream, time, text);
        }

        /// <summary>The logs request: docker logs --timestamps [--follow] [--since] [--tail] as query parameters.</summary>
        internal static string LogsPath(string target, LogRequest request)
        {
            var path = $"/containers/{Esc(target)}/logs?stdout=1&stderr=1&timestamps=1";
            if (request.Follow)
            {
                path += "&follow=1";
            }
            if (request.Since is { } since)
            {
                // The engine takes seconds[.nanoseconds] since the epoch (the CLI converts its RFC 3339 --since to this).
                var ticks = (LogLines.ToUtc(since) - UnixEpoch).Ticks;
                var seconds = Math.Max(0, ticks) / TimeSpan.TicksPerSecond;
                var nanos = Math.Max(0, ticks) % TimeSpan.TicksPerSecond * 100;
                path += "&since=" + seconds.ToString(CultureInfo.InvariantCulture) + "." + nanos.ToString("000000000", CultureInfo.InvariantCulture);
            }
            if (request.Tail is { } tail)
            {
                path += "&tail=" + Math.Max(0, tail).ToString(CultureInfo.InvariantCulture);
            }
            return path;
        }
    }
}
