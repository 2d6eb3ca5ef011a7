using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Engine
{
    /// <summary>What a create request asks the engine to make.</summary>
    public sealed class CreateSpec
    {
        public string Name { get; init; } = "";
        public string Image { get; init; } = "";
        private IReadOnlyDictionary<string, string> _labels = new Dictionary<string, string>();
        public IReadOnlyDictionary<string, string> Labels { get => _labels; init => _labels = value; }
        public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
        public IReadOnlyList<string> CreateArguments { get; init; } = Array.Empty<string>();
        public IReadOnlyList<string> ContainerCommand { get; init; } = Array.Empty<string>();
        /// <summary>Run an init process as PID 1 (stop takes milliseconds instead of the SIGKILL grace).</summary>
        public bool Init { get; init; } = true;
        /// <summary>Published ports, docker -p syntax (8080:80, 80 for any free host port, 127.0.0.1:8080:80, 53/udp).</summary>
        public IReadOnlyList<string> Ports { get; init; } = Array.Empty<string>();
        /// <summary>Mounts, docker -v syntax (/host:/ctr[:ro], volume:/ctr).</summary>
        public IReadOnlyList<string> Volumes { get; init; } = Array.Empty<string>();
        /// <summary>Memory limit in bytes; 0: none.</summary>
        public long MemoryBytes { get; init; }
        /// <summary>CPU limit; 0: none.</summary>
        public double Cpus { get; init; }
        /// <summary>The network to attach to; empty: the engine's default.</summary>
        public string Network { get; init; } = "";

        /// <summary>The same spec with other labels (every other field copied, whatever fields come).</summary>
        public CreateSpec WithLabels(IReadOnlyDictionary<string, string> labels)
        {
            var copy = (CreateSpec)MemberwiseClone();
            copy._labels = labels;
            return copy;
        }
    }

    /// <summary>What an exec request asks the engine to run.</summary>
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
    /// The seam between DockerVm and a Docker engine: every transport (the CLI today) implements it,
    /// and nothing above it knows how the engine is reached. It speaks in DockerVm terms: typed
    /// requests in, typed results out, and every failure a <see cref="DockerVmException"/> built by
    /// <see cref="Failures"/>. The engine's own wording (already paused, not running, no such
    /// container) is read here, never above.
    ///
    /// A <c>target</c> is a container's full id (a name only before the id is known).
    /// </summary>
    public interface IDockerEngine
    {
        /// <summary>The docker context the engine is reached through; empty for the default.</summary>
        string Context { get; }

        /// <summary>How the engine is reached, for -Verbose (e.g. "cli: docker").</summary>
        string Transport { get; }

        /// <summary>The docker command that does what <paramref name="request"/> does, as a user would type it, secrets masked.</summary>
        string Describe(EngineRequest request);

        /// <summary>Creates a container and returns its full id. A name in use is NameConflict.</summary>
        Task<string> CreateAsync(CreateSpec spec, CancellationToken ct);

        Task StartAsync(string target, CancellationToken ct);

        /// <summary>Stops a container, SIGKILL after <paramref name="graceSec"/> (0 kills at once). A container that is not running counts as stopped.</summary>
        Task StopAsync(string target, int graceSec, CancellationToken ct);

        /// <summary>Pauses a container; one already paused counts as paused.</summary>
        Task PauseAsync(string target, CancellationToken ct);

        Task UnpauseAsync(string target, CancellationToken ct);

        /// <summary>
        /// Removes a container; without <paramref name="force"/> the engine refuses a running one
        /// (InvalidTransition). A missing container is NotFound.
        /// </summary>
        Task RemoveAsync(string target, bool force, CancellationToken ct);

        /// <summary>Inspects containers by id or name; the ones that do not exist are absent from the result.</summary>
        Task<IReadOnlyList<ContainerInfo>> InspectAsync(IReadOnlyList<string> targets, CancellationToken ct);

        /// <summary>
        /// Every container (any status) carrying every label given as key=value, with what a listing
        /// needs (status, labels, addresses): a constant number of requests however many there are.
        /// </summary>
        Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyList<string> labelFilters, CancellationToken ct);

        /// <summary>Full ids of all containers (any status) carrying every label given as key=value.</summary>
        Task<IReadOnlyList<string>> ListIdsAsync(IReadOnlyList<string> labelFilters, CancellationToken ct);

        /// <summary>Runs a process in a running container. Cancellation ends the process inside the container too.</summary>
        Task<ExecOutcome> ExecAsync(string target, ExecSpec spec, IExecObserver? observer, CancellationToken ct);

        /// <summary>
        /// Runs a process in a running container attached to this process's own console, with a TTY
        /// (an interactive shell), and returns its exit code when the user leaves it.
        /// </summary>
        Task<int> RunInteractiveAsync(string target, ExecSpec spec, CancellationToken ct);

        /// <summary>The last <paramref name="tail"/> lines of a container's log (stdout and stderr).</summary>
        Task<string> LogsAsync(string target, int tail, CancellationToken ct);

        /// <summary>
        /// Streams a container's log lines to <paramref name="observer"/> as they come, stdout and
        /// stderr told apart, each with the engine's timestamp: the lines <paramref name="request"/>
        /// selects, then (with <see cref="LogRequest.Follow"/>) new ones until the container stops.
        /// Completes when the engine has sent the last line; cancellation ends the stream (and any
        /// process or connection behind it) promptly. Constant memory: nothing is kept. A missing
        /// container is NotFound.
        /// </summary>
        Task StreamLogsAsync(string target, LogRequest request, ILogObserver observer, CancellationToken ct);
        // ---- the machine toolkit: copy, checkpoints (images) --------------------------------

        /// <summary>
        /// Copies a file or folder between the host and a container in any status (docker cp
        /// semantics, content byte for byte). A path the engine cannot find in the container (the
        /// source, or the folder a destination goes into) is PathNotFound; a missing container is NotFound.
        /// </summary>
        Task CopyAsync(string target, CopySpec spec, CancellationToken ct);

        /// <summary>
        /// Snapshots a container (any status; a running one is paused meanwhile when
        /// <see cref="CommitSpec.Pause"/>) as a local image tagged <see cref="CommitSpec.Reference"/>,
        /// its labels those of the container with <see cref="CommitSpec.Labels"/> set over them.
        /// Returns the image's full id (sha256:...). A missing container is NotFound.
        /// </summary>
        Task<string> CommitAsync(string target, CommitSpec spec, CancellationToken ct);

        /// <summary>
        /// Removes an image reference (repository:tag, or an id): the tag goes, and the image with it
        /// unless another image is built on it. A missing image is CheckpointNotFound; an image a
        /// container still uses is refused (<see cref="Failures.ImageInUse"/>), nothing removed.
        /// </summary>
        Task RemoveImageAsync(string reference, CancellationToken ct);

        /// <summary>Renames a container. A name in use is NameConflict; a missing container NotFound.</summary>
        Task RenameAsync(string target, string newName, CancellationToken ct);

        /// <summary>
        /// Every image (tagged, or dangling; not the intermediate layers of other images) carrying
        /// every label given as key=value, in a constant number of requests however many there are.
        /// </summary>
        Task<IReadOnlyList<ImageInfo>> ListImagesAsync(IReadOnlyList<string> labelFilters, CancellationToken ct);
    }
}
