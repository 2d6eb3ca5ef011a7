using System;
using System.Collections.Generic;
using System.Linq;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>The image and container name a VM was created with.</summary>
    public sealed class CloneInfo
    {
        public CloneInfo(string image, string name)
        {
            Image = image;
            Name = name;
        }

        public string Image { get; }
        public string Name { get; }

        public override string ToString() => $"image={Image} name={Name}";
    }

    /// <summary>What Get-DockerVmProperties reports, read live from the engine.</summary>
    public sealed class DockerVmProperties
    {
        public string Name { get; init; } = "";
        public string IPAddress { get; init; } = "";
        public CloneInfo CloneInfo { get; init; } = new("", "");
        public VmState State { get; init; }
        public string ContainerId { get; init; } = "";
        public string Context { get; init; } = "";
        public string Status { get; init; } = "";
        public int ExitCode { get; init; }
        public int Pid { get; init; }
        public bool OOMKilled { get; init; }
        public DateTime? CreatedAt { get; init; }
        public DateTime? StartedAt { get; init; }
        public DateTime? FinishedAt { get; init; }
        public string Hostname { get; init; } = "";
        public string ImageId { get; init; } = "";
        /// <summary>Every network the container is attached to, with its addresses.</summary>
        public IReadOnlyList<ContainerNetwork> Networks { get; init; } = Array.Empty<ContainerNetwork>();
        /// <summary>Every IPv4 and IPv6 address the container has.</summary>
        public string[] IPAddresses { get; init; } = Array.Empty<string>();
        public IReadOnlyList<PortBinding> Ports { get; init; } = Array.Empty<PortBinding>();
        public long MemoryBytes { get; init; }
        public double Cpus { get; init; }
        public IReadOnlyList<string> ContainerCommand { get; init; } = Array.Empty<string>();
        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

        /// <summary>The properties of VM <paramref name="vm"/> from the engine's inspect data.</summary>
        public static DockerVmProperties From(DockerVmInstance vm, ContainerInfo info) => new()
        {
            Name = vm.Name,
            IPAddress = vm.IPAddress,
            CloneInfo = vm.CloneInfo,
            State = vm.State,
            ContainerId = info.Id,
            Context = vm.Context,
            Status = info.State.StatusText,
            ExitCode = info.State.ExitCode,
            Pid = info.State.Pid,
            OOMKilled = info.State.OOMKilled,
            CreatedAt = info.Created,
            StartedAt = info.State.StartedAt,
            FinishedAt = info.State.FinishedAt,
            Hostname = info.Hostname,
            ImageId = info.ImageId,
            Networks = info.Networks,
            IPAddresses = info.Networks.SelectMany(n => new[] { n.IPAddress, n.GlobalIPv6Address })
                .Where(a => !string.IsNullOrEmpty(a)).Distinct().ToArray(),
            Ports = info.Ports,
            MemoryBytes = info.MemoryBytes,
            Cpus = info.NanoCpus / 1e9,
            ContainerCommand = info.Command,
            Labels = info.Labels,
        };
    }

    /// <summary>One finished exec: exact text, exit code and duration.</summary>
    public sealed class DockerVmExecResult
    {
        public string Name { get; init; } = "";
        public string Command { get; init; } = "";
        public string[] Arguments { get; init; } = Array.Empty<string>();
        public int ExitCode { get; init; }
        public string StandardOutput { get; init; } = "";
        public string StandardError { get; init; } = "";
        public TimeSpan Duration { get; init; }
        public bool Succeeded => ExitCode == 0;
    }

    /// <summary>One line of a VM's log, as Get-DockerVmLog emits it.</summary>
    public sealed class DockerVmLogLine
    {
        /// <summary>The VM the line comes from.</summary>
        public string Name { get; init; } = "";

        /// <summary>stdout or stderr: the stream of the container's main process the line was written to.</summary>
        public string Stream { get; init; } = StdoutName;

        /// <summary>When the engine received the line (UTC); null when the engine did not say.</summary>
        public DateTime? Timestamp { get; init; }

        /// <summary>The line's text, without its line end.</summary>
        public string Text { get; init; } = "";

        public override string ToString() => Text;

        public const string StdoutName = "stdout";
        public const string StderrName = "stderr";

        /// <summary>A line of VM <paramref name="name"/> as the engine delivered it.</summary>
        public static DockerVmLogLine From(string name, LogStream stream, DateTime? timestamp, string text) => new()
        {
            Name = name,
            Stream = stream == LogStream.Stderr ? StderrName : StdoutName,
            Timestamp = timestamp,
            Text = text,
        };
    }

    /// <summary>What Copy-DockerVmItem -ToVM -PassThru reports: a host file or folder copied into a VM.</summary>
    public sealed class DockerVmCopyResult
    {
        public string VMName { get; init; } = "";
        /// <summary>The host path copied (absolute).</summary>
        public string Source { get; init; } = "";
        /// <summary>The destination in the VM, as given (docker cp: into it when it is a folder).</summary>
        public string Destination { get; init; } = "";
        public string Context { get; init; } = "";
    }
}
