using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Engine
{
    /// <summary>What `docker create` is asked to make.</summary>
    public sealed class CreateSpec
    {
        public string Name { get; init; } = "";
        public string Image { get; init; } = "";
        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
        public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
        public IReadOnlyList<string> CreateArguments { get; init; } = Array.Empty<string>();
        public IReadOnlyList<string> ContainerCommand { get; init; } = Array.Empty<string>();
        public bool Init { get; init; } = true;
    }

    /// <summary>What `docker exec` is asked to run.</summary>
    public sealed class ExecSpec
    {
        public string Command { get; init; } = "";
        public IReadOnlyList<string> Arguments { get; init; } = Array.Empty<string>();
        public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
        public string? WorkingDirectory { get; init; }
        public string? User { get; init; }
        public string? StandardInput { get; init; }
    }

    /// <summary>Where exec output goes while it runs: each complete line, as it comes.</summary>
    public interface IExecObserver
    {
        void OnStandardOutput(string line);
        void OnStandardError(string line);
    }

    /// <summary>The exact text and exit code of a finished exec.</summary>
    public sealed class ExecOutcome
    {
        public int ExitCode { get; init; }
        public string StandardOutput { get; init; } = "";
        public string StandardError { get; init; } = "";
        public TimeSpan Duration { get; init; }
    }

    /// <summary>
    /// The engine operations DockerVm needs. The CLI transport implements them now; an Engine API
    /// transport can be added without touching the instance or the cmdlets.
    /// Every failure is a <see cref="DockerVmException"/>.
    /// </summary>
    public interface IDockerEngine
    {
        /// <summary>The docker context the engine is reached through; empty for the CLI's default.</summary>
        string Context { get; }

        /// <summary>Creates a container and returns its full id.</summary>
        Task<string> CreateAsync(CreateSpec spec, CancellationToken ct);

        Task StartAsync(string name, CancellationToken ct);

        /// <summary>Inspects containers by name or id; the ones that do not exist are absent from the result.</summary>
        Task<IReadOnlyList<ContainerInfo>> InspectAsync(IReadOnlyList<string> namesOrIds, CancellationToken ct);

        Task<ExecOutcome> ExecAsync(string name, ExecSpec spec, IExecObserver? observer, CancellationToken ct);

        /// <summary>Stops a container, SIGKILL after <paramref name="timeoutSec"/> (0 kills at once).</summary>
        Task StopAsync(string name, int timeoutSec, CancellationToken ct);

        Task PauseAsync(string name, CancellationToken ct);

        Task UnpauseAsync(string name, CancellationToken ct);

        Task RemoveAsync(string name, bool force, CancellationToken ct);

        /// <summary>Full ids of all containers (any status) carrying every label given as key=value.</summary>
        Task<IReadOnlyList<string>> ListIdsAsync(IReadOnlyList<string> labelFilters, CancellationToken ct);

        /// <summary>The last <paramref name="tail"/> lines of a container's log (stdout and stderr).</summary>
        Task<string> LogsAsync(string name, int tail, CancellationToken ct);
    }
}
