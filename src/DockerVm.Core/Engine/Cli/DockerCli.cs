using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Engine
{
    /// <summary>
    /// The CLI transport: every request runs as one docker command (through <see cref="ProcessRunner"/>,
    /// the same code on every build: see docs/cliwrap-hang.md). The program is `docker`, or the one
    /// named by DOCKERVM_CLI (read at each command).
    /// </summary>
    public sealed class DockerCli : IDockerEngine, IImageCatalog
    {
        public const string CliVariable = "DOCKERVM_CLI";
        private const string OciExecFailed = "OCI runtime exec failed:";
        // What a streamed exec keeps of stderr, for the error message of a non-zero exit: the tail.
        private const int StreamedStderrKept = 64 * 1024;
        // What a log stream keeps of docker's own (undated) stderr lines, for its error message.
        private const int OwnWordsKept = 64 * 1024;

        // The ceilings are the last bound on a live but slow engine; a dead one is found by the
        // liveness probe within seconds (see WatchAsync).
        private static readonly TimeSpan QueryCeiling = TimeSpan.FromMinutes(10);
        private static readonly TimeSpan ChangeCeiling = TimeSpan.FromMinutes(10);
        /// <summary>How long a command runs before the engine is probed, and how often after that.</summary>
        private static readonly TimeSpan ProbeAfter = TimeSpan.FromSeconds(2);
        private static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(20);
        // docker create pulls a missing image itself: a large pull must not pass for a dead engine.
        private static readonly TimeSpan CreateCeiling = TimeSpan.FromMinutes(15);
        private static readonly TimeSpan GraceAfterInterrupt = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan KillExecCeiling = TimeSpan.FromSeconds(5);
        private readonly string? _program;

        public DockerCli(string? context = null, string? program = null)
        {
            Context = context ?? "";
            _program = program;
        }

        public string Context { get; }

        public string Transport => "cli: " + Program;

        /// <summary>The CLI program the next command will run.</summary>
        public string Program
        {
            get
            {
                if (!string.IsNullOrEmpty(_program))
                {
                    return _program!;
                }
                var fromEnv = Environment.GetEnvironmentVariable(CliVariable);
                return string.IsNullOrWhiteSpace(fromEnv) ? "docker" : fromEnv!;
            }
        }

        public string Describe(EngineRequest request) => DockerCommands.For(Context, request).Display(Program);

        public async Task<string> CreateAsync(CreateSpec spec, CancellationToken ct)
        {
            using var secrets = SecretEnvironment.Create(spec.Environment);
            var r = await RunAsync(new Call("create", DockerCommands.Create(Context, spec, secrets), spec.Name, CreateCeiling)
            {
                ChildEnvironment = secrets.ChildVariables,
            }, ct).ConfigureAwait(false);
            var id = r.StandardOutput.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
            return id ?? throw Failures.Unreadable(r.CommandLine, "printed no container id", spec.Name);
        }

        public Task StartAsync(string target, CancellationToken ct) =>
            RunAsync(new Call("start", DockerCommands.For(Context, new StartRequest(target)), target, ChangeCeiling), ct);

        public async Task StopAsync(string target, int graceSec, CancellationToken ct)
        {
            var request = new StopRequest(target, graceSec);
            // "is not running": already stopped, which is what was asked.
            await RunAsync(new Call("stop", DockerCommands.For(Context, request), target, ChangeCeiling + Timeouts.Seconds(request.GraceSec))
            {
                Accept = r => CliErrors.IsNotRunning(r.StandardError),
            }, ct).ConfigureAwait(false);
        }

        public Task PauseAsync(string target, CancellationToken ct) =>
            RunAsync(new Call("pause", DockerCommands.For(Context, new PauseRequest(target)), target, ChangeCeiling)
            {
                Accept = r => CliErrors.IsAlreadyPaused(r.StandardError),
            }, ct);

        public Task UnpauseAsync(string target, CancellationToken ct) =>
            RunAsync(new Call("unpause", DockerCommands.For(Context, new UnpauseRequest(target)), target, ChangeCeiling), ct);

        public async Task RemoveAsync(string target, bool force, CancellationToken ct)
        {
            var call = new Call("rm", DockerCommands.For(Context, new RemoveRequest(target, force)), target, ChangeCeiling)
            {
                Accept = r => CliErrors.IsRemoveOfRunning(r.StandardError),
            };
            var r = await RunAsync(call, ct).ConfigureAwait(false);
            if (r.ExitCode != 0)
            {
                throw Failures.RemoveRunning(target, r.CommandLine, r.StandardError);
            }
            // docker rm --force exits 0 for a container that does not exist, saying so on stderr.
            if (CliErrors.IsNoSuchContainer(r.StandardError))
            {
                throw CliErrors.Map("rm", r.CommandLine, r.ExitCode, r.StandardError, target);
            }
        }

        public async Task<IReadOnlyList<ContainerInfo>> InspectAsync(IReadOnlyList<string> targets, CancellationToken ct)
        {
            if (targets.Count == 0)
            {
                return Array.Empty<ContainerInfo>();
            }
            // docker inspect exits 1 when any name is missing, yet prints the ones it found.
            var r = await RunAsync(new Call("inspect", DockerCommands.Inspect(Context, targets), targets.Count == 1 ? targets[0] : null, QueryCeiling)
            {
                Accept = res => OnlyMissing(res.StandardError),
            }, ct).ConfigureAwait(false);
            try
            {
                return ContainerInfo.ParseArray(r.StandardOutput);
            }
            catch (Exception e) when (e is FormatException || e is System.Text.Json.JsonException)
            {
                throw Failures.Unreadable(r.CommandLine, "printed output that is not inspect JSON", null, e);
            }
        }

        /// <summary>One `ps` and one `inspect`, however many containers.</summary>
        public async Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyList<string> labelFilters, CancellationToken ct) =>
            await InspectAsync(await ListIdsAsync(labelFilters, ct).ConfigureAwait(false), ct).ConfigureAwait(false);

        public async Task<IReadOnlyList<string>> ListIdsAsync(IReadOnlyList<string> labelFilters, CancellationToken ct)
        {
            var r = await RunAsync(new Call("ps", DockerCommands.ListIds(Context, labelFilters), null, QueryCeiling), ct).ConfigureAwait(false);
            return r.StandardOutput.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Distinct().ToList();
        }

        public async Task<string> LogsAsync(string target, int tail, CancellationToken ct)
        {
            var r = await RunAsync(new Call("logs", DockerCommands.Logs(Context, target, tail), target, QueryCeiling), ct).ConfigureAwait(false);
            return (r.StandardOutput + r.StandardError).TrimEnd();
        }

        public async Task StreamLogsAsync(string target, LogRequest request, ILogObserver observer, CancellationToken ct)
        {
            // docker logs writes the container's stdout to its stdout and the container's stderr to its
            // stderr, every line dated (--timestamps). On stderr, a line without a date is docker's own
            // (an error, a warning): kept, never shown as the container's.
            var own = new List<string>();
            var ownLength = 0;
            var call = new Call("logs", DockerCommands.Logs(Context, target, request), target, null)
            {
                OnStdout = line =>
                {
                    var (time, text) = LogLines.Split(line);
                    observer.OnLine(LogStream.Stdout, time, text);
                },
                OnStderr = line =>
                {
                    var (time, text) = LogLines.Split(line);
                    if (time is not null)
                    {
                        observer.OnLine(LogStream.Stderr, time, text);
                    }
                    else if (ownLength < OwnWordsKept)
                    {
                        own.Add(line);
                        ownLength += line.Length + 1;
                    }
                },
                KeepStdout = 0,
                KeepStderr = 0,
                CarriageReturnEndsLine = false,
                Accept = _ => true,
            };
            var r = await RunAsync(call, ct).ConfigureAwait(false);
            var words = string.Join("\n", own);
            if (r.ExitCode != 0)
            {
                throw CliErrors.Map("logs", r.CommandLine, r.ExitCode, words, target);
            }
            // Exit 0 with undated stderr: docker warned about something; the lines are still the log's.
            foreach (var line in own)
            {
                observer.OnLine(LogStream.Stderr, null, line);
            }
        }

        // ---- the machine toolkit: copy, checkpoints (images) ------------------------------------

        /// <summary>docker cp; bounded by the caller (a large folder takes what it takes), a dead engine by the liveness probe.</summary>
        public Task CopyAsync(string target, CopySpec spec, CancellationToken ct) =>
            RunAsync(new Call("cp", DockerCommands.Copy(Context, target, spec), target, null), ct);

        public async Task<string> CommitAsync(string target, CommitSpec spec, CancellationToken ct)
        {
            var r = await RunAsync(new Call("commit", DockerCommands.Commit(Context, target, spec), target, ChangeCeiling), ct).ConfigureAwait(false);
            var id = r.StandardOutput.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
            return id ?? throw Failures.Unreadable(r.CommandLine, "printed no image id", target);
        }

        public async Task RemoveImageAsync(string reference, CancellationToken ct)
        {
            var r = await RunAsync(new Call("rmi", DockerCommands.For(Context, new RemoveImageRequest(reference)), reference, ChangeCeiling)
            {
                Accept = res => CliErrors.IsImageInUse(res.StandardError),
            }, ct).ConfigureAwait(false);
            if (r.ExitCode != 0)
            {
                throw Failures.ImageInUse(reference, r.CommandLine, r.StandardError);
            }
        }

        public Task RenameAsync(string target, string newName, CancellationToken ct) =>
            RunAsync(new Call("rename", DockerCommands.For(Context, new RenameRequest(target, newName)), newName, ChangeCeiling), ct);

        /// <summary>One `images` and one `image inspect`, however many images.</summary>
        public async Task<IReadOnlyList<ImageInfo>> ListImagesAsync(IReadOnlyList<string> labelFilters, CancellationToken ct)
        {
            var list = await RunAsync(new Call("images", DockerCommands.ListImageIds(Context, labelFilters), null, QueryCeiling), ct).ConfigureAwait(false);
            var ids = list.StandardOutput.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Distinct().ToList();
            if (ids.Count == 0)
            {
                return Array.Empty<ImageInfo>();
            }
            // An image removed between the two commands is reported on stderr; the others are printed.
            var r = await RunAsync(new Call("image", DockerCommands.InspectImages(Context, ids), null, QueryCeiling)
            {
                Accept = res => OnlyMissingImages(res.StandardError),
            }, ct).ConfigureAwait(false);
            try
            {
                return ImageInfo.ParseArray(r.StandardOutput);
            }
            catch (Exception e) when (e is FormatException || e is System.Text.Json.JsonException)
            {
                throw Failures.Unreadable(r.CommandLine, "printed output that is not image inspect JSON", null, e);
            }
        }

        private static bool OnlyMissingImages(string stderr)
        {
            var lines = stderr.Split('\n').Where(l => l.Trim().Length > 0).ToList();
            return lines.Count > 0 && lines.All(CliErrors.IsNoSuchImage);
        }

        public Task<ExecOutcome> ExecAsync(string target, ExecSpec spec, IExecObserver? observer, CancellationToken ct) =>
            ExecRoot.RunAsync(target, spec, async t => (await InspectAsync(new[] { target }, t).ConfigureAwait(false)).FirstOrDefault(),
                root => ExecOnceAsync(target, spec, observer, root, ct), ct);

        private async Task<ExecOutcome> ExecOnceAsync(string target, ExecSpec spec, IExecObserver? given, ExecRoot root, CancellationToken ct)
        {
            var observer = root.Gate(given);
            // docker prints its own "OCI runtime exec failed" (command not found, ...) on stdout: it belongs on stderr.
            var oci = new StringBuilder();
            using var secrets = SecretEnvironment.Create(spec.Environment);
            var call = new Call("exec", DockerCommands.Exec(Context, target, spec, root.Marker, secrets, root.Command(spec)), target, null)
            {
                ChildEnvironment = secrets.ChildVariables,
                Stdin = spec.StandardInput,
                OnStdout = observer is null ? null : line =>
                {
                    if (line.StartsWith(OciExecFailed, StringComparison.Ordinal))
                    {
                        oci.Append(line).Append('\n');
                        observer.OnStandardError(line);
                    }
                    else
                    {
                        observer.OnStandardOutput(line);
                    }
                },
                OnStderr = observer is null ? null : observer.OnStandardError,
                StderrPreamble = root.Wrapped ? root.Prefix : null,
                OnStderrPreamble = root.OnPreamble,
                // Streamed output is not kept (constant memory); -AsResult keeps the exact text.
                KeepStdout = observer is null ? null : 0,
                KeepStderr = observer is null ? null : StreamedStderrKept,
                // A non-zero exit is the process's own unless the daemon refused the exec.
                Accept = res => !IsDaemonRefusal(res.StandardError),
            };
            using var grace = root.Follow(ct);
            try
            {
                var r = await RunAsync(call, grace.Token).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                var (output, error) = r.StandardOutput.StartsWith(OciExecFailed, StringComparison.Ordinal)
                    ? ("", r.StandardOutput + r.StandardError)
                    : (r.StandardOutput, oci.ToString() + r.StandardError);
                return new ExecOutcome { ExitCode = r.ExitCode, StandardOutput = output, StandardError = error, Duration = r.Duration };
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Killing the client leaves the process running in the container: end it, and all it started.
                await KillExecAsync(target, root).ConfigureAwait(false);
                throw new OperationCanceledException(ct);
            }
        }

        /// <summary>The engine's images as repository:tag (docker image ls), for completion.</summary>
        public async Task<IReadOnlyList<string>> ListImagesAsync(CancellationToken ct)
        {
            var r = await RunAsync(new Call("image", DockerCommands.Begin(Context, "image").Add("ls").Add("--format").Add("{{.Repository}}:{{.Tag}}"), null, QueryCeiling), ct)
                .ConfigureAwait(false);
            return r.StandardOutput.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
        }

        /// <summary>docker exec -it with this process's console as its own: nothing redirected.</summary>
        public async Task<int> RunInteractiveAsync(string target, ExecSpec spec, CancellationToken ct)
        {
            var args = DockerCommands.Interactive(Context, target, spec);
            var display = args.Traced(Program);
            CommandTrace.Emit(new CommandTraceEvent("issued", display));
            var start = new ProcessStartInfo(Program) { UseShellExecute = false };
            foreach (var a in args.Actual)
            {
#if NETSTANDARD2_0
                start.Arguments += (start.Arguments.Length > 0 ? " " : "") + ProcessRunner.JoinArguments(new[] { a });
#else
                start.ArgumentList.Add(a);
#endif
            }
            var watch = Stopwatch.StartNew();
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new Win32Exception("the CLI did not start");
            }
            catch (Win32Exception e)
            {
                throw Failures.CliNotFound(Program, CliVariable, display, target, e);
            }
            using (process)
            using (ct.Register(() =>
            {
                try
                {
                    process.Kill();
                }
                catch (InvalidOperationException)
                {
                }
            }))
            {
                await Task.Run(() => process.WaitForExit(), CancellationToken.None).ConfigureAwait(false);
                CommandTrace.Emit(new CommandTraceEvent("completed", display, watch.Elapsed, process.ExitCode));
                ct.ThrowIfCancellationRequested();
                return process.ExitCode;
            }
        }

        private async Task KillExecAsync(string target, ExecRoot root)
        {
            try
            {
                using var cts = new CancellationTokenSource(KillExecCeiling);
                await RunAsync(new Call("exec", DockerCommands.KillExec(Context, target, root), target, null) { Accept = _ => true }, cts.Token)
                    .ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Best effort: the image may have no shell, or the engine may be gone.
            }
        }

        // True only when stderr has lines and every one says "no such container": an inspect that
        // died without a word (killed, crashed) is a failure, never "nothing found".
        private static bool OnlyMissing(string stderr)
        {
            var lines = stderr.Split('\n').Where(l => l.Trim().Length > 0).ToList();
            return lines.Count > 0 && lines.All(CliErrors.IsNoSuchContainer);
        }

        // Failures of docker exec itself (as opposed to the process it ran) come from the daemon.
        private static bool IsDaemonRefusal(string stderr) =>
            stderr.StartsWith("Error response from daemon:", StringComparison.Ordinal) ||
            stderr.StartsWith("Error: No such container", StringComparison.Ordinal) ||
            CliErrors.IsEngineDown(stderr);

        /// <summary>One docker command to run: what it is, its argv, its bound and how its output is taken.</summary>
        private sealed class Call
        {
            public Call(string operation, CliArguments args, string? vmName, TimeSpan? ceiling)
            {
                Operation = operation;
                Args = args;
                VmName = vmName;
                Ceiling = ceiling;
            }

            public string Operation { get; }
            public CliArguments Args { get; }
            public string? VmName { get; }
            /// <summary>How long the engine may take to answer; null: as long as the caller's token allows.</summary>
            public TimeSpan? Ceiling { get; }
            /// <summary>Written to the command's stdin (UTF-8), then closed; null: no input.</summary>
            public string? Stdin { get; init; }
            /// <summary>Each output line as it comes (null: not streamed).</summary>
            public Action<string>? OnStdout { get; init; }
            public Action<string>? OnStderr { get; init; }
            /// <summary>A first stderr line that begins with this is ours (the exec wrapper's), not the command's.</summary>
            public string? StderrPreamble { get; init; }
            public Action<string>? OnStderrPreamble { get; init; }
            /// <summary>Whether a lone \r ends a streamed line (false: only \n does).</summary>
            public bool CarriageReturnEndsLine { get; init; } = true;
            /// <summary>How much text the result keeps (null: all; n: the last n characters).</summary>
            public int? KeepStdout { get; init; }
            public int? KeepStderr { get; init; }
            /// <summary>Variables set in the CLI's own environment (values kept off its command line).</summary>
            public IReadOnlyDictionary<string, string> ChildEnvironment { get; init; } = new Dictionary<string, string>();
            /// <summary>A non-zero exit that still counts as an answer (the caller reads it).</summary>
            public Func<Result, bool>? Accept { get; init; }
        }

        private sealed class Result
        {
            public string CommandLine { get; init; } = "";
            public int ExitCode { get; init; }
            public string StandardOutput { get; init; } = "";
            public string StandardError { get; init; } = "";
            public TimeSpan Duration { get; init; }
        }

        private async Task<Result> RunAsync(Call call, CancellationToken ct)
        {
            var program = Program;
            var display = call.Args.Traced(program);
            var spec = new ProcessSpec
            {
                FileName = program,
                Arguments = call.Args.Actual,
                Environment = call.ChildEnvironment,
                StandardInput = call.Stdin,
                OnStandardOutputLine = call.OnStdout,
                OnStandardErrorLine = call.OnStderr,
                StandardErrorPreamble = call.StderrPreamble,
                OnStandardErrorPreamble = call.OnStderrPreamble,
                KeepStandardOutput = call.KeepStdout,
                KeepStandardError = call.KeepStderr,
                CarriageReturnEndsLine = call.CarriageReturnEndsLine,
            };

            using var ceilingCts = call.Ceiling is null ? new CancellationTokenSource() : new CancellationTokenSource(Timeouts.Clamp(call.Ceiling.Value));
            using var engineDead = new CancellationTokenSource();
            using var graceful = CancellationTokenSource.CreateLinkedTokenSource(ct, ceilingCts.Token, engineDead.Token);
            using var forceful = new CancellationTokenSource();
            using var escalate = graceful.Token.Register(() => forceful.CancelAfter(GraceAfterInterrupt));

            CommandTrace.Emit(new CommandTraceEvent("issued", display));
            var watch = Stopwatch.StartNew();
            ProcessOutcome result;
            try
            {
                var running = ProcessRunner.RunAsync(spec, forceful.Token, graceful.Token);
                _ = WatchAsync(running, engineDead, graceful.Token);
                result = await running.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && engineDead.IsCancellationRequested)
            {
                CommandTrace.Emit(new CommandTraceEvent("failed", display, watch.Elapsed, null, "engine dead"));
                throw Failures.EngineDead(display, EndpointText(), watch.Elapsed, call.VmName);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && ceilingCts.IsCancellationRequested)
            {
                CommandTrace.Emit(new CommandTraceEvent("failed", display, watch.Elapsed, null, "no answer"));
                throw Failures.NoAnswer(display, call.Ceiling!.Value, call.VmName);
            }
            catch (OperationCanceledException)
            {
                CommandTrace.Emit(new CommandTraceEvent("failed", display, watch.Elapsed, null, "cancelled"));
                throw;
            }
            catch (Exception e) when (LaunchError(e) is { } launch)
            {
                // E2BIG: the argument list is longer than the OS allows; anything else: the CLI is missing.
                throw launch.NativeErrorCode == 7
                    ? Failures.CommandTooLong(display, call.Args.Actual.Sum(a => a.Length + 1), call.VmName, e)
                    : Failures.CliNotFound(program, CliVariable, display, call.VmName, e);
            }
            var run = new Result
            {
                CommandLine = display,
                ExitCode = result.ExitCode,
                StandardOutput = result.StandardOutput,
                StandardError = result.StandardError,
                Duration = watch.Elapsed,
            };
            if (run.ExitCode == 0 || (call.Accept?.Invoke(run) ?? false))
            {
                CommandTrace.Emit(new CommandTraceEvent("completed", display, run.Duration, run.ExitCode));
                return run;
            }
            CommandTrace.Emit(new CommandTraceEvent("failed", display, run.Duration, run.ExitCode, Failures.Tail(run.StandardError, 2)));
            throw CliErrors.Map(call.Operation, display, run.ExitCode, run.StandardError, call.VmName);
        }

        // While a command runs: after ProbeAfter, and every ProbeEvery from then on, ask whether the
        // engine is alive. A live engine is waited for (up to the command's own bounds); a dead one
        // ends the command at once.
        private async Task WatchAsync(Task running, CancellationTokenSource engineDead, CancellationToken ct)
        {
            try
            {
                var wait = ProbeAfter;
                while (true)
                {
                    if (await Task.WhenAny(running, Task.Delay(wait, ct)).ConfigureAwait(false) == running || ct.IsCancellationRequested)
                    {
                        return;
                    }
                    if (!await IsAliveAsync(ct).ConfigureAwait(false) && !running.IsCompleted)
                    {
                        engineDead.Cancel();
                        return;
                    }
                    wait = ProbeEvery;
                }
            }
            catch (Exception)
            {
                // the command ended (or was cancelled) first: nothing to watch
            }
        }

        /// <summary>True when the engine answers a ping within LivenessProbe.CurrentDeadline.</summary>
        public async Task<bool> IsAliveAsync(CancellationToken ct)
        {
            // docker's own endpoint: ping its socket. Another CLI, or an address that cannot be pinged
            // directly: ask the CLI (one short command).
            if (string.IsNullOrEmpty(_program) && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(CliVariable)) &&
                await LivenessProbe.PingAsync(EngineEndpoint.Resolve(Context), ct).ConfigureAwait(false) is { } pinged)
            {
                return pinged;
            }
            using var deadline = new CancellationTokenSource(LivenessProbe.CurrentDeadline);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
            try
            {
                var r = await ProcessRunner.RunAsync(new ProcessSpec
                {
                    FileName = Program,
                    Arguments = DockerCommands.Begin(Context, "version").Add("--format").Add("{{.Server.Version}}").Actual,
                }, linked.Token).ConfigureAwait(false);
                return r.ExitCode == 0;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return false;
            }
        }

        private string EndpointText()
        {
            try
            {
                return EngineEndpoint.Resolve(Context).ToString();
            }
            catch (Exception)
            {
                return Context.Length > 0 ? "context " + Context : "the default endpoint";
            }
        }

        private static Win32Exception? LaunchError(Exception e)
        {
            for (var x = e; x is not null; x = x.InnerException)
            {
                if (x is Win32Exception w)
                {
                    return w;
                }
            }
            return null;
        }
    }
}
