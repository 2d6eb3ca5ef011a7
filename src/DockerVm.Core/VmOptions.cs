using System;
using System.Collections.Generic;

namespace DockerVm
{
    /// <summary>How a VM is created and driven; the defaults are those of cloudeng.io/vms/dockervm.</summary>
    public sealed class VmOptions
    {
        public const int DefaultStopTimeoutSec = 10;
        public const int DefaultPollingIntervalMs = 200;

        /// <summary>The default container command (DefaultContainerCmd in cloudeng.io/vms/dockervm): keeps the container alive and, with --init, stops in milliseconds.</summary>
        public static IReadOnlyList<string> DefaultContainerCommand { get; } = new[] { "tail", "-f", "/dev/null" };

        /// <summary>
        /// The container command a create asks for: none (the image's own ENTRYPOINT/CMD) when
        /// <paramref name="imageCommand"/>, else <paramref name="command"/> as given (an empty list is
        /// the image's own too), else the idle default.
        /// </summary>
        public static IReadOnlyList<string> CommandFor(bool imageCommand, IReadOnlyList<string>? command) =>
            imageCommand ? Array.Empty<string>() : command ?? DefaultContainerCommand;

        public int StopTimeoutSec { get; init; } = DefaultStopTimeoutSec;
        public int PollingIntervalMs { get; init; } = DefaultPollingIntervalMs;
        public IReadOnlyList<string> ContainerCommand { get; init; } = DefaultContainerCommand;
        public IReadOnlyList<string> CreateArguments { get; init; } = Array.Empty<string>();
        public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

        public IReadOnlyList<string> Ports { get; init; } = Array.Empty<string>();
        public IReadOnlyList<string> Volumes { get; init; } = Array.Empty<string>();
        public int MemoryMB { get; init; }
        public double Cpus { get; init; }
        public string Network { get; init; } = "";

        /// <summary>Removed when the PowerShell session that created it ends normally.</summary>
        public bool Ephemeral { get; init; }

        /// <summary>Who created the VM, as its label says (null: not recorded; a VM made here: this process).</summary>
        public Creator? CreatedBy { get; init; }
    }
}
