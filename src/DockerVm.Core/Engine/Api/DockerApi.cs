using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine.Api;

namespace DockerVm.Engine
{
    /// <summary>
    /// The Engine API transport: every request goes straight to the engine's socket (unix, named pipe,
    /// tcp, TLS) through <see cref="ApiClient"/>, with no child process. Behaviour, error ids and
    /// guarantees are the CLI transport's (<see cref="DockerCli"/>): the same idempotency, the same
    /// ceilings, the same liveness probe of a request that does not answer, and -WhatIf shows the same
    /// docker command. The engine's address is resolved at each request (DOCKER_HOST, DOCKER_CONTEXT,
    /// -Context), as the CLI does at each command; the API version is negotiated once per address.
    /// </summary>
    public sealed partial class DockerApi : IDockerEngine, IImageCatalog
    {
        /// <summary>The newest API version this client speaks; an older engine's own is used.</summary>
        public const string HighestVersion = "1.43";
        /// <summary>The oldest it accepts (exec's WorkingDir came in 1.35, Docker 17.12).</summary>
        public const string LowestVersion = "1.35";

        private const string OciExecFailed = "OCI runtime exec failed:";
        private const int StreamedStderrKept = 64 * 1024;
        private static readonly TimeSpan QueryCeiling = TimeSpan.FromMinutes(10);
        private static readonly TimeSpan ChangeCeiling = TimeSpan.FromMinutes(10);
        private static readonly TimeSpan CreateCeiling = TimeSpan.FromMinutes(15);
        private static readonly TimeSpan KillExecCeiling = TimeSpan.FromSeconds(5);
        private static readonly TimeSpan GraceAfterInterrupt = TimeSpan.FromSeconds(1);
        private static readonly byte[] AttachedStart = Encoding.ASCII.GetBytes("{\"Detach\":false,\"Tty\":false}");
        private static readonly byte[] DetachedStart = Encoding.ASCII.GetBytes("{\"Detach\":true,\"Tty\":false}");

        private readonly Func<ApiTarget> _resolve;
        private readonly ConcurrentDictionary<string, ApiClient> _clients = new(StringComparer.Ordinal);
        private readonly DockerCli _cli;

        public DockerApi(string? context = null)
            : this(context, () => ApiTarget.Resolve(context), null)
        {
        }

        internal DockerApi(string? context, Func<ApiTarget> resolve, DockerCli? cli)
        {
            Context = context ?? "";
            _resolve = resolve;
            _cli = cli ?? new DockerCli(context);
        }

        /// <summary>How long a request runs before the engine is probed.</summary>
        internal TimeSpan ProbeAfter { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>How often the engine is probed after that.</summary>
        internal TimeSpan ProbeEvery { get; set; } = TimeSpan.FromSeconds(20);

        /// <summary>How long a ping may take before the engine counts as dead (LivenessProbe's deadline unless a test shortens it).</summary>
        internal TimeSpan? PingDeadline { get; set; }

        public string Context { get; }

        public string Transport
        {
            get
            {
                try
                {
                    var target = _resolve();
                    var version = _clients.TryGetValue(target.Key, out var c) ? c.Version : null;
                    return "api: " + target + (version is null ? "" : $" (API {version})");
                }
                catch (Exception)
                {
                    return "api";
                }
            }
        }

        /// <summary>The docker command that does the same, exactly as the CLI transport shows it.</summary>
        public string Describe(EngineRequest request) => _cli.Describe(request);

        // ---- changes ------------------------------------------------------------------------------

        public async Task<string> CreateAsync(CreateSpec spec, CancellationToken ct)
        {
            var options = new CreateOptions();
            // The first-class options are docker create flags too: one translation for both.
            var flags = DockerCommands.TypedOptions(spec).Concat(spec.CreateArguments).ToList();
            if (!CreateTranslation.TryTranslate(flags, options, out var untranslated))
            {
                return await CreateThroughCliAsync(spec, untranslated!, ct).ConfigureAwait(false);
            }
            // A create cancelled in flight may still be made by the engine, and the caller then removes it by its
            // create token. Give the engine the CLI path's grace (SIGINT, then a kill 1 s later) to answer or at least
            // to have acted, so that the clean-up's listing finds what it made; then report the cancellation anyway.
            using var grace = new CancellationTokenSource();
            using var escalate = ct.Register(() => grace.CancelAfter(GraceAfterInterrupt));
            try
            {
                var id = await CreateCoreAsync(spec, options, grace.Token).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                return id;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException(ct);
            }
        }

        private async Task<string> CreateCoreAsync(CreateSpec spec, CreateOptions options, CancellationToken ct)
        {
            var body = CreateTranslation.Body(spec, options);
            var path = "/containers/create?name=" + Uri.EscapeDataString(spec.Name);
            for (var attempt = 0; ; attempt++)
            {
                string? missing = null;
                var id = await SendAsync(new Call("create", "POST", path, spec.Name, CreateCeiling) { Body = body }, async (r, t) =>
                {
                    if (r.Status == 201)
                    {
                        using var doc = JsonDocument.Parse(await r.ReadAllAsync(t).ConfigureAwait(false));
                        return doc.RootElement.TryGetProperty("Id", out var i) && i.GetString() is { Length: > 0 } s
                            ? s
                            : throw new FormatException("the answer has no container id");
                    }
                    var message = await MessageAsync(r, t).ConfigureAwait(false);
                    if (r.Status == 404 && message.IndexOf("No such image", StringComparison.OrdinalIgnoreCase) >= 0)
                    {
                        missing = message;
                        return null;
                    }
                    throw Map("create", r, message, spec.Name);
                }, ct).ConfigureAwait(false);
                if (id is not null)
                {
                    return id;
                }
                if (attempt > 0)
                {
                    throw Failures.FromEngine(DockerVmErrorKind.ImageNotFound, spec.Name, Display("POST", path), null, missing!);
                }
                // As docker create does: pull the missing image once, then create again.
                await PullAsync(spec.Image, spec.Name, ct).ConfigureAwait(false);
            }
        }

        public Task StartAsync(string target, CancellationToken ct) =>
            ChangeAsync("start", "POST", $"/containers/{Esc(target)}/start", target, ChangeCeiling, (status, _) => status == 304, ct);

        public Task StopAsync(string target, int graceSec, CancellationToken ct)
        {
            var grace = Math.Max(0, graceSec);
            // 304, or "is not running": already stopped, which is what was asked.
            return ChangeAsync("stop", "POST", $"/containers/{Esc(target)}/stop?t={grace.ToString(CultureInfo.InvariantCulture)}", target,
                ChangeCeiling + Timeouts.Seconds(grace), (status, message) => status == 304 || (status >= 400 && CliErrors.IsNotRunning(message)), ct);
        }

        public Task PauseAsync(string target, CancellationToken ct) =>
            ChangeAsync("pause", "POST", $"/containers/{Esc(target)}/pause", target, ChangeCeiling,
                (status, message) => status >= 400 && CliErrors.IsAlreadyPaused(message), ct);

        public Task UnpauseAsync(string target, CancellationToken ct) =>
            ChangeAsync("unpause", "POST", $"/containers/{Esc(target)}/unpause", target, ChangeCeiling, (_, _) => false, ct);

        public Task RemoveAsync(string target, bool force, CancellationToken ct) =>
            SendAsync(new Call("rm", "DELETE", $"/containers/{Esc(target)}?force={(force ? "1" : "0")}", target, ChangeCeiling), async (r, t) =>
            {
                if (r.Status == 204 || r.Status == 200)
                {
                    return true;
                }
                var message = await MessageAsync(r, t).ConfigureAwait(false);
                if (r.Status == 409 && CliErrors.IsRemoveOfRunning(message))
                {
                    throw Failures.RemoveRunning(target, Display(r), message);
                }
                throw Map("rm", r, message, target);
            }, ct);

        /// <summary>POST /containers/{id}/rename: the engine lets one rename of a container win (pools claim by it).</summary>
        public Task RenameAsync(string target, string newName, CancellationToken ct) =>
            ChangeAsync("rename", "POST", $"/containers/{Esc(target)}/rename?name={Uri.EscapeDataString(newName)}", target, ChangeCeiling, (_, _) => false, ct);

        // ---- through the CLI: the interactive shell needs the user's console (a TTY) as docker exec -it's own.
        // Logs, copies and checkpoint images are Engine API requests (ApiLogs.cs, ApiCopy.cs, ApiImages.cs).

        public Task<int> RunInteractiveAsync(string target, ExecSpec spec, CancellationToken ct) => _cli.RunInteractiveAsync(target, spec, ct);

        // ---- queries ------------------------------------------------------------------------------

        public async Task<IReadOnlyList<ContainerInfo>> InspectAsync(IReadOnlyList<string> targets, CancellationToken ct)
        {
            if (targets.Count == 0)
            {
                return Array.Empty<ContainerInfo>();
            }
            if (targets.Count == 1)
            {
                return await InspectOneAsync(targets[0], ct).ConfigureAwait(false) is { } one ? new[] { one } : Array.Empty<ContainerInfo>();
            }
            // A few at a time on the kept connections; the answer in the order asked, as docker inspect prints it.
            using var room = new SemaphoreSlim(4);
            var all = targets.Select(async t =>
            {
                await room.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    return await InspectOneAsync(t, ct).ConfigureAwait(false);
                }
                finally
                {
                    room.Release();
                }
            }).ToList();
            return (await Task.WhenAll(all).ConfigureAwait(false)).Where(i => i is not null).Select(i => i!).ToList();
        }

        private Task<ContainerInfo?> InspectOneAsync(string target, CancellationToken ct) =>
            SendAsync(new Call("inspect", "GET", $"/containers/{Esc(target)}/json", target, QueryCeiling), async (r, t) =>
            {
                if (r.Status == 404)
                {
                    await r.ReadAllAsync(t).ConfigureAwait(false);
                    return null; // absent, as docker inspect leaves a missing container out
                }
                if (r.Status != 200)
                {
                    throw Map("inspect", r, await MessageAsync(r, t).ConfigureAwait(false), target);
                }
                // The API's answer is the object docker inspect prints in its array (Podman's state words read as docker's).
                var json = PodmanCompat.Inspect(await r.ReadStringAsync(t).ConfigureAwait(false));
                return ContainerInfo.ParseObject(json);
            }, ct);

        /// <summary>One request, however many containers: the listing carries names, status, labels and addresses.</summary>
        public Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyList<string> labelFilters, CancellationToken ct) =>
            SendAsync(new Call("ps", "GET", ListPath(labelFilters), null, QueryCeiling), async (r, t) =>
            {
                if (r.Status != 200)
                {
                    throw Map("ps", r, await MessageAsync(r, t).ConfigureAwait(false), null);
                }
                return ContainerSummary.ParseArray(await r.ReadStringAsync(t).ConfigureAwait(false));
            }, ct);

        public Task<IReadOnlyList<string>> ListIdsAsync(IReadOnlyList<string> labelFilters, CancellationToken ct) =>
            SendAsync(new Call("ps", "GET", ListPath(labelFilters), null, QueryCeiling), async (r, t) =>
            {
                if (r.Status != 200)
                {
                    throw Map("ps", r, await MessageAsync(r, t).ConfigureAwait(false), null);
                }
                return ContainerSummary.ParseIds(await r.ReadStringAsync(t).ConfigureAwait(false));
            }, ct);

        public Task<string> LogsAsync(string target, int tail, CancellationToken ct) =>
            SendAsync(new Call("logs", "GET", $"/containers/{Esc(target)}/logs?stdout=1&stderr=1&tail={tail.ToString(CultureInfo.InvariantCulture)}", target, QueryCeiling), async (r, t) =>
            {
                if (r.Status != 200)
                {
                    throw Map("logs", r, await MessageAsync(r, t).ConfigureAwait(false), target);
                }
                var stdout = new LineSink(null, null);
                var stderr = new LineSink(null, null);
                // Framed unless the container has a TTY: the engine says so from API 1.42 on; before, the first bytes tell.
                bool? framed = r.ContentType.IndexOf("multiplexed", StringComparison.OrdinalIgnoreCase) >= 0 ? true : null;
                var demux = new StreamDemux((s, b, o, n) => (s == StreamDemux.Stdout ? stdout : stderr).Write(b, o, n), framed);
                await PumpAsync(r, demux, null, t).ConfigureAwait(false);
                stdout.Complete();
                stderr.Complete();
                return (stdout.Text + stderr.Text).TrimEnd();
            }, ct);

        /// <summary>The local images as repository:tag (untagged ones left out), one request.</summary>
        public Task<IReadOnlyList<string>> ListImagesAsync(CancellationToken ct) =>
            SendAsync(new Call("images", "GET", "/images/json", null, QueryCeiling), async (r, t) =>
            {
                if (r.Status != 200)
                {
                    throw Map("images", r, await MessageAsync(r, t).ConfigureAwait(false), null);
                }
                using var doc = JsonDocument.Parse(await r.ReadAllAsync(t).ConfigureAwait(false));
                var tags = new List<string>();
                foreach (var image in doc.RootElement.EnumerateArray())
                {
                    if (image.TryGetProperty("RepoTags", out var rt) && rt.ValueKind == JsonValueKind.Array)
                    {
                        tags.AddRange(rt.EnumerateArray().Select(x => x.GetString() ?? "").Where(x => x.Length > 0 && !x.Contains("<none>")));
                    }
                }
                return (IReadOnlyList<string>)tags;
            }, ct);

        // ---- exec ---------------------------------------------------------------------------------

        public Task<ExecOutcome> ExecAsync(string target, ExecSpec spec, IExecObserver? observer, CancellationToken ct) =>
            ExecRoot.RunAsync(target, spec, async t => (await InspectAsync(new[] { target }, t).ConfigureAwait(false)).FirstOrDefault(),
                root => ExecOnceAsync(target, spec, observer, root, ct), ct);

        private async Task<ExecOutcome> ExecOnceAsync(string target, ExecSpec spec, IExecObserver? given, ExecRoot root, CancellationToken ct)
        {
            var observer = root.Gate(given);
            var watch = Stopwatch.StartNew();
            var execId = await CreateExecAsync(target, ExecBody(spec, root), target, ct).ConfigureAwait(false);

            // The engine reports its own failure to start the process ("OCI runtime exec failed", command
            // not found ...) on stdout: it belongs on stderr.
            var oci = new StringBuilder();
            var stdout = new LineSink(observer is null ? null : line =>
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
            }, observer is null ? null : 0); // streamed output is not kept (constant memory); -AsResult keeps the exact text
            var stderr = new LineSink(observer is null ? null : observer.OnStandardError, observer is null ? null : StreamedStderrKept);
            if (root.Wrapped)
            {
                stderr.ExpectPreamble(root.Prefix, root.OnPreamble); // the wrapper's pid line is ours
            }
            using var grace = root.Follow(ct);
            try
            {
                await SendAsync(new Call("exec", "POST", $"/exec/{Esc(execId)}/start", target, null) { Body = AttachedStart, Upgrade = true }, async (r, t) =>
                {
                    if (r.Status != 101 && r.Status != 200)
                    {
                        throw Map("exec", r, await MessageAsync(r, t).ConfigureAwait(false), target);
                    }
                    var input = spec.StandardInput is null ? Task.CompletedTask : WriteInputAsync(r.Connection, spec.StandardInput, t);
                    var demux = new StreamDemux((s, b, o, n) => (s == StreamDemux.Stdout ? stdout : stderr).Write(b, o, n));
                    await PumpAsync(r, demux, () => stdout.Error is not null || stderr.Error is not null, t).ConfigureAwait(false);
                    stdout.Complete();
                    stderr.Complete();
                    await input.ConfigureAwait(false);
                    return true;
                }, grace.Token).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException)
            {
                // Closing the stream leaves the process running in the container: end it, and all it started.
                await KillExecAsync(target, root).ConfigureAwait(false);
                if (ct.IsCancellationRequested)
                {
                    throw new OperationCanceledException(ct);
                }
                throw;
            }
            if ((stdout.Error ?? stderr.Error) is { } callbackError)
            {
                // A line callback failed: the stream was closed; end the process too, then report the callback's error.
                await KillExecAsync(target, root).ConfigureAwait(false);
                ExceptionDispatchInfo.Capture(callbackError).Throw();
            }
            var exitCode = await ExitCodeAsync(execId, target, ct).ConfigureAwait(false);
            var (output, error) = stdout.Text.StartsWith(OciExecFailed, StringComparison.Ordinal)
                ? ("", stdout.Text + stderr.Text)
                : (stdout.Text, oci.ToString() + stderr.Text);
            return new ExecOutcome { ExitCode = exitCode, StandardOutput = output, StandardError = error, Duration = watch.Elapsed };
        }

        private Task<string> CreateExecAsync(string target, byte[] body, string? vmName, CancellationToken ct) =>
            SendAsync(new Call("exec", "POST", $"/containers/{Esc(target)}/exec", vmName, QueryCeiling) { Body = body }, async (r, t) =>
            {
                if (r.Status != 201)
                {
                    throw Map("exec", r, await MessageAsync(r, t).ConfigureAwait(false), vmName);
                }
                using var doc = JsonDocument.Parse(await r.ReadAllAsync(t).ConfigureAwait(false));
                return doc.RootElement.TryGetProperty("Id", out var i) && i.GetString() is { Length: > 0 } id
                    ? id
                    : throw new FormatException("the answer has no exec id");
            }, ct);

        // The exit code from exec inspect. The stream can close a moment before the engine records the
        // exit: wait for it a little (a process that closed its output and runs on is not waited for).
        private async Task<int> ExitCodeAsync(string execId, string target, CancellationToken ct)
        {
            var deadline = Stopwatch.StartNew();
            var delay = 5;
            while (true)
            {
                var (running, code) = await InspectExecAsync(execId, target, ct).ConfigureAwait(false);
                if (!running || deadline.Elapsed > TimeSpan.FromSeconds(2))
                {
                    return code ?? 0;
                }
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 100);
            }
        }

        private Task<(bool Running, int? ExitCode)> InspectExecAsync(string execId, string target, CancellationToken ct) =>
            SendAsync(new Call("exec", "GET", $"/exec/{Esc(execId)}/json", target, QueryCeiling), async (r, t) =>
            {
                if (r.Status != 200)
                {
                    throw Map("exec", r, await MessageAsync(r, t).ConfigureAwait(false), target);
                }
                using var doc = JsonDocument.Parse(await r.ReadAllAsync(t).ConfigureAwait(false));
                var root = doc.RootElement;
                var running = root.TryGetProperty("Running", out var run) && run.ValueKind == JsonValueKind.True;
                int? code = root.TryGetProperty("ExitCode", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : null;
                return (running, code);
            }, ct);

        /// <summary>The API has no exec kill: a second exec, as root, ends every process the first one started (as the CLI path does).</summary>
        private async Task KillExecAsync(string target, ExecRoot root)
        {
            try
            {
                using var cts = new CancellationTokenSource(KillExecCeiling);
                var id = await CreateExecAsync(target, Json(w =>
                {
                    w.WriteBoolean("AttachStdout", false);
                    w.WriteBoolean("AttachStderr", false);
                    w.WriteString("User", "0");
                    Strings(w, "Cmd", root.KillCommand());
                }), target, cts.Token).ConfigureAwait(false);
                await SendAsync(new Call("exec", "POST", $"/exec/{Esc(id)}/start", target, KillExecCeiling) { Body = DetachedStart }, async (r, t) =>
                {
                    await r.ReadAllAsync(t).ConfigureAwait(false);
                    return true;
                }, cts.Token).ConfigureAwait(false);
                while ((await InspectExecAsync(id, target, cts.Token).ConfigureAwait(false)).Running)
                {
                    await Task.Delay(20, cts.Token).ConfigureAwait(false);
                }
            }
            catch (Exception)
            {
                // Best effort: the image may have no shell, or the engine may be gone.
            }
        }

        private static async Task WriteInputAsync(HttpConnection connection, string input, CancellationToken ct)
        {
            try
            {
                var bytes = new UTF8Encoding(false).GetBytes(input);
                for (var offset = 0; offset < bytes.Length; offset += 64 * 1024)
                {
                    await connection.WriteAsync(bytes, offset, Math.Min(64 * 1024, bytes.Length - offset), ct).ConfigureAwait(false);
                }
                await connection.FlushAsync(ct).ConfigureAwait(false);
                await connection.CloseWriteAsync().ConfigureAwait(false); // end of file for the process's stdin
            }
            catch (Exception)
            {
                // The process ended without reading it all, or the stream was closed: its output tells the rest.
            }
        }

        private static async Task PumpAsync(ApiResponse r, StreamDemux demux, Func<bool>? stop, CancellationToken ct)
        {
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await r.ReadAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false)) > 0)
            {
                demux.Feed(buffer, 0, n);
                if (stop?.Invoke() == true)
                {
                    r.Abort();
                    return;
                }
            }
            demux.Complete();
        }

        private static byte[] ExecBody(ExecSpec spec, ExecRoot root) => Json(w =>
        {
            w.WriteBoolean("AttachStdin", spec.StandardInput is not null);
            w.WriteBoolean("AttachStdout", true);
            w.WriteBoolean("AttachStderr", true);
            w.WriteBoolean("Tty", false);
            // The marker first, then the environment sorted: as the CLI path passes them.
            Strings(w, "Env", new[] { DockerCommands.ExecMarkerVariable + "=" + root.Marker }
                .Concat(spec.Environment.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)));
            if (!string.IsNullOrEmpty(spec.WorkingDirectory))
            {
                w.WriteString("WorkingDir", spec.WorkingDirectory);
            }
            if (!string.IsNullOrEmpty(spec.User))
            {
                w.WriteString("User", spec.User);
            }
            Strings(w, "Cmd", root.Command(spec));
        });

        // ---- create helpers -----------------------------------------------------------------------

        private async Task<string> CreateThroughCliAsync(CreateSpec spec, string untranslated, CancellationToken ct)
        {
            // A flag the API transport does not translate: this one create goes through the docker CLI.
            try
            {
                return await _cli.CreateAsync(spec, ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.CliNotFound)
            {
                throw Failures.CreateArgumentNeedsCli(untranslated, _cli.Program, spec.Name, CreateTranslation.Known, e);
            }
        }

        private Task PullAsync(string image, string vmName, CancellationToken ct)
        {
            var (name, tag) = SplitImage(image);
            var path = "/images/create?fromImage=" + Uri.EscapeDataString(name) + (tag.Length > 0 ? "&tag=" + Uri.EscapeDataString(tag) : "");
            return SendAsync(new Call("create", "POST", path, vmName, CreateCeiling), async (r, t) =>
            {
                if (r.Status != 200)
                {
                    throw Failures.FromEngine(DockerVmErrorKind.ImageNotFound, vmName, Display(r), null, await MessageAsync(r, t).ConfigureAwait(false));
                }
                // A stream of JSON progress messages; a failure is a message with "error" (the status stays 200).
                string? error = null;
                var pending = new StringBuilder();
                var decoder = new UTF8Encoding(false).GetDecoder();
                var bytes = new byte[16 * 1024];
                var chars = new char[16 * 1024 + 4];
                int n;
                while ((n = await r.ReadAsync(bytes, 0, bytes.Length, t).ConfigureAwait(false)) > 0)
                {
                    var c = decoder.GetChars(bytes, 0, n, chars, 0);
                    pending.Append(chars, 0, c);
                    var text = pending.ToString();
                    var last = text.LastIndexOf('\n');
                    if (last < 0)
                    {
                        continue;
                    }
                    foreach (var line in text.Substring(0, last).Split('\n'))
                    {
                        error = PullError(line) ?? error;
                    }
                    pending.Clear().Append(text.Substring(last + 1));
                }
                error = PullError(pending.ToString()) ?? error;
                if (error is not null)
                {
                    throw Failures.FromEngine(DockerVmErrorKind.ImageNotFound, vmName, Display(r), null, error);
                }
                return true;
            }, ct);
        }

        private static string? PullError(string line)
        {
            line = line.Trim();
            if (line.Length == 0 || line[0] != '{')
            {
                return null;
            }
            try
            {
                using var doc = JsonDocument.Parse(line);
                return doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>name[:tag] or name@digest → (fromImage, tag); no tag is latest (an empty tag would pull every tag).</summary>
        internal static (string Name, string Tag) SplitImage(string image)
        {
            if (image.IndexOf('@') >= 0)
            {
                return (image, "");
            }
            var colon = image.LastIndexOf(':');
            return colon > image.LastIndexOf('/') ? (image.Substring(0, colon), image.Substring(colon + 1)) : (image, "latest");
        }

        // ---- requests -----------------------------------------------------------------------------

        /// <summary>One request: what it is, its path (without the version), its bound.</summary>
        private sealed class Call
        {
            public Call(string operation, string method, string path, string? vmName, TimeSpan? ceiling)
            {
                Operation = operation;
                Method = method;
                Path = path;
                VmName = vmName;
                Ceiling = ceiling;
            }

            /// <summary>The docker command it stands for (create, rm, ...): the error rules are per command.</summary>
            public string Operation { get; }
            public string Method { get; }
            public string Path { get; }
            public string? VmName { get; }
            /// <summary>How long the engine may take to answer (and, for a stream, to finish it); null: as long as the caller allows.</summary>
            public TimeSpan? Ceiling { get; }
            public byte[]? Body { get; init; }
            /// <summary>Ask for the connection to be hijacked (Upgrade: tcp), for exec's stream.</summary>
            public bool Upgrade { get; init; }
            /// <summary>Sent without the /vX.YY prefix (/version itself).</summary>
            public bool Unversioned { get; init; }
            /// <summary>A body written as it goes (a tar, chunked), instead of <see cref="Body"/>.</summary>
            public Func<Stream, CancellationToken, Task>? Upload { get; init; }
        }

        private async Task ChangeAsync(string operation, string method, string path, string target, TimeSpan ceiling, Func<int, string, bool> accept, CancellationToken ct) =>
            await SendAsync(new Call(operation, method, path, target, ceiling), async (r, t) =>
            {
                if (r.Status == 204 || r.Status == 200)
                {
                    await r.ReadAllAsync(t).ConfigureAwait(false);
                    return true;
                }
                var message = r.Status == 304 ? "" : await MessageAsync(r, t).ConfigureAwait(false);
                if (accept(r.Status, message))
                {
                    return true;
                }
                throw Map(operation, r, message, target);
            }, ct).ConfigureAwait(false);

        /// <summary>
        /// Sends one request and reads its answer with <paramref name="read"/>, with the CLI path's
        /// bounds: the call's ceiling, and a liveness probe of the engine from <see cref="ProbeAfter"/>
        /// on (a dead engine ends the request as EngineDead, a slow one is waited for). Traced for -Verbose.
        /// </summary>
        private async Task<T> SendAsync<T>(Call call, Func<ApiResponse, CancellationToken, Task<T>> read, CancellationToken ct)
        {
            var target = _resolve();
            if (target.Unsupported is { } why)
            {
                throw target.Address.Length == 0
                    ? Failures.FromEngine(DockerVmErrorKind.EngineUnavailable, call.VmName, $"api {call.Method} {call.Path}", null, $"No engine address: {target.Source}.")
                    : Failures.ApiUnsupported(target.ToString(), why);
            }
            var client = _clients.GetOrAdd(target.Key, _ => new ApiClient(target));
            if (!call.Unversioned && client.Version is null)
            {
                client.Version = await NegotiateAsync(client, call.VmName, ct).ConfigureAwait(false);
            }
            var path = call.Unversioned ? call.Path : "/v" + client.Version + call.Path;
            var display = Display(call.Method, path);

            using var ceilingCts = call.Ceiling is null ? new CancellationTokenSource() : new CancellationTokenSource(Timeouts.Clamp(call.Ceiling.Value));
            using var engineDead = new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, ceilingCts.Token, engineDead.Token);

            CommandTrace.Emit(new CommandTraceEvent("issued", display));
            var watch = Stopwatch.StartNew();
            int? status = null;
            var work = RunAsync();
            _ = WatchAsync(client, work, engineDead, linked.Token);
            try
            {
                var result = await work.ConfigureAwait(false);
                CommandTrace.Emit(new CommandTraceEvent("completed", display, watch.Elapsed, null, null, Answer(status)));
                return result;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && engineDead.IsCancellationRequested)
            {
                CommandTrace.Emit(new CommandTraceEvent("failed", display, watch.Elapsed, null, "engine dead", Answer(status)));
                throw Failures.EngineDead(display, target.ToString(), watch.Elapsed, call.VmName);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && ceilingCts.IsCancellationRequested)
            {
                CommandTrace.Emit(new CommandTraceEvent("failed", display, watch.Elapsed, null, "no answer", Answer(status)));
                throw Failures.NoAnswer(display, call.Ceiling!.Value, call.VmName);
            }
            catch (OperationCanceledException)
            {
                CommandTrace.Emit(new CommandTraceEvent("failed", display, watch.Elapsed, null, "cancelled", Answer(status)));
                throw;
            }
            catch (EngineConnectException e)
            {
                CommandTrace.Emit(new CommandTraceEvent("failed", display, watch.Elapsed, null, e.Message, "no connection"));
                throw Failures.FromEngine(DockerVmErrorKind.EngineUnavailable, call.VmName, display, null,
                    $"Cannot connect to the Docker engine at {target} ({target.Source}): {e.Message}");
            }
            catch (DockerVmException e)
            {
                CommandTrace.Emit(new CommandTraceEvent("failed", display, watch.Elapsed, null, Failures.Tail(e.StandardError ?? e.Message, 2), Answer(status)));
                throw;
            }
            catch (Exception e) when (e is InvalidDataException || e is JsonException || e is FormatException)
            {
                CommandTrace.Emit(new CommandTraceEvent("failed", display, watch.Elapsed, null, e.Message, Answer(status)));
                throw Failures.ApiUnreadable(display, e.Message, call.VmName, e);
            }
            catch (Exception e) when (e is IOException || e is SocketException || e is ObjectDisposedException)
            {
                CommandTrace.Emit(new CommandTraceEvent("failed", display, watch.Elapsed, null, e.Message, Answer(status)));
                throw Failures.ApiConnectionLost(display, target.ToString(), call.VmName, e);
            }

            async Task<T> RunAsync()
            {
                await Task.Yield(); // the watch starts at once, whatever the first read does
                using var response = call.Upload is null
                    ? await client.SendAsync(call.Method, path, call.Body, call.Upgrade, linked.Token).ConfigureAwait(false)
                    : await client.SendStreamingAsync(call.Method, path, "application/x-tar", call.Upload, linked.Token).ConfigureAwait(false);
                status = response.Status;
                return await read(response, linked.Token).ConfigureAwait(false);
            }
        }

        private async Task<string> NegotiateAsync(ApiClient client, string? vmName, CancellationToken ct) =>
            await SendAsync(new Call("version", "GET", "/version", vmName, QueryCeiling) { Unversioned = true }, async (r, t) =>
            {
                if (r.Status != 200)
                {
                    throw Map("version", r, await MessageAsync(r, t).ConfigureAwait(false), vmName);
                }
                using var doc = JsonDocument.Parse(await r.ReadAllAsync(t).ConfigureAwait(false));
                var server = doc.RootElement.TryGetProperty("ApiVersion", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                server ??= r.Headers.TryGetValue("Api-Version", out var h) ? h : null;
                if (server is null || ParseVersion(server) is not { } parsed)
                {
                    throw new FormatException("the engine's /version has no ApiVersion");
                }
                if (parsed < ParseVersion(LowestVersion)!.Value)
                {
                    throw Failures.ApiUnsupported(client.Target.ToString(),
                        $"the engine speaks API {server}, and this transport needs {LowestVersion} or later (Docker 17.12+)");
                }
                return Negotiate(server);
            }, ct).ConfigureAwait(false);

        /// <summary>The version to speak with an engine that speaks <paramref name="server"/>: the older of the two.</summary>
        internal static string Negotiate(string server) =>
            ParseVersion(server) is { } s && s < ParseVersion(HighestVersion)!.Value
                ? (s / 1000).ToString(CultureInfo.InvariantCulture) + "." + (s % 1000).ToString(CultureInfo.InvariantCulture)
                : HighestVersion;

        /// <summary>"1.41" → 1041 (comparable); null when it is not a version.</summary>
        private static int? ParseVersion(string v)
        {
            var parts = v.Trim().TrimStart('v').Split('.');
            return parts.Length >= 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major) &&
                   int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor) && minor < 1000
                ? major * 1000 + minor
                : null;
        }

        // While a request runs: after ProbeAfter, and every ProbeEvery from then on, ask whether the
        // engine is alive. A live engine is waited for (up to the request's own bounds); a dead one
        // ends the request at once.
        private async Task WatchAsync(ApiClient client, Task running, CancellationTokenSource engineDead, CancellationToken ct)
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
                    if (!await client.PingAsync(PingDeadline ?? LivenessProbe.CurrentDeadline, ct).ConfigureAwait(false) && !running.IsCompleted)
                    {
                        engineDead.Cancel();
                        return;
                    }
                    wait = ProbeEvery;
                }
            }
            catch (Exception)
            {
                // the request ended (or was cancelled) first: nothing to watch
            }
        }

        /// <summary>True when the engine answers a ping within LivenessProbe.CurrentDeadline.</summary>
        public Task<bool> IsAliveAsync(CancellationToken ct)
        {
            var target = _resolve();
            return target.Unsupported is not null
                ? Task.FromResult(false)
                : _clients.GetOrAdd(target.Key, _ => new ApiClient(target)).PingAsync(PingDeadline ?? LivenessProbe.CurrentDeadline, ct);
        }

        // ---- answers ------------------------------------------------------------------------------

        /// <summary>The engine's error message: {"message": "..."} (or the body's text).</summary>
        private static async Task<string> MessageAsync(ApiResponse r, CancellationToken ct)
        {
            var text = (await r.ReadStringAsync(ct).ConfigureAwait(false)).Trim();
            if (text.StartsWith("{", StringComparison.Ordinal))
            {
                try
                {
                    using var doc = JsonDocument.Parse(text);
                    if (doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                    {
                        text = m.GetString() ?? "";
                    }
                }
                catch (JsonException)
                {
                    // not JSON after all: the text as it is
                }
            }
            return text.Length > 0 ? text : $"HTTP {r.Status} {r.Reason}".TrimEnd();
        }

        /// <summary>An error answer as the contract's error: the engine's wording first (as on the CLI path), then the status.</summary>
        private static DockerVmException Map(string operation, ApiResponse r, string message, string? vmName)
        {
            var display = Display(r);
            if (PodmanCompat.ErrorKind(operation, message) is { } podman)
            {
                return Failures.FromEngine(podman, vmName, display, null, message);
            }
            var mapped = CliErrors.Map(operation, display, null, message, vmName);
            if (mapped.Kind != DockerVmErrorKind.CommandFailed)
            {
                return mapped;
            }
            if (r.Status == 404 && operation != "create" && operation != "version")
            {
                return Failures.FromEngine(DockerVmErrorKind.NotFound, vmName, display, null, message);
            }
            return Failures.ApiFailed(r.Method, r.Path, r.Status, message, vmName);
        }

        private static string Display(ApiResponse r) => Display(r.Method, r.Path);

        private static string Display(string method, string path) => "api " + method + " " + path;

        private static string Answer(int? status) => status is { } s ? "HTTP " + s.ToString(CultureInfo.InvariantCulture) : "no answer";

        private static string Esc(string s) => Uri.EscapeDataString(s);

        private static string ListPath(IReadOnlyList<string> labelFilters)
        {
            var path = "/containers/json?all=1";
            if (labelFilters.Count > 0)
            {
                path += "&filters=" + Uri.EscapeDataString(Encoding.UTF8.GetString(Json(w => Strings(w, "label", labelFilters))));
            }
            return path;
        }

        private static byte[] Json(Action<Utf8JsonWriter> write)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                write(w);
                w.WriteEndObject();
            }
            return stream.ToArray();
        }

        private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
        {
            w.WriteStartArray(name);
            foreach (var v in values)
            {
                w.WriteStringValue(v);
            }
            w.WriteEndArray();
        }
    }
}
