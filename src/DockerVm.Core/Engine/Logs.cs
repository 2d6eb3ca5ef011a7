using System;
using System.Globalization;

namespace DockerVm.Engine
{
    /// <summary>Which of the container's output streams a log line was written to.</summary>
    public enum LogStream
    {
        Stdout,
        Stderr,
    }

    /// <summary>
    /// Which log lines a <see cref="IDockerEngine.StreamLogsAsync"/> asks for. A transport always
    /// asks the engine for timestamps (docker logs --timestamps, ?timestamps=1) and hands them over
    /// parsed, apart from the text.
    /// </summary>
    public sealed class LogRequest
    {
        /// <summary>Only the last this many lines (of those written since <see cref="Since"/>); null: all.</summary>
        public int? Tail { get; init; }

        /// <summary>Only lines written at or after this time (UTC; a local or unspecified time is converted); null: from the start.</summary>
        public DateTime? Since { get; init; }

        /// <summary>Keep streaming new lines until the container stops (or the call is cancelled).</summary>
        public bool Follow { get; init; }
    }

    /// <summary>
    /// Where log lines go while they stream: each complete line, in order, as it comes. Called on
    /// the transport's reader threads: an observer only queues, it never blocks for long.
    /// </summary>
    public interface ILogObserver
    {
        /// <param name="stream">stdout or stderr of the container's main process.</param>
        /// <param name="timestamp">When the engine received the line (UTC), when it said.</param>
        /// <param name="text">The line without its timestamp and line end.</param>
        void OnLine(LogStream stream, DateTime? timestamp, string text);
    }

    /// <summary>
    /// The engine's timestamped log line format, "2024-05-01T10:00:00.123456789Z text" (RFC 3339
    /// with nanoseconds, one space, the text), which both the CLI (docker logs --timestamps) and the
    /// Engine API (?timestamps=1) write.
    /// </summary>
    public static class LogLines
    {
        /// <summary>Splits a line into its timestamp and text; a line without a timestamp comes back whole with null.</summary>
        public static (DateTime? Timestamp, string Text) Split(string line)
        {
            var space = line.IndexOf(' ');
            var token = space < 0 ? line : line.Substring(0, space);
            if (!TryParseTimestamp(token, out var time))
            {
                return (null, line);
            }
            return (time, space < 0 ? "" : line.Substring(space + 1));
        }

        /// <summary>Parses an RFC 3339 time as the engine writes it (any number of fractional digits; .NET keeps 7), to UTC.</summary>
        public static bool TryParseTimestamp(string token, out DateTime utc)
        {
            utc = default;
            // 2024-05-01T10:00:00[.fffffffff](Z|+hh:mm)
            if (token.Length < 20 || token[4] != '-' || token[7] != '-' || token[10] != 'T' || token[13] != ':' || token[16] != ':')
            {
                return false;
            }
            var zone = token.EndsWith("Z", StringComparison.Ordinal) ? token.Length - 1 : token.LastIndexOfAny(new[] { '+', '-' });
            if (zone < 19)
            {
                return false;
            }
            var main = token.Substring(0, 19);
            var fraction = token.Substring(19, zone - 19);
            if (fraction.Length > 0)
            {
                if (fraction[0] != '.' || fraction.Length == 1)
                {
                    return false;
                }
                for (var i = 1; i < fraction.Length; i++)
                {
                    if (fraction[i] < '0' || fraction[i] > '9')
                    {
                        return false;
                    }
                }
                // .NET holds 100 ns: keep 7 digits (truncated, so a line is never dated after it was written).
                fraction = fraction.Length > 8 ? fraction.Substring(0, 8) : fraction;
            }
            var offset = token.Substring(zone);
            var text = main + fraction + (offset == "Z" ? "+00:00" : offset);
            if (!DateTimeOffset.TryParseExact(text, new[] { "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:sszzz" },
                    CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                return false;
            }
            utc = parsed.UtcDateTime;
            return true;
        }

        /// <summary>A time as the engine takes it for --since: RFC 3339 in UTC with 100 ns precision.</summary>
        public static string FormatSince(DateTime time) =>
            ToUtc(time).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

        /// <summary>UTC; a local or unspecified time is taken as local.</summary>
        public static DateTime ToUtc(DateTime time) => time.Kind == DateTimeKind.Utc ? time : time.ToUniversalTime();
    }
}
