using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CliWrap;

namespace DockerVm.Engine
{
    /// <summary>
    /// The CLI transport: the one gateway through which every docker command runs.
    /// The program is `docker`, or the one named by DOCKERVM_CLI (read at each command).
    /// </summary>
    public sealed class DockerCli : IDockerEngine
    {
        public const string CliVariable = "DOCKERVM_CLI";
        public const string ExecMarkerVariable = "DOCKERVM_EXEC_ID";
        private const string OciExecFailed = "OCI runtime exec failed:";

        private static readonly TimeSpan QueryCeiling = TimeSpan.FromSeconds(30);
        private static readonly TimeSpan ChangeCeiling = TimeSpan.FromSeconds(90);
        // docker create pulls a missing image itself: a large pull must not pass for a dead engine.
        private static readonly TimeSpan CreateCeiling = TimeSpan.FromMinutes(15);
        private static readonly TimeSpan GraceAfterInterrupt = TimeSpan.FromSeconds(1);
        private readonly string? _program;

        public DockerCli(string? context = null, string? program = null)
        {
            Context = context ?? "";
            _program = program;
        }

        public string Context { get; }

        /// <summary>The CLI program this command will run.</summary>
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

        public async Task<string> CreateAsync(CreateSpec spec, CancellationToken ct)
        {
            var args = DockerCommands.Create(Context, spec);
            var r = await RunAsync("create", args, spec.Name, CreateCeiling, ct).ConfigureAwait(false);
            var id = r.StandardOutput.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
            return id ?? throw new DockerVmException(DockerVmErrorKind.CommandFailed, $"docker create printed no container id for '{spec.Name}'.", spec.Name);
        }

        public Task StartAsync(string name, CancellationToken ct) =>
            RunAsync("start", DockerCommands.Start(Context, name), name, ChangeCeiling, ct);

        public async Task<IReadOnlyList<ContainerInfo>> InspectAsync(IReadOnlyList<string> namesOrIds, CancellationToken ct)
        {
            if (namesOrIds.Count == 0)
            {
                return Array.Empty<ContainerInfo>();
            }
            var args = Begin("inspect").Add("--type").Add("container").Add(namesOrIds);
            // docker inspect exits 1 when any name is missing, yet prints the ones it found.
            var r = await RunAsync("inspect", args, namesOrIds.Count == 1 ? namesOrIds[0] : null, QueryCeiling, ct,
                accept: res => res.ExitCode == 0 || OnlyMissing(res.StandardError)).ConfigureAwait(false);
            try
            {
                return ContainerInfo.ParseArray(r.StandardOutput);
            }
            catch (Exception e) when (e is FormatException || e is System.Text.Json.JsonException)
            {
                throw new DockerVmException(DockerVmErrorKind.CommandFailed,
                    $"'{args.Display(Program)}' printed output that is not inspect JSON: {e.Message}", null, e);
            }
        }

        public async Task<ExecOutcome> ExecAsync(string name, ExecSpec spec, IExecObserver? observer, CancellationToken ct)
        {
            var marker = Guid.NewGuid().ToString("N");
            var args = DockerCommands.Exec(Context, name, spec, marker);
            // docker prints its own "OCI runtime exec failed" (command not found, ...) on stdout: it belongs on stderr.
            var stdout = new OutputCapture(observer is null ? null : line =>
            {
                if (line.StartsWith(OciExecFailed, StringComparison.Ordinal))
                {
                    observer.OnStandardError(line);
                }
                else
                {
                    observer.OnStandardOutput(line);
                }
            });
            var stderr = new OutputCapture(observer is null ? null : observer.OnStandardError);
            var stdin = spec.StandardInput is null ? PipeSource.Null : PipeSource.FromString(spec.StandardInput, new UTF8Encoding(false));
            try
            {
                var r = await RunAsync("exec", args, name, null, ct, stdin, stdout, stderr,
                    accept: res => !IsDaemonRefusal(res.StandardError)).ConfigureAwait(false);
                var (output, error) = r.StandardOutput.StartsWith(OciExecFailed, StringComparison.Ordinal)
                    ? ("", r.StandardOutput + r.StandardError)
                    : (r.StandardOutput, r.StandardError);
                return new ExecOutcome { ExitCode = r.ExitCode, StandardOutput = output, StandardError = error, Duration = r.Duration };
            }
            catch (OperationCanceledException)
            {
                // Killing the client leaves the process running in the container: end it too.
                await KillExecAsync(name, marker).ConfigureAwait(false);
                throw;
            }
        }

        private async Task KillExecAsync(string name, string marker)
        {
            var script = "for p in /proc/[0-9]*; do grep -q \"" + ExecMarkerVariable + "=" + marker +
                         "\" \"$p/environ\" 2>/dev/null && kill -9 \"${p#/proc/}\" 2>/dev/null; done; true";
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await RunAsync("exec", Begin("exec").Add(name).Add("sh").Add("-c").Add(script), name, null, cts.Token,
                    accept: _ => true).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Best effort: the image may have no shell, or the engine may be gone.
            }
        }

        public Task StopAsync(string name, int timeoutSec, CancellationToken ct) =>
            RunAsync("stop", DockerCommands.Stop(Context, name, timeoutSec),
                name, ChangeCeiling + Timeouts.Seconds(Math.Max(0, timeoutSec)), ct);

        public Task PauseAsync(string name, CancellationToken ct) =>
            RunAsync("pause", DockerCommands.Pause(Context, name), name, ChangeCeiling, ct);

        public Task UnpauseAsync(string name, CancellationToken ct) =>
            RunAsync("unpause", DockerCommands.Unpause(Context, name), name, ChangeCeiling, ct);

        public async Task RemoveAsync(string name, bool force, CancellationToken ct)
        {
            var args = DockerCommands.Remove(Context, name, force);
            var r = await RunAsync("rm", args, name, ChangeCeiling, ct).ConfigureAwait(false);
            // docker rm --force exits 0 for a container that does not exist, saying so on stderr.
            if (CliErrors.IsNoSuchContainer(r.StandardError))
            {
                throw CliErrors.Map("rm", args.Display(Program), r.ExitCode, r.StandardError, name);
            }
        }

        public async Task<IReadOnlyList<string>> ListIdsAsync(IReadOnlyList<string> labelFilters, CancellationToken ct)
        {
            var args = Begin("ps").Add("--all").Add("--quiet").Add("--no-trunc");
            foreach (var f in labelFilters)
            {
                args.Add("--filter").Add("label=" + f);
            }
            var r = await RunAsync("ps", args, null, QueryCeiling, ct).ConfigureAwait(false);
            return r.StandardOutput.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Distinct().ToList();
        }

        public async Task<string> LogsAsync(string name, int tail, CancellationToken ct)
        {
            var args = Begin("logs").Add("--tail").Add(tail.ToString(System.Globalization.CultureInfo.InvariantCulture)).Add(name);
            var r = await RunAsync("logs", args, name, QueryCeiling, ct).ConfigureAwait(false);
            return (r.StandardOutput + r.StandardError).TrimEnd();
        }

        private CliArguments Begin(string subcommand) => DockerCommands.Begin(Context, subcommand);

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

        private sealed class RunResult
        {
            public int ExitCode { get; init; }
            public string StandardOutput { get; init; } = "";
            public string StandardError { get; init; } = "";
            public TimeSpan Duration { get; init; }
        }

        private async Task<RunResult> RunAsync(
            string operation,
            CliArguments args,
            string? vmName,
            TimeSpan? ceiling,
            CancellationToken ct,
            PipeSource? stdin = null,
            OutputCapture? stdout = null,
            OutputCapture? stderr = null,
            Func<RunResult, bool>? accept = null)
        {
            var program = Program;
            var display = args.Display(program);
            stdout ??= new OutputCapture(null);
            stderr ??= new OutputCapture(null);
            var command = Cli.Wrap(program)
                .WithArguments(args.Actual)
                .WithValidation(CommandResultValidation.None)
                .WithStandardInputPipe(stdin ?? PipeSource.Null)
                .WithStandardOutputPipe(stdout.Target)
                .WithStandardErrorPipe(stderr.Target);

            using var ceilingCts = ceiling is null ? new CancellationTokenSource() : new CancellationTokenSource(Timeouts.Clamp(ceiling.Value));
            using var graceful = CancellationTokenSource.CreateLinkedTokenSource(ct, ceilingCts.Token);
            using var forceful = new CancellationTokenSource();
            using var escalate = graceful.Token.Register(() => forceful.CancelAfter(GraceAfterInterrupt));

            CommandTrace.Emit(new CommandTraceEvent("issued", display));
            var watch = Stopwatch.StartNew();
            CliWrap.CommandResult result;
            try
            {
                result = await command.ExecuteAsync(forceful.Token, graceful.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && ceilingCts.IsCancellationRequested)
            {
                CommandTrace.Emit(new CommandTraceEvent("failed", display, watch.Elapsed, null, "no answer"));
                throw new DockerVmException(DockerVmErrorKind.EngineUnavailable,
                    $"The Docker engine did not answer '{display}' within {ceiling!.Value.TotalSeconds:0} s.", vmName)
                {
                    CommandLine = display,
                    RecommendedAction = "Check that the Docker engine is running and reachable (docker info).",
                    OutcomeUnknown = true,
                };
            }
            catch (OperationCanceledException)
            {
                CommandTrace.Emit(new CommandTraceEvent("failed", display, watch.Elapsed, null, "cancelled"));
                throw;
            }
            catch (Exception e) when (IsLaunchFailure(e))
            {
                throw new DockerVmException(DockerVmErrorKind.CliNotFound,
                    $"The docker CLI '{program}' could not be started: {e.Message}", vmName, e)
                {
                    CommandLine = display,
                    RecommendedAction = $"Install the docker CLI, or set ${CliVariable} to the path of a Docker-compatible CLI.",
                };
            }
            var run = new RunResult
            {
                ExitCode = result.ExitCode,
                StandardOutput = stdout.Text,
                StandardError = stderr.Text,
                Duration = watch.Elapsed,
            };
            if (run.ExitCode == 0 || (accept?.Invoke(run) ?? false))
            {
                CommandTrace.Emit(new CommandTraceEvent("completed", display, run.Duration, run.ExitCode));
                return run;
            }
            CommandTrace.Emit(new CommandTraceEvent("failed", display, run.Duration, run.ExitCode, CliErrors.Tail(run.StandardError, 2)));
            throw CliErrors.Map(operation, display, run.ExitCode, run.StandardError, vmName);
        }

        private static bool IsLaunchFailure(Exception e)
        {
            for (var x = e; x is not null; x = x.InnerException)
            {
                if (x is Win32Exception)
                {
                    return true;
                }
            }
            return false;
        }
    }
}
