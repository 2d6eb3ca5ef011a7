using System;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Readiness
{
    /// <summary>
    /// Is there a log line (stdout or stderr), written since the VM last started, that matches the
    /// pattern? A regex, case-insensitive as PowerShell's -match (use (?-i) for case). Each round
    /// reads only the lines written since the last one it saw, so a chatty VM costs no more per round.
    /// </summary>
    public sealed class UntilLogMatches : ReadinessCheck
    {
        private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);
        private readonly Regex _pattern;
        private DateTime? _startedAt;
        private DateTime? _since;
        private bool _any;

        /// <exception cref="ArgumentException">The pattern is not a valid regular expression.</exception>
        public UntilLogMatches(string pattern)
        {
            Pattern = pattern ?? throw new ArgumentNullException(nameof(pattern));
            _pattern = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout);
        }

        public string Pattern { get; }

        public override string WaitsFor => $"a log line matching '{Pattern}'";

        public override async Task<bool> IsReadyAsync(ReadinessTarget vm, ContainerInfo seen, CancellationToken ct)
        {
            if (seen.State.StartedAt != _startedAt)
            {
                // (re)started: only what this run of the VM writes counts
                _startedAt = seen.State.StartedAt;
                _since = _startedAt;
                _any = false;
            }
            var observer = new Matcher(_pattern);
            await vm.Engine.StreamLogsAsync(vm.ContainerId, new LogRequest { Since = _since }, observer, ct).ConfigureAwait(false);
            if (observer.Last is { } last)
            {
                _any = true;
                // The next round reads from there on: each stream's lines come in order, so from the
                // earlier of the two streams' last times (inclusive: a line again, never a gap).
                _since = observer.ReadOn ?? _since;
                LastSeen = $"the log line {Quote(last.Text)} ({last.Stream.ToString().ToLowerInvariant()}, {Time(last.Timestamp)})";
            }
            else if (!_any)
            {
                LastSeen = $"no log line since the VM started at {Time(_startedAt)}";
            }
            return observer.Matched;
        }

        // Called on the transport's reader threads, one line at a time.
        private sealed class Matcher : ILogObserver
        {
            private readonly Regex _pattern;

            public Matcher(Regex pattern) => _pattern = pattern;

            public bool Matched { get; private set; }

            private DateTime? _lastStdout;
            private DateTime? _lastStderr;

            /// <summary>The latest line written (by the engine's time; the last to come when undated).</summary>
            public (LogStream Stream, DateTime? Timestamp, string Text)? Last { get; private set; }

            /// <summary>Where the next read starts: the earlier of the streams' last times.</summary>
            public DateTime? ReadOn =>
                _lastStdout is { } o && _lastStderr is { } e ? (o < e ? o : e) : _lastStdout ?? _lastStderr;

            // stdout and stderr are read on two threads at once.
            private readonly object _lock = new();

            public void OnLine(LogStream stream, DateTime? timestamp, string text)
            {
                lock (_lock)
                {
                    Take(stream, timestamp, text);
                }
            }

            private void Take(LogStream stream, DateTime? timestamp, string text)
            {
                if (timestamp is { } t)
                {
                    if (stream == LogStream.Stdout)
                    {
                        _lastStdout = t;
                    }
                    else
                    {
                        _lastStderr = t;
                    }
                }
                // The two streams come through two pipes: the latest line is the one with the latest time.
                if (Last is not { Timestamp: { } known } || timestamp is null || timestamp >= known)
                {
                    Last = (stream, timestamp, text);
                }
                if (Matched)
                {
                    return;
                }
                try
                {
                    Matched = _pattern.IsMatch(text);
                }
                catch (RegexMatchTimeoutException)
                {
                    // a pathological pattern on this line: no match
                }
            }
        }
    }
}
