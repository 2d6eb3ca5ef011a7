using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>
    /// A checkpoint: a VM's filesystem (and its image config: command, environment, labels) as a
    /// local image, labelled with the VM and the checkpoint's name. Memory and volumes are not in it.
    /// It outlives its VM.
    /// </summary>
    public sealed class DockerVmCheckpoint
    {
        /// <summary>The VM it was taken of (which may be deleted since).</summary>
        public string VMName { get; init; } = "";
        public string Name { get; init; } = "";
        /// <summary>The image's full id (sha256:...).</summary>
        public string ImageId { get; init; } = "";
        /// <summary>When it was taken (UTC).</summary>
        public DateTime CreatedAt { get; init; }
        /// <summary>The engine it lives on (empty for the default).</summary>
        public string Context { get; init; } = "";
        /// <summary>The image's repository:tag (its id when untagged): `docker run` takes it.</summary>
        public string ImageReference { get; init; } = "";
        /// <summary>The image the VM ran when the checkpoint was taken.</summary>
        public string SourceImage { get; init; } = "";

        public override string ToString() => Name;
    }

    /// <summary>
    /// Checkpoints as images: their labels, names and tags, and the listing (a constant number of
    /// engine requests however many there are). A checkpoint image does not carry the labels that
    /// mark a managed VM: a plain `docker run` of it is not a DockerVm VM.
    /// </summary>
    public static class Checkpoints
    {
        /// <summary>The repository of every checkpoint image (its tag names the VM and the checkpoint).</summary>
        public const string Repository = "dockervm-checkpoint";
        public const string Marker = "dockervm.checkpoint";
        public const string VmLabel = "dockervm.checkpoint.vm";
        public const string NameLabel = "dockervm.checkpoint.name";
        public const string CreatedLabel = "dockervm.checkpoint.created";
        public const string ContextLabel = "dockervm.checkpoint.context";
        public const string SourceImageLabel = "dockervm.checkpoint.image";
        public const string ContainerLabel = "dockervm.checkpoint.container";

        /// <summary>The image filter that selects checkpoints.</summary>
        public const string MarkerFilter = Marker + "=true";

        public const int MaxNameLength = 128;
        private const int MaxTag = 128;

        /// <summary>The default name: the local time, e.g. 20261130-124500.</summary>
        public static string DefaultName(DateTime time) => time.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);

        /// <summary>1 to 128 characters, no control or wildcard characters, no leading or trailing space.</summary>
        public static bool IsValidName(string? name) =>
            !string.IsNullOrEmpty(name) && name!.Length <= MaxNameLength && name.Trim().Length == name.Length &&
            !name.Any(c => char.IsControl(c) || c is '*' or '?' or '[' or ']');

        public static void ValidateName(string? name, string? vmName)
        {
            if (!IsValidName(name))
            {
                throw Failures.InvalidCheckpointName(name, vmName);
            }
        }

        /// <summary>
        /// The image tag of a checkpoint: VM and name readable (characters a tag cannot hold become
        /// '-'), then 8 hex digits of a hash of both, so two checkpoints never share a tag.
        /// </summary>
        public static string Tag(string vmName, string name)
        {
            string Clean(string s) => new(s.Select(c => c < 128 && (char.IsLetterOrDigit(c) || c is '_' or '.' or '-') ? c : '-').ToArray());
            string hash;
            using (var sha = SHA256.Create())
            {
                hash = string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(vmName + "\n" + name)).Take(4).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
            }
            var readable = Clean(vmName) + "_" + Clean(name);
            if (readable.Length > MaxTag - 9)
            {
                readable = readable.Substring(0, MaxTag - 9);
            }
            // A tag begins with a letter, a digit or '_'.
            return (char.IsLetterOrDigit(readable[0]) || readable[0] == '_' ? readable : "_" + readable.Substring(1)) + "_" + hash;
        }

        /// <summary>
        /// The labels a checkpoint image gets over its container's: every label DockerVm reserves for
        /// its VMs blanked (an image cannot drop a label it inherits; an empty value marks nothing),
        /// then the checkpoint's own. The user's labels stay.
        /// </summary>
        public static IReadOnlyDictionary<string, string> ImageLabels(string vmName, string name, DateTime createdUtc, string context,
            string sourceImage, string containerId)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var reserved in Labels.Reserved)
            {
                labels[reserved] = "";
            }
            labels[Marker] = "true";
            labels[VmLabel] = vmName;
            labels[NameLabel] = name;
            labels[CreatedLabel] = createdUtc.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture);
            labels[ContextLabel] = context;
            labels[SourceImageLabel] = sourceImage;
            labels[ContainerLabel] = containerId;
            return labels;
        }

        /// <summary>The checkpoint an image is; null when it is not one.</summary>
        public static DockerVmCheckpoint? From(ImageInfo image, string context)
        {
            var l = image.Labels;
            if (!l.TryGetValue(Marker, out var m) || m != "true" || !l.TryGetValue(VmLabel, out var vm) || !l.TryGetValue(NameLabel, out var name) ||
                vm.Length == 0 || name.Length == 0)
            {
                return null;
            }
            var created = l.TryGetValue(CreatedLabel, out var c) &&
                          DateTime.TryParse(c, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t)
                ? t.ToUniversalTime()
                : image.Created ?? DateTime.MinValue;
            return new DockerVmCheckpoint
            {
                VMName = vm,
                Name = name,
                ImageId = image.Id,
                CreatedAt = DateTime.SpecifyKind(created, DateTimeKind.Utc),
                Context = context,
                ImageReference = image.RepoTags.FirstOrDefault(r => r.StartsWith(Repository + ":", StringComparison.Ordinal))
                                 ?? image.RepoTags.FirstOrDefault() ?? image.Id,
                SourceImage = l.TryGetValue(SourceImageLabel, out var s) ? s : "",
            };
        }

        /// <summary>The checkpoints on an engine (of one VM when <paramref name="vmName"/> is given), by VM then age.</summary>
        public static async Task<IReadOnlyList<DockerVmCheckpoint>> ListAsync(IDockerEngine engine, string? vmName, CancellationToken ct)
        {
            var filters = vmName is null ? new[] { MarkerFilter } : new[] { MarkerFilter, VmLabel + "=" + vmName };
            var images = await engine.ListImagesAsync(filters, ct).ConfigureAwait(false);
            return images
                .Select(i => From(i, engine.Context))
                .Where(c => c is not null && (vmName is null || c.VMName == vmName))
                .Select(c => c!)
                .GroupBy(c => c.ImageId).Select(g => g.First())
                .OrderBy(c => c.VMName, StringComparer.Ordinal).ThenBy(c => c.CreatedAt).ThenBy(c => c.Name, StringComparer.Ordinal)
                .ToList();
        }

        /// <summary>The checkpoint named <paramref name="name"/> of VM <paramref name="vmName"/>, as the engine has it now; CheckpointNotFound when there is none.</summary>
        public static async Task<DockerVmCheckpoint> FindAsync(IDockerEngine engine, string vmName, string name, CancellationToken ct) =>
            (await ListAsync(engine, vmName, ct).ConfigureAwait(false)).LastOrDefault(c => c.Name == name)
            ?? throw Failures.CheckpointNotFound(vmName, name, engine.Context);

        /// <summary>The checkpoint <paramref name="checkpoint"/> as the engine has it now (the same image); CheckpointNotFound when it is gone.</summary>
        public static async Task<DockerVmCheckpoint> FindAsync(IDockerEngine engine, DockerVmCheckpoint checkpoint, CancellationToken ct) =>
            (await ListAsync(engine, checkpoint.VMName, ct).ConfigureAwait(false)).FirstOrDefault(c => c.ImageId == checkpoint.ImageId)
            ?? throw Failures.CheckpointNotFound(checkpoint.VMName, checkpoint.Name, engine.Context);

        /// <summary>docker rmi of the checkpoint's tag: the image goes unless a later checkpoint is built on it.</summary>
        public static ActionPlan PlanRemove(IDockerEngine engine, DockerVmCheckpoint checkpoint) =>
            new(VmAction.None, checkpoint.VMName, engine, new RemoveImageRequest(checkpoint.ImageReference));

        /// <summary>Removes a checkpoint. Gone already: CheckpointNotFound; still used by a VM: refused (nothing removed).</summary>
        public static async Task RemoveAsync(IDockerEngine engine, DockerVmCheckpoint checkpoint, CancellationToken ct)
        {
            try
            {
                await PlanRemove(engine, checkpoint).SendAsync(ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.CheckpointNotFound)
            {
                throw Failures.CheckpointNotFound(checkpoint.VMName, checkpoint.Name, engine.Context, e);
            }
        }
    }
}
