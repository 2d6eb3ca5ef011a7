using System;
using System.Collections.Generic;
using System.Linq;
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
    /// What -Verbose and error messages leave out of a command that -WhatIf and -Confirm show whole:
    /// DockerVm's own labels (<see cref="Labels.IsOwn"/>) and its own variables (DOCKERVM_*, the exec
    /// marker). They are bookkeeping, not what the user asked for; the user's labels and the
    /// (masked) environment stay.
    /// </summary>
    public static class TraceView
    {
        /// <summary>Whether `<paramref name="flag"/> KEY=VALUE` is left out of the trace.</summary>
        public static bool Hides(string flag, string key) => flag switch
        {
            "--label" or "-l" => Labels.IsOwn(key),
            "--env" or "-e" => key.StartsWith("DOCKERVM_", StringComparison.Ordinal),
            _ => false,
        };

        /// <summary>The request as the trace describes it: without DockerVm's own labels.</summary>
        public static EngineRequest Of(EngineRequest request) => request switch
        {
            CreateRequest c => new CreateRequest(c.Spec.WithLabels(UserLabels(c.Spec.Labels))),
            CommitRequest c => new CommitRequest(c.Target, c.Spec.WithLabels(UserLabels(c.Spec.Labels))),
            _ => request,
        };

        private static IReadOnlyDictionary<string, string> UserLabels(IReadOnlyDictionary<string, string> labels) =>
            labels.Where(kv => !Labels.IsOwn(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
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
