using System.Collections.Concurrent;
using DockerVm.Engine;

namespace DockerVm.Tests;

/// <summary>One call the fake engine received: the operation, its target and (for create/exec) what was asked.</summary>
public sealed record FakeCall(string Operation, string Target, object? Detail = null);

/// <summary>A container as the fake engine keeps it.</summary>
public sealed class FakeContainer
{
    public string Id { get; init; } = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
    public string Name { get; set; } = "";
    public string Image { get; init; } = "";
    public Dictionary<string, string> Labels { get; init; } = new(StringComparer.Ordinal);
    public List<string> Command { get; init; } = new();
    public string Status { get; set; } = "created";
    public int ExitCode { get; set; }
    public string IPAddress { get; set; } = "";
    public DateTime Created { get; init; } = DateTime.UtcNow;
    /// <summary>When set, a start makes the container exit at once with this code instead of running.</summary>
    public int? DiesOnStartWith { get; set; }
    public string Logs { get; set; } = "";
    /// <summary>When the container last started (set by a start, or by the test).</summary>
    public DateTime? StartedAt { get; set; }
    /// <summary>Published ports, as inspect reports them.</summary>
    public List<PortBinding> Ports { get; } = new();
    /// <summary>The healthcheck's report (State.Health); null: none yet.</summary>
    public ContainerHealth? Health { get; set; }
    /// <summary>Config.Healthcheck.Test; empty: no healthcheck.</summary>
    public List<string> HealthcheckTest { get; } = new();
    /// <summary>Overrides the address a running container gets.</summary>
    public string? FixedIPAddress { get; set; }

    private readonly List<(LogStream Stream, DateTime Timestamp, string Text)> _logLines = new();

    /// <summary>The container writes a log line (now, unless <paramref name="at"/> says when).</summary>
    public FakeContainer Log(string text, LogStream stream = LogStream.Stdout, DateTime? at = null)
    {
        lock (_logLines)
        {
            _logLines.Add((stream, at ?? DateTime.UtcNow, text));
        }
        return this;
    }

    public IReadOnlyList<(LogStream Stream, DateTime Timestamp, string Text)> LogLines
    {
        get
        {
            lock (_logLines)
            {
                return _logLines.ToList();
            }
        }
    }
    /// <summary>The container's files (docker cp): absolute path -> content. Folders are the paths' prefixes (and /, /tmp, /etc).</summary>
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);
}

/// <summary>A local image as the fake engine keeps it (checkpoints are images).</summary>
public sealed class FakeImage
{
    public string Id { get; init; } = "sha256:" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
    public List<string> RepoTags { get; } = new();
    public Dictionary<string, string> Labels { get; init; } = new(StringComparer.Ordinal);
    public List<string> Command { get; init; } = new();
    public DateTime Created { get; init; } = DateTime.UtcNow;
}

/// <summary>
/// An in-memory Docker engine behind the seam: containers, their status rules (the engine's
/// idempotency included), a log of typed calls, and faults on demand (a failure, a hang, a hook
/// that runs before a call). The instance, registry and cmdlet tests run against it anywhere.
/// </summary>
public sealed class FakeEngine : IDockerEngine, IImageCatalog
{
    private readonly object _lock = new();
    private readonly ConcurrentQueue<FakeCall> _calls = new();
    private readonly Dictionary<string, Queue<Exception>> _failures = new();
    private readonly HashSet<string> _hangs = new();
    private readonly Dictionary<string, Action<FakeCall>> _before = new();
    private int _nextIp = 2;

    public FakeEngine(string context = "") => Context = context;

    public string Context { get; }
    public string Transport => "fake";
    public List<FakeContainer> Containers { get; } = new();
    /// <summary>The local images that commit made (and tests added): what ListImages, rmi and a create from them see.</summary>
    public List<FakeImage> LocalImages { get; } = new();
    /// <summary>Images that exist; null: every image exists.</summary>
    public HashSet<string>? Images { get; set; }
    /// <summary>What an exec runs: (container, spec, observer) -> exit code, stdout, stderr.</summary>
    public Func<FakeContainer, ExecSpec, IExecObserver?, CancellationToken, Task<ExecOutcome>> OnExec { get; set; } = DefaultExec;

    public IReadOnlyList<FakeCall> Calls => _calls.ToArray();
    public IEnumerable<string> Operations => Calls.Select(c => c.Operation);

    public FakeEngine Fail(string operation, Exception failure, int times = 1)
    {
        lock (_lock)
        {
            if (!_failures.TryGetValue(operation, out var q))
            {
                _failures[operation] = q = new Queue<Exception>();
            }
            for (var i = 0; i < times; i++)
            {
                q.Enqueue(failure);
            }
        }
        return this;
    }

    /// <summary>Every later call of <paramref name="operation"/> never answers (until cancelled).</summary>
    public FakeEngine Hang(string operation)
    {
        lock (_lock)
        {
            _hangs.Add(operation);
        }
        return this;
    }

    /// <summary>Runs <paramref name="hook"/> when <paramref name="operation"/> arrives, before the engine acts.</summary>
    public FakeEngine Before(string operation, Action<FakeCall> hook)
    {
        lock (_lock)
        {
            _before[operation] = hook;
        }
        return this;
    }

    public FakeContainer Add(string name, string status = "created", bool managed = true, string image = "fake/image")
    {
        var c = new FakeContainer { Name = name, Image = image, Status = status };
        if (managed)
        {
            c.Labels[DockerVm.Labels.Managed] = "true";
            c.Labels[DockerVm.Labels.Image] = image;
        }
        if (status is "running" or "paused")
        {
            c.IPAddress = NextIp();
            c.StartedAt = DateTime.UtcNow.AddSeconds(-1);
        }
        lock (_lock)
        {
            Containers.Add(c);
        }
        return c;
    }

    public FakeContainer? Find(string idOrName)
    {
        lock (_lock)
        {
            return Containers.FirstOrDefault(c => c.Id == idOrName) ?? Containers.FirstOrDefault(c => c.Name == idOrName);
        }
    }

    public string Describe(EngineRequest request) => $"fake {request.GetType().Name.Replace("Request", "").ToLowerInvariant()} {request.Target}";

    public async Task<string> CreateAsync(CreateSpec spec, CancellationToken ct)
    {
        await EnterAsync("create", spec.Name, spec, ct);
        lock (_lock)
        {
            if (Containers.Any(c => c.Name == spec.Name))
            {
                throw Failures.FromEngine(DockerVmErrorKind.NameConflict, spec.Name, "fake create", 125,
                    $"Conflict. The container name \"/{spec.Name}\" is already in use.");
            }
            var local = LocalImage(spec.Image);
            if (local is null && Images is not null && !Images.Contains(spec.Image))
            {
                throw Failures.FromEngine(DockerVmErrorKind.ImageNotFound, spec.Name, "fake create", 125, $"No such image: {spec.Image}");
            }
            // As docker does: the image's labels, then the container's own over them; the image's command when none is given.
            var labels = new Dictionary<string, string>(local?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            foreach (var kv in spec.Labels)
            {
                labels[kv.Key] = kv.Value;
            }
            var command = spec.ContainerCommand.Count == 0 && local is not null ? local.Command.ToList() : spec.ContainerCommand.ToList();
            var c = new FakeContainer { Name = spec.Name, Image = spec.Image, Labels = labels, Command = command };
            Containers.Add(c);
            return c.Id;
        }
    }

    public async Task StartAsync(string target, CancellationToken ct)
    {
        await EnterAsync("start", target, null, ct);
        lock (_lock)
        {
            var c = Existing(target);
            if (c.DiesOnStartWith is { } code)
            {
                c.Status = "exited";
                c.ExitCode = code;
                return;
            }
            if (c.Status != "running")
            {
                c.Status = "running";
                c.IPAddress = c.FixedIPAddress ?? NextIp();
                c.StartedAt = DateTime.UtcNow;
            }
        }
    }

    public async Task StopAsync(string target, int graceSec, CancellationToken ct)
    {
        await EnterAsync("stop", target, graceSec, ct);
        lock (_lock)
        {
            var c = Existing(target);
            if (c.Status is "running" or "paused")
            {
                c.Status = "exited";
                c.ExitCode = graceSec == 0 ? 137 : 143;
                c.IPAddress = "";
            }
        }
    }

    public async Task PauseAsync(string target, CancellationToken ct)
    {
        await EnterAsync("pause", target, null, ct);
        lock (_lock)
        {
            var c = Existing(target);
            if (c.Status == "paused")
            {
                return;
            }
            if (c.Status != "running")
            {
                throw Failures.FromEngine(DockerVmErrorKind.NotRunning, target, "fake pause", 1, $"Container {target} is not running");
            }
            c.Status = "paused";
        }
    }

    public async Task UnpauseAsync(string target, CancellationToken ct)
    {
        await EnterAsync("unpause", target, null, ct);
        lock (_lock)
        {
            var c = Existing(target);
            if (c.Status != "paused")
            {
                throw Failures.FromEngine(DockerVmErrorKind.CommandFailed, target, "fake unpause", 1, $"Container {target} is not paused");
            }
            c.Status = "running";
        }
    }

    public async Task RemoveAsync(string target, bool force, CancellationToken ct)
    {
        await EnterAsync("rm", target, force, ct);
        lock (_lock)
        {
            var c = Existing(target);
            if (!force && c.Status is "running" or "paused")
            {
                throw Failures.RemoveRunning(target, "fake rm", "You cannot remove a running container");
            }
            Containers.Remove(c);
        }
    }

    public async Task<IReadOnlyList<ContainerInfo>> InspectAsync(IReadOnlyList<string> targets, CancellationToken ct)
    {
        await EnterAsync("inspect", string.Join(",", targets), null, ct);
        lock (_lock)
        {
            return targets.Select(Find).Where(c => c is not null).Select(c => Info(c!)).ToList();
        }
    }

    /// <summary>As the CLI transport lists: the ids (a "ps" call), then one "inspect" of them all.</summary>
    public async Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyList<string> labelFilters, CancellationToken ct) =>
        await InspectAsync(await ListIdsAsync(labelFilters, ct), ct);

    public async Task<IReadOnlyList<string>> ListIdsAsync(IReadOnlyList<string> labelFilters, CancellationToken ct)
    {
        await EnterAsync("ps", string.Join(",", labelFilters), null, ct);
        lock (_lock)
        {
            return Containers.Where(c => labelFilters.All(f =>
            {
                var kv = f.Split('=', 2);
                return c.Labels.TryGetValue(kv[0], out var v) && (kv.Length == 1 || v == kv[1]);
            })).Select(c => c.Id).ToList();
        }
    }

    /// <summary>The images present, for -Image completion (an "images" call): <see cref="Images"/>, none when that is null.</summary>
    public async Task<IReadOnlyList<string>> ListImagesAsync(CancellationToken ct)
    {
        await EnterAsync("images", "", null, ct);
        lock (_lock)
        {
            return Images?.ToList() ?? new List<string>();
        }
    }

    public async Task<ExecOutcome> ExecAsync(string target, ExecSpec spec, IExecObserver? observer, CancellationToken ct)
    {
        await EnterAsync("exec", target, spec, ct);
        FakeContainer c;
        lock (_lock)
        {
            c = Existing(target);
            if (c.Status != "running")
            {
                throw Failures.FromEngine(DockerVmErrorKind.NotRunning, target, "fake exec", 1, $"Container {target} is not running");
            }
        }
        return await OnExec(c, spec, observer, ct);
    }

    public async Task<int> RunInteractiveAsync(string target, ExecSpec spec, CancellationToken ct)
    {
        await EnterAsync("interactive", target, spec, ct);
        return 0;
    }

    public async Task<string> LogsAsync(string target, int tail, CancellationToken ct)
    {
        await EnterAsync("logs", target, tail, ct);
        lock (_lock)
        {
            return Existing(target).Logs;
        }
    }

    /// <summary>
    /// As docker logs: the lines since Since (inclusive), the last Tail of them; with Follow, new
    /// lines as they are written until the container stops or the call is cancelled.
    /// </summary>
    public async Task StreamLogsAsync(string target, LogRequest request, ILogObserver observer, CancellationToken ct)
    {
        await EnterAsync("logs", target, request, ct);
        FakeContainer c;
        lock (_lock)
        {
            c = Existing(target);
        }
        var since = request.Since is { } s ? LogLines.ToUtc(s) : DateTime.MinValue;
        var lines = c.LogLines.Where(l => l.Timestamp >= since).ToList();
        if (request.Tail is { } tail)
        {
            lines = lines.Skip(Math.Max(0, lines.Count - tail)).ToList();
        }
        var sent = c.LogLines.Count;
        foreach (var l in lines)
        {
            observer.OnLine(l.Stream, l.Timestamp, l.Text);
        }
        while (request.Follow)
        {
            var all = c.LogLines;
            foreach (var l in all.Skip(sent))
            {
                observer.OnLine(l.Stream, l.Timestamp, l.Text);
            }
            sent = all.Count;
            bool running;
            lock (_lock)
            {
                running = c.Status is "running" or "paused" && Containers.Contains(c);
            }
            if (!running && c.LogLines.Count == sent)
            {
                return;
            }
            await Task.Delay(10, ct);
        }
    }

    // ---- the machine toolkit ------------------------------------------------------------------

    private static readonly string[] FolderRoots = { "/", "/tmp", "/etc" };

    /// <summary>docker cp over <see cref="FakeContainer.Files"/> and the real host file system, with docker's path rules.</summary>
    public async Task CopyAsync(string target, CopySpec spec, CancellationToken ct)
    {
        await EnterAsync("cp", target, spec, ct);
        lock (_lock)
        {
            var c = Existing(target);
            var contents = DockerVmInstance.ContentsOf(spec.Source);
            var source = contents ?? spec.Source;
            if (spec.Direction == CopyDirection.ToContainer)
            {
                var dest = spec.ContainerPath.TrimEnd('/');
                var parent = dest.Contains('/') ? dest.Substring(0, dest.LastIndexOf('/')) : "/";
                if (!IsFolder(c, dest) && !IsFolder(c, parent.Length == 0 ? "/" : parent))
                {
                    throw Failures.EnginePathNotFound(target, "fake cp", 1, $"Error response from daemon: Could not find the file {parent} in container {target}");
                }
                if (File.Exists(source))
                {
                    c.Files[IsFolder(c, dest) ? dest + "/" + Path.GetFileName(source) : dest] = File.ReadAllBytes(source);
                    return;
                }
                if (!Directory.Exists(source))
                {
                    throw Failures.EnginePathNotFound(target, "fake cp", 1, $"lstat {source}: no such file or directory");
                }
                var root = contents is not null || !IsFolder(c, dest) ? dest : dest + "/" + Path.GetFileName(source.TrimEnd('/'));
                foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
                {
                    c.Files[root + "/" + Path.GetRelativePath(source, file).Replace('\\', '/')] = File.ReadAllBytes(file);
                }
                return;
            }
            var from = source.TrimEnd('/');
            var hostRoot = contents is not null || !Directory.Exists(spec.HostPath) ? spec.HostPath : Path.Combine(spec.HostPath, from.Substring(from.LastIndexOf('/') + 1));
            if (c.Files.TryGetValue(from, out var bytes))
            {
                File.WriteAllBytes(hostRoot, bytes);
                return;
            }
            var inside = c.Files.Where(f => f.Key.StartsWith(from + "/", StringComparison.Ordinal)).ToList();
            if (inside.Count == 0)
            {
                throw Failures.EnginePathNotFound(target, "fake cp", 1, $"Error response from daemon: Could not find the file {from} in container {target}");
            }
            foreach (var f in inside)
            {
                var path = Path.Combine(hostRoot, f.Key.Substring(from.Length + 1));
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, f.Value);
            }
        }
    }

    private static bool IsFolder(FakeContainer c, string path) =>
        path.Length == 0 || FolderRoots.Contains(path) || c.Files.Keys.Any(k => k.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal));

    /// <summary>docker commit: an image of the container, its labels with the spec's over them; the tag moves to it.</summary>
    public async Task<string> CommitAsync(string target, CommitSpec spec, CancellationToken ct)
    {
        await EnterAsync("commit", target, spec, ct);
        lock (_lock)
        {
            var c = Existing(target);
            var labels = new Dictionary<string, string>(c.Labels, StringComparer.Ordinal);
            foreach (var kv in spec.Labels)
            {
                labels[kv.Key] = kv.Value;
            }
            foreach (var other in LocalImages)
            {
                other.RepoTags.Remove(spec.Reference);
            }
            var image = new FakeImage { Labels = labels, Command = c.Command.ToList() };
            image.RepoTags.Add(spec.Reference);
            LocalImages.Add(image);
            return image.Id;
        }
    }

    /// <summary>docker rmi: a missing image is CheckpointNotFound, one a container uses is refused.</summary>
    public async Task RemoveImageAsync(string reference, CancellationToken ct)
    {
        await EnterAsync("rmi", reference, null, ct);
        lock (_lock)
        {
            var image = LocalImage(reference)
                        ?? throw Failures.CheckpointImageNotFound(reference, "fake rmi", 1, $"Error: No such image: {reference}");
            if (Containers.Any(c => c.Image == image.Id || image.RepoTags.Contains(c.Image)))
            {
                throw Failures.ImageInUse(reference, "fake rmi", $"Error response from daemon: conflict: unable to remove repository reference \"{reference}\" (must force) - container is using its referenced image");
            }
            if (image.Id == reference)
            {
                image.RepoTags.Clear();
            }
            image.RepoTags.Remove(reference);
            if (image.RepoTags.Count == 0)
            {
                LocalImages.Remove(image);
            }
        }
    }

    public async Task RenameAsync(string target, string newName, CancellationToken ct)
    {
        await EnterAsync("rename", target, newName, ct);
        lock (_lock)
        {
            var c = Existing(target);
            if (Containers.Any(o => o != c && o.Name == newName))
            {
                throw Failures.FromEngine(DockerVmErrorKind.NameConflict, newName, "fake rename", 1,
                    $"Error when allocating new name: Conflict. The container name \"/{newName}\" is already in use.");
            }
            c.Name = newName;
        }
    }

    /// <summary>As the CLI transport lists images: one "images" call (the inspect is part of it here).</summary>
    public async Task<IReadOnlyList<ImageInfo>> ListImagesAsync(IReadOnlyList<string> labelFilters, CancellationToken ct)
    {
        await EnterAsync("images", string.Join(",", labelFilters), null, ct);
        lock (_lock)
        {
            return LocalImages.Where(i => labelFilters.All(f =>
            {
                var kv = f.Split('=', 2);
                return i.Labels.TryGetValue(kv[0], out var v) && (kv.Length == 1 || v == kv[1]);
            })).Select(i => new ImageInfo
            {
                Id = i.Id,
                RepoTags = i.RepoTags.ToList(),
                Created = i.Created,
                Labels = new Dictionary<string, string>(i.Labels),
            }).ToList();
        }
    }

    private FakeImage? LocalImage(string reference)
    {
        lock (_lock)
        {
            return LocalImages.FirstOrDefault(i => i.Id == reference || i.RepoTags.Contains(reference));
        }
    }

    private static Task<ExecOutcome> DefaultExec(FakeContainer c, ExecSpec spec, IExecObserver? observer, CancellationToken ct)
    {
        var line = string.Join(" ", new[] { spec.Command }.Concat(spec.Arguments));
        observer?.OnStandardOutput(line);
        return Task.FromResult(new ExecOutcome { ExitCode = 0, StandardOutput = line + "\n" });
    }

    private async Task EnterAsync(string operation, string target, object? detail, CancellationToken ct)
    {
        var call = new FakeCall(operation, target, detail);
        _calls.Enqueue(call);
        CommandTrace.Emit(new CommandTraceEvent("issued", $"fake {operation} {target}"));
        Action<FakeCall>? hook;
        Exception? failure = null;
        bool hang;
        lock (_lock)
        {
            _before.TryGetValue(operation, out hook);
            if (_failures.TryGetValue(operation, out var q) && q.Count > 0)
            {
                failure = q.Dequeue();
            }
            hang = _hangs.Contains(operation);
        }
        hook?.Invoke(call);
        if (hang)
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        await Task.Yield();
        ct.ThrowIfCancellationRequested();
        if (failure is not null)
        {
            throw failure;
        }
    }

    private FakeContainer Existing(string target) =>
        Find(target) ?? throw Failures.FromEngine(DockerVmErrorKind.NotFound, target, "fake", 1, $"Error: No such container: {target}");

    private string NextIp() => $"172.17.0.{Interlocked.Increment(ref _nextIp)}";

    private static ContainerInfo Info(FakeContainer c) => new()
    {
        Id = c.Id,
        Name = c.Name,
        Image = c.Image,
        Created = c.Created,
        Labels = new Dictionary<string, string>(c.Labels),
        Command = c.Command.ToList(),
        State = new ContainerStateInfo
        {
            StatusText = c.Status,
            Running = c.Status == "running",
            Paused = c.Status == "paused",
            ExitCode = c.ExitCode,
            StartedAt = c.StartedAt,
            Health = c.Health,
        },
        Ports = c.Ports.ToList(),
        HealthcheckTest = c.HealthcheckTest.ToList(),
        Networks = c.Status is "running" or "paused" && c.IPAddress.Length > 0
            ? new[] { new ContainerNetwork { Name = "bridge", IPAddress = c.IPAddress } }
            : Array.Empty<ContainerNetwork>(),
    };
}
