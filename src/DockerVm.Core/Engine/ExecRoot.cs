using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Engine
{
    /// <summary>
    /// Finds, and ends, every process one exec started inside the container (both transports).
    ///
    /// Each exec's process is its own session leader in the container (runc calls setsid), and the
    /// processes it starts stay in that session, whatever they do to their environment (env -i),
    /// and after their parent is gone. So the exec runs through a thin wrapper, the image's sh,
    /// that reports its own pid (the session's id) as the first line of stderr and then execs the
    /// command: same pid, same argv, stdin, stdout, stderr and exit code, and no variable of ours in
    /// the command's environment. The preamble is taken out of the stream (<see cref="LineSink.ExpectPreamble"/>).
    /// The kill, a second exec as root, sends TERM to every process of that session (and of the
    /// sessions its processes started), then KILL after a short grace.
    ///
    /// Without sh (or when the command is not found, so that the engine reports it as it always
    /// does), the wrapper prints nothing and the exec is run again as given, with the marker
    /// variable <see cref="DockerCommands.ExecMarkerVariable"/>: the kill then ends the sessions of
    /// the processes that carry it (as before: a process that cleared its environment escapes).
    /// </summary>
    internal sealed class ExecRoot
    {
        /// <summary>How long the processes have between TERM and KILL.</summary>
        public const int GraceTenths = 10;

        private readonly TaskCompletionSource<bool> _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private GateObserver? _gate;

        public ExecRoot(bool wrapped)
        {
            Marker = Guid.NewGuid().ToString("N");
            Wrapped = wrapped;
        }

        /// <summary>Tags the exec's processes when there is no wrapper (and the wrapper until it execs).</summary>
        public string Marker { get; }

        /// <summary>Whether the command runs through the sh wrapper.</summary>
        public bool Wrapped { get; }

        /// <summary>The first stderr line of a wrapped exec begins with this.</summary>
        public string Prefix => "DOCKERVM_EXEC " + Marker + " ";

        /// <summary>The exec's pid in the container (its session id), once the wrapper reported it.</summary>
        public int? Pid { get; private set; }

        /// <summary>Its start time (clock ticks since boot), to tell it from a later process with the same pid.</summary>
        public long? StartTicks { get; private set; }

        /// <summary>Completes when the wrapper reported the pid: the command is about to run.</summary>
        public Task Seen => _seen.Task;

        /// <summary>
        /// Runs an exec (<paramref name="once"/>, one transport's) through the wrapper; when the wrapper did not
        /// run the command (no sh, or a command sh cannot find), once more as given, so the engine says what is wrong.
        /// </summary>
        public static async Task<ExecOutcome> RunAsync(string target, ExecSpec spec, Func<CancellationToken, Task<ContainerInfo?>> inspect,
            Func<ExecRoot, Task<ExecOutcome>> once, CancellationToken ct)
        {
            var root = await ShellKeepsEnvironmentAsync(target, spec, inspect, ct).ConfigureAwait(false) ? new ExecRoot(wrapped: true) : new ExecRoot(wrapped: false);
            var outcome = await once(root).ConfigureAwait(false);
            if (root.NeedsRetry(outcome.ExitCode))
            {
                Failed(target, outcome.StandardError);
                return await once(new ExecRoot(wrapped: false)).ConfigureAwait(false);
            }
            root.Release();
            return outcome;
        }

        /// <summary>The command to run: the user's own, or the wrapper around it.</summary>
        public IReadOnlyList<string> Command(ExecSpec spec)
        {
            var command = new[] { spec.Command }.Concat(spec.Arguments);
            return Wrapped ? new[] { "sh", "-c", WrapperScript(Prefix), "sh" }.Concat(command).ToList() : command.ToList();
        }

        /// <summary>
        /// The wrapper: a command sh does not find prints nothing (the engine then reports it, run as
        /// given); otherwise the preamble (pid, start time), the marker dropped, exec.
        /// </summary>
        internal static string WrapperScript(string prefix) =>
            "command -v -- \"$1\" >/dev/null 2>&1 || exit 127; " +
            "{ read -r s < /proc/$$/stat; } 2>/dev/null; " +
            "p() { printf '%s%s %s\\n' '" + prefix + "' \"$$\" \"${20}\" >&2; }; p ${s##*\") \"}; " +
            "unset " + DockerCommands.ExecMarkerVariable + "; exec \"$@\"";

        /// <summary>The wrapper's first line: records the pid.</summary>
        public void OnPreamble(string line)
        {
            var words = line.Substring(Prefix.Length).Split(' ');
            if (words.Length >= 1 && int.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1)
            {
                Pid = pid;
                StartTicks = words.Length >= 2 && long.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;
            }
            _seen.TrySetResult(true);
        }

        /// <summary>
        /// A wrapped exec that ended without the preamble never ran the command (no sh, a command sh
        /// does not find, a working directory or user the engine refused): run it again as given.
        /// </summary>
        public bool NeedsRetry(int exitCode) => Wrapped && !Seen.IsCompleted && exitCode != 0;

        // Containers whose image has no sh (by id): their execs skip the wrapper.
        private static readonly ConcurrentDictionary<string, bool> NoShell = new(StringComparer.Ordinal);

        // What a shell keeps in the environment it passes on: a variable whose name it cannot read
        // (spring.profiles.active, 1X) is dropped by sh on exec (busybox ash, dash), so the wrapper
        // would take it from the command. Such execs run unwrapped (marker kill).
        private static readonly System.Text.RegularExpressions.Regex ShellName = new(@"\A[A-Za-z_][A-Za-z0-9_]*\z");

        private static readonly System.Text.RegularExpressions.Regex ContainerId = new(@"\A[0-9a-f]{64}\z");

        // Containers (by id) whose own environment (Config.Env, fixed at create) has only names sh keeps.
        private static readonly ConcurrentDictionary<string, bool> ShellSafe = new(StringComparer.Ordinal);

        /// <summary>
        /// Whether sh would pass the exec's whole environment on: the exec's own variables, and the
        /// container's (read once per container and remembered: it cannot change after create).
        /// </summary>
        internal static async Task<bool> ShellKeepsEnvironmentAsync(string target, ExecSpec spec, Func<CancellationToken, Task<ContainerInfo?>> inspect, CancellationToken ct)
        {
            if (NoShell.ContainsKey(target) || !spec.Environment.Keys.All(k => ShellName.IsMatch(k)))
            {
                return false;
            }
            if (!ShellSafe.TryGetValue(target, out var safe))
            {
                var info = await inspect(ct).ConfigureAwait(false);
                safe = info?.EnvironmentNames?.All(n => ShellName.IsMatch(n)) ?? true;
                if (ContainerId.IsMatch(target))
                {
                    ShellSafe[target] = safe; // only by id: a name can be taken by another container later
                }
            }
            return safe;
        }

        /// <summary>A wrapped exec that did not run: remembers a container without sh.</summary>
        public static void Failed(string target, string engineText)
        {
            if (SaysNoShell(engineText))
            {
                NoShell[target] = true;
            }
        }

        /// <summary>Whether the engine's own words say the image has no sh (the wrapper is then skipped for this container).</summary>
        public static bool SaysNoShell(string text) =>
            text.IndexOf("\"sh\"", StringComparison.Ordinal) >= 0 &&
            (text.IndexOf("not found", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("no such file", StringComparison.OrdinalIgnoreCase) >= 0);

        /// <summary>The kill, run as root in the container: sh -c SCRIPT.</summary>
        public IReadOnlyList<string> KillCommand() => new[] { "sh", "-c", KillScript(Pid, StartTicks, Marker) };

        /// <summary>
        /// The sessions to end: the recorded root's (when /proc/PID is still that process, or gone:
        /// its pid cannot be reused while its session has members), and those of the processes that
        /// carry the marker; then the sessions of any process whose parent is in one (a daemon's
        /// setsid). TERM to all, up to a second for them to go, then KILL to what is left. Shell
        /// builtins but grep and sleep; never this script's own session, pid 1's, or 0.
        /// </summary>
        internal static string KillScript(int? pid, long? start, string marker) =>
            "me=$$; sids=; r=" + pid?.ToString(CultureInfo.InvariantCulture) + "; t=" + start?.ToString(CultureInfo.InvariantCulture) + "\n" +
            "f() { l=; read -r l < \"$1/stat\" 2>/dev/null; l=${l##*\") \"}; }\n" +
            "add() { case \" 0 1 $me $sids \" in *\" $1 \"*) ;; *) sids=\"$sids $1\"; grew=1;; esac; }\n" +
            "if [ -n \"$r\" ]; then f /proc/$r; if [ -z \"$l\" ]; then add $r; else set -- $l; [ -n \"$t\" ] && [ \"${20}\" != \"$t\" ] || add $r; fi; fi\n" +
            "for p in /proc/[0-9]*; do grep -q \"" + DockerCommands.ExecMarkerVariable + "=" + marker + "\" \"$p/environ\" 2>/dev/null || continue; f $p; [ -n \"$l\" ] && set -- $l && add $4; done\n" +
            "members() { pids=; grew=1; n=0; while [ $grew = 1 ] && [ $n -lt 8 ]; do grew=0; n=$((n+1)); pids=\n" +
            "  for p in /proc/[0-9]*; do f $p; [ -n \"$l\" ] || continue; set -- $l; [ \"$1\" = Z ] && continue; case \" $sids \" in *\" $4 \"*) pids=\"$pids ${p#/proc/}\";; esac; done\n" +
            "  for p in /proc/[0-9]*; do f $p; [ -n \"$l\" ] || continue; set -- $l; case \" $pids \" in *\" $2 \"*) add $4;; esac; done\n" +
            "done; }\n" +
            "[ -n \"$sids\" ] || exit 0\n" +
            "members; [ -n \"$pids\" ] || exit 0; kill -TERM $pids 2>/dev/null\n" +
            "i=0; while [ $i -lt " + GraceTenths.ToString(CultureInfo.InvariantCulture) + " ]; do sleep 0.1 2>/dev/null || sleep 1; members; [ -n \"$pids\" ] || exit 0; i=$((i+1)); done\n" +
            "kill -KILL $pids 2>/dev/null; true\n";

        /// <summary>How long a cancelled exec still waits for the wrapper's preamble (so that the kill knows the pid).</summary>
        public static readonly TimeSpan PreambleWait = TimeSpan.FromSeconds(1);

        /// <summary>
        /// The token the exec's stream runs under: cancelled with <paramref name="ct"/>, but a wrapped
        /// exec's not before its preamble came (or <see cref="PreambleWait"/> passed): the pid is what the kill needs.
        /// </summary>
        public Grace Follow(CancellationToken ct) => new(this, ct);

        public sealed class Grace : IDisposable
        {
            private readonly CancellationTokenSource _cts = new();
            private readonly CancellationTokenRegistration _registration;
            private int _disposed;

            internal Grace(ExecRoot root, CancellationToken ct)
            {
                _registration = ct.Register(() =>
                {
                    if (!root.Wrapped || root.Seen.IsCompleted)
                    {
                        Cancel();
                        return;
                    }
                    _ = root.Seen.ContinueWith(_ => Cancel(), TaskScheduler.Default);
                    _ = Task.Delay(PreambleWait).ContinueWith(_ => Cancel(), TaskScheduler.Default);
                });
            }

            public CancellationToken Token => _cts.Token;

            private void Cancel()
            {
                lock (_cts)
                {
                    if (_disposed == 0)
                    {
                        _cts.Cancel();
                    }
                }
            }

            public void Dispose()
            {
                _registration.Dispose();
                lock (_cts)
                {
                    _disposed = 1;
                }
                _cts.Dispose();
            }
        }

        /// <summary>
        /// Holds a wrapped exec's output back until the preamble came (the command runs from then on):
        /// what came before is the engine's or sh's word about a failed start, and the exec is run again.
        /// </summary>
        public IExecObserver? Gate(IExecObserver? observer)
        {
            if (observer is null || !Wrapped)
            {
                return observer;
            }
            var gate = new GateObserver(this, observer);
            _gate = gate;
            _ = Seen.ContinueWith(_ => gate.Flush(), TaskScheduler.Default);
            return gate;
        }

        /// <summary>The exec ended and is not run again: whatever was held back is the command's after all.</summary>
        public void Release() => _gate?.Flush();

        private sealed class GateObserver : IExecObserver
        {
            private readonly ExecRoot _root;
            private readonly IExecObserver _inner;
            private readonly object _lock = new();
            private List<(bool Err, string Line)>? _held = new();

            public GateObserver(ExecRoot root, IExecObserver inner)
            {
                _root = root;
                _inner = inner;
            }

            public void OnStandardOutput(string line) => Pass(false, line);

            public void OnStandardError(string line) => Pass(true, line);

            private void Pass(bool err, string line)
            {
                lock (_lock)
                {
                    if (_held is not null && !_root.Seen.IsCompleted)
                    {
                        _held.Add((err, line));
                        return;
                    }
                    Release();
                    Send(err, line);
                }
            }

            /// <summary>Sends what was held back, once the command runs.</summary>
            public void Flush()
            {
                lock (_lock)
                {
                    Release();
                }
            }

            private void Release()
            {
                if (_held is { } held)
                {
                    _held = null;
                    foreach (var (e, l) in held)
                    {
                        Send(e, l);
                    }
                }
            }

            private void Send(bool err, string line)
            {
                if (err)
                {
                    _inner.OnStandardError(line);
                }
                else
                {
                    _inner.OnStandardOutput(line);
                }
            }
        }
    }
}
