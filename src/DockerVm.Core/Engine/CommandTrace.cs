using System;
using System.Threading;

namespace DockerVm.Engine
{
    /// <summary>One engine command as the log sees it (secrets already masked).</summary>
    public sealed class CommandTraceEvent
    {
        public CommandTraceEvent(string phase, string commandLine, TimeSpan? duration = null, int? exitCode = null, string? detail = null, string? answer = null)
        {
            Phase = phase;
            CommandLine = commandLine;
            Duration = duration;
            ExitCode = exitCode;
            Detail = detail;
            Answer = answer;
        }

        /// <summary>issued, completed or failed.</summary>
        public string Phase { get; }
        public string CommandLine { get; }
        public TimeSpan? Duration { get; }
        public int? ExitCode { get; }
        /// <summary>The tail of stderr for a failure.</summary>
        public string? Detail { get; }
        /// <summary>What a transport without exit codes got instead (the API's "HTTP 204"); shown in place of the exit code.</summary>
        public string? Answer { get; }

        private string Outcome => Answer ?? $"exit {ExitCode}";

        private string Short => CommandLine.Length <= 72 ? CommandLine : CommandLine.Substring(0, 71) + "…";

        public override string ToString() => Phase switch
        {
            "issued" => $"> {CommandLine}",
            "completed" => $"< {Duration?.TotalMilliseconds:0} ms, {Outcome}: {Short}",
            _ => $"< {Duration?.TotalMilliseconds:0} ms, FAILED ({Answer ?? "exit " + (ExitCode?.ToString() ?? "none")}): {Short}{(string.IsNullOrEmpty(Detail) ? "" : " -- " + Detail)}",
        };
    }

    /// <summary>
    /// The logger of engine commands. It flows with the async call, so each cmdlet sees the
    /// commands issued on its behalf, whatever thread they complete on.
    /// </summary>
    public static class CommandTrace
    {
        private static readonly AsyncLocal<Action<CommandTraceEvent>?> Sink = new();

        /// <summary>Routes the trace of commands issued from here on (in this async flow) to <paramref name="sink"/>.</summary>
        public static IDisposable Begin(Action<CommandTraceEvent> sink)
        {
            var previous = Sink.Value;
            Sink.Value = sink;
            return new Restore(previous);
        }

        internal static void Emit(CommandTraceEvent e) => Sink.Value?.Invoke(e);

        private sealed class Restore : IDisposable
        {
            private readonly Action<CommandTraceEvent>? _previous;
            public Restore(Action<CommandTraceEvent>? previous) => _previous = previous;
            public void Dispose() => Sink.Value = _previous;
        }
    }
}
