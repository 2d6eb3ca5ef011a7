using System;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine.Api;
using DockerVm.Vm;
using static DockerVm.Engine.JsonFields;

namespace DockerVm.Engine
{
    /// <summary>
    /// docker cp on the Engine API: GET /containers/{id}/archive (a tar, extracted on the host) and
    /// PUT /containers/{id}/archive (a tar of host files), with the CLI's rules for where a file or
    /// folder lands and its errors (a missing path is PathNotFound, a missing container NotFound).
    /// Bounded by the caller (a large folder takes what it takes); a dead engine by the liveness probe.
    /// </summary>
    public sealed partial class DockerApi
    {
        private const string PathStatHeader = "X-Docker-Container-Path-Stat";
        // Go's os.FileMode bits in the engine's path stat.
        private const long GoModeDir = 1L << 31;
        private const long GoModeSymlink = 1L << 27;

        public Task CopyAsync(string target, CopySpec spec, CancellationToken ct) =>
            spec.Direction == CopyDirection.ToContainer ? CopyInAsync(target, spec, ct) : CopyOutAsync(target, spec, ct);

        // ---- out of the container ---------------------------------------------------------------

        private Task CopyOutAsync(string target, CopySpec spec, CancellationToken ct)
        {
            var source = InContainer(spec.ContainerPath);
            return SendAsync(new Call("cp", "GET", ArchivePath(target, source), target, null), async (r, t) =>
            {
                if (r.Status != 200)
                {
                    throw Map("cp", r, await MessageAsync(r, t).ConfigureAwait(false), target);
                }
                var display = Display(r);
                // The top name and kind (every engine since API 1.20 sends the stat with the archive).
                var stat = PathStat.Read(r.Headers) ?? throw new FormatException($"the engine sent no {PathStatHeader} header with the archive");
                var contentsOnly = stat.Name == "." || Copying.ContentsOf(source) is not null;
                if (!stat.IsDir && !Directory.Exists(spec.HostPath) && EndsWithSeparator(spec.HostPath))
                {
                    throw Failures.HostFolderNotFound(spec.HostPath, spec.HostPath, target);
                }
                var landing = HostArchive.Decide(spec.HostPath, stat.Name, stat.IsDir, contentsOnly, why => Failures.CopyRefused(target, display, why));
                var tar = new TarReader(new ApiResponseStream(r));
                await HostArchive.ExtractAsync(tar, landing, (path, e) => Failures.HostCopyFailed(path, target, display, e),
                    why => Failures.CopyRefused(target, display, why), t).ConfigureAwait(false);
                return true;
            }, ct);
        }

        // ---- into the container -----------------------------------------------------------------

        private async Task CopyInAsync(string target, CopySpec spec, CancellationToken ct)
        {
            var destination = InContainer(spec.ContainerPath);
            var stat = await StatAsync(target, destination, ct).ConfigureAwait(false);
            if (stat is { IsLink: true })
            {
                // As docker cp does: a link at the destination is followed (once).
                var link = stat.LinkTarget.StartsWith("/", StringComparison.Ordinal) ? stat.LinkTarget : Parent(destination) + "/" + stat.LinkTarget;
                destination = link;
                stat = await StatAsync(target, destination, ct).ConfigureAwait(false);
            }
            var contents = Copying.ContentsOf(spec.HostPath);
            var source = contents ?? spec.HostPath;
            var sourceIsDir = Directory.Exists(source);
            var display = Display("PUT", ArchivePath(target, destination));
            string folder;
            string? rootName;
            if (stat is { IsDir: true })
            {
                folder = destination;
                rootName = contents is not null && sourceIsDir ? null : HostName(source);
            }
            else
            {
                if (stat is null && destination.EndsWith("/", StringComparison.Ordinal) && !sourceIsDir)
                {
                    throw Failures.EnginePathNotFound(target, display, null, $"no such directory: {destination}");
                }
                if (stat is not null && sourceIsDir)
                {
                    throw Failures.CopyRefused(target, display, $"'{destination}' is a file in the VM, and a folder cannot be copied onto a file.");
                }
                folder = Parent(destination);
                rootName = Base(destination);
            }
            await SendAsync(new Call("cp", "PUT", ArchivePath(target, folder) + "&noOverwriteDirNonDir=true", target, null)
            {
                Upload = (body, t) => HostArchive.WriteAsync(new TarWriter(body), source, rootName, (path, e) => Failures.HostCopyFailed(path, target, display, e), t),
            }, async (r, t) =>
            {
                if (r.Status == 200 || r.Status == 204)
                {
                    return true; // nothing to read (an unread body closes the connection rather than keeping it)
                }
                throw Map("cp", r, await MessageAsync(r, t).ConfigureAwait(false), target);
            }, ct).ConfigureAwait(false);
        }

        /// <summary>HEAD /containers/{id}/archive: the path's stat; null when the engine has none for it (missing, or any refusal: the copy itself tells).</summary>
        private Task<PathStat?> StatAsync(string target, string path, CancellationToken ct) =>
            SendAsync(new Call("cp", "HEAD", ArchivePath(target, path), target, QueryCeiling), (r, t) =>
                Task.FromResult(r.Status == 200 ? PathStat.Read(r.Headers) : null), ct);

        private static string ArchivePath(string target, string path) => $"/containers/{Esc(target)}/archive?path={Esc(path)}";

        /// <summary>A container path as docker cp reads it: relative to the container's root.</summary>
        private static string InContainer(string path) => path.StartsWith("/", StringComparison.Ordinal) ? path : "/" + path;

        private static string Parent(string path)
        {
            var trimmed = path.TrimEnd('/');
            var slash = trimmed.LastIndexOf('/');
            return slash <= 0 ? "/" : trimmed.Substring(0, slash);
        }

        private static string Base(string path)
        {
            var trimmed = path.TrimEnd('/');
            return trimmed.Substring(trimmed.LastIndexOf('/') + 1);
        }

        private static string HostName(string hostPath) =>
            Path.GetFileName(hostPath.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)) is { Length: > 0 } name ? name : "root";

        private static bool EndsWithSeparator(string path) =>
            path.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) || path.EndsWith(Path.AltDirectorySeparatorChar.ToString(), StringComparison.Ordinal);

        /// <summary>The engine's stat of a container path (X-Docker-Container-Path-Stat: base64 JSON of name, size, mode, mtime, linkTarget).</summary>
        internal sealed class PathStat
        {
            public string Name { get; init; } = "";
            public long Mode { get; init; }
            public string LinkTarget { get; init; } = "";
            public bool IsDir => (Mode & GoModeDir) != 0;
            public bool IsLink => (Mode & GoModeSymlink) != 0;

            public static PathStat? Read(System.Collections.Generic.IReadOnlyDictionary<string, string> headers)
            {
                if (!headers.TryGetValue(PathStatHeader, out var value) || value.Length == 0)
                {
                    return null;
                }
                try
                {
                    using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(value)));
                    return new PathStat { Name = Str(doc.RootElement, "name"), Mode = Num(doc.RootElement, "mode"), LinkTarget = Str(doc.RootElement, "linkTarget") };
                }
                catch (Exception e) when (e is FormatException || e is JsonException)
                {
                    throw new FormatException($"the engine's {PathStatHeader} header is unreadable: {e.Message}");
                }
            }
        }
    }
}
