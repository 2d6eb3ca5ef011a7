using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using DockerVm.Engine;

namespace DockerVm.Pools
{
    /// <summary>
    /// A warm pool as the engine records it: a created-but-never-started marker container
    /// (<c>dockervm-pool-NAME</c>, not a managed VM) whose labels carry the pool's image, size,
    /// staging state and create options. Labels cannot change, so a new size is a new marker.
    /// </summary>
    public sealed class PoolDefinition
    {
        public string Name { get; init; } = "";
        public string Image { get; init; } = "";
        public int Size { get; init; }
        /// <summary>Running, Suspended or Stopped: the state waiting VMs are kept in.</summary>
        public VmState StagingState { get; init; } = VmState.Running;
        /// <summary>The create options of every VM of the pool (the user's labels among them), every one New-DockerVm takes but -Ephemeral.</summary>
        public VmOptions Options { get; init; } = new();
        /// <summary>The marker container's id (empty before it is created).</summary>
        public string MarkerId { get; init; } = "";

        /// <summary>The options a VM of this pool is created with: the pool's, plus the label naming the pool.</summary>
        public VmOptions VmOptionsForPool()
        {
            var labels = Options.Labels.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            labels[PoolNames.PoolLabel] = Name;
            return new VmOptions
            {
                StopTimeoutSec = Options.StopTimeoutSec,
                PollingIntervalMs = Options.PollingIntervalMs,
                ContainerCommand = Options.ContainerCommand,
                CreateArguments = Options.CreateArguments,
                Environment = Options.Environment,
                Labels = labels,
                Ports = Options.Ports,
                Volumes = Options.Volumes,
                MemoryMB = Options.MemoryMB,
                Cpus = Options.Cpus,
                Network = Options.Network,
            };
        }

        /// <summary>The marker's labels: the user's (so a run label finds it too) and the pool's record.</summary>
        public IReadOnlyDictionary<string, string> MarkerLabels()
        {
            var labels = Options.Labels.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            labels[PoolNames.DefinitionLabel] = Name;
            // The pool's label too, so one listing (by that label) finds the definition and the waiting VMs
            // (the marker is no managed VM: member listings, which filter on the managed label, skip it).
            labels[PoolNames.PoolLabel] = Name;
            labels[PoolNames.ImageLabel] = Image;
            labels[PoolNames.SizeLabel] = Size.ToString(CultureInfo.InvariantCulture);
            labels[PoolNames.StagingLabel] = StagingState.ToString();
            labels[PoolNames.OptionsLabel] = JsonSerializer.Serialize(new Record
            {
                Command = Options.ContainerCommand.ToArray(),
                Environment = Options.Environment.ToDictionary(kv => kv.Key, kv => kv.Value),
                Labels = Options.Labels.ToDictionary(kv => kv.Key, kv => kv.Value),
                StopTimeoutSec = Options.StopTimeoutSec,
                PollingIntervalMs = Options.PollingIntervalMs,
                CreateArguments = Options.CreateArguments.ToArray(),
                Ports = Options.Ports.ToArray(),
                Volumes = Options.Volumes.ToArray(),
                MemoryMB = Options.MemoryMB,
                Cpus = Options.Cpus,
                Network = Options.Network,
            });
            return labels;
        }

        /// <summary>Reads a marker container back; null when its labels are not a pool's.</summary>
        public static PoolDefinition? FromMarker(ContainerInfo info)
        {
            var l = info.Labels;
            if (!l.TryGetValue(PoolNames.DefinitionLabel, out var name) || name.Length == 0 ||
                !l.TryGetValue(PoolNames.OptionsLabel, out var json))
            {
                return null;
            }
            Record? r;
            try
            {
                r = JsonSerializer.Deserialize<Record>(json);
            }
            catch (JsonException)
            {
                return null;
            }
            if (r is null)
            {
                return null;
            }
            var staging = l.TryGetValue(PoolNames.StagingLabel, out var s) && Enum.TryParse<VmState>(s, out var st) ? st : VmState.Running;
            return new PoolDefinition
            {
                Name = name,
                Image = l.TryGetValue(PoolNames.ImageLabel, out var i) ? i : info.Image,
                Size = Labels.Int(l, PoolNames.SizeLabel) ?? 0,
                StagingState = staging,
                MarkerId = info.Id,
                Options = new VmOptions
                {
                    ContainerCommand = r.Command ?? Array.Empty<string>(),
                    Environment = r.Environment ?? new Dictionary<string, string>(),
                    Labels = r.Labels ?? new Dictionary<string, string>(),
                    StopTimeoutSec = r.StopTimeoutSec,
                    PollingIntervalMs = r.PollingIntervalMs,
                    CreateArguments = r.CreateArguments ?? Array.Empty<string>(),
                    Ports = r.Ports ?? Array.Empty<string>(),
                    Volumes = r.Volumes ?? Array.Empty<string>(),
                    MemoryMB = r.MemoryMB,
                    Cpus = r.Cpus,
                    Network = r.Network ?? "",
                },
            };
        }

        public PoolDefinition WithSize(int size) => new()
        {
            Name = Name, Image = Image, Size = size, StagingState = StagingState, Options = Options,
        };

        private sealed class Record
        {
            public string[]? Command { get; set; }
            public Dictionary<string, string>? Environment { get; set; }
            public Dictionary<string, string>? Labels { get; set; }
            public int StopTimeoutSec { get; set; } = VmOptions.DefaultStopTimeoutSec;
            public int PollingIntervalMs { get; set; } = VmOptions.DefaultPollingIntervalMs;
            // Absent from markers written before these options: none.
            public string[]? CreateArguments { get; set; }
            public string[]? Ports { get; set; }
            public string[]? Volumes { get; set; }
            public int MemoryMB { get; set; }
            public double Cpus { get; set; }
            public string? Network { get; set; }
        }
    }

    /// <summary>
    /// The names and labels that tell a pool's containers apart. Every container of a pool carries
    /// <see cref="PoolLabel"/>; what it is now is told by its NAME, which (unlike a label) changes:
    /// <c>dockervm-pool-P-xxxxxxxx</c> waits, <c>dockervm-pool-P.new-xxxxxxxx</c> is being staged,
    /// <c>dockervm-pool-P.rm-xxxxxxxx</c> is being removed, any other name is a taken VM.
    /// </summary>
    public static class PoolNames
    {
        public const string PoolLabel = "dockervm.pool";
        public const string DefinitionLabel = "dockervm.pool.definition";
        public const string ImageLabel = "dockervm.pool.image";
        public const string SizeLabel = "dockervm.pool.size";
        public const string StagingLabel = "dockervm.pool.staging";
        public const string OptionsLabel = "dockervm.pool.options";
        public const string Prefix = "dockervm-pool-";

        private static readonly Regex Hex8 = new("\\A[0-9a-f]{8}\\z", RegexOptions.Compiled);

        public static string Marker(string pool) => Prefix + pool;
        public static string NewWaiting(string pool) => Prefix + pool + "-" + Hex();
        public static string NewStaging(string pool) => Prefix + pool + ".new-" + Hex();
        public static string NewDoomed(string pool) => Prefix + pool + ".rm-" + Hex();

        private static string Hex() => Guid.NewGuid().ToString("N").Substring(0, 8);

        /// <summary>The pool a container belongs to (its label), or null.</summary>
        public static string? PoolOf(ContainerInfo info) =>
            info.Labels.TryGetValue(PoolLabel, out var p) && p.Length > 0 ? p : null;

        public static bool IsWaiting(ContainerInfo info, string pool) => PoolOf(info) == pool && HasSuffix(info.Name, Prefix + pool + "-");
        public static bool IsStaging(ContainerInfo info, string pool) => PoolOf(info) == pool && HasSuffix(info.Name, Prefix + pool + ".new-");
        public static bool IsDoomed(ContainerInfo info, string pool) => PoolOf(info) == pool && HasSuffix(info.Name, Prefix + pool + ".rm-");

        /// <summary>A pool's own container (waiting, staging, being removed): not a user's VM, not listed by Get-DockerVm.</summary>
        public static bool IsPoolOwned(ContainerInfo info) =>
            PoolOf(info) is { } p && (IsWaiting(info, p) || IsStaging(info, p) || IsDoomed(info, p));

        private static bool HasSuffix(string name, string prefix) =>
            name.StartsWith(prefix, StringComparison.Ordinal) && Hex8.IsMatch(name.Substring(prefix.Length));
    }
}
