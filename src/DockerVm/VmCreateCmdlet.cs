using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace DockerVm.Commands
{
    /// <summary>
    /// The create options New-DockerVm and New-DockerVmPool share, declared once: what a VM is
    /// created with (command, environment, labels, ports, mounts, limits, network, docker flags,
    /// stop and polling times). A pool records them all and creates each of its VMs with them.
    /// </summary>
    public abstract class VmCreateCmdlet : DockerVmCmdlet
    {
        protected const string IdleCommand = "IdleCommand";
        protected const string ImageCommand = "ImageCommand";

        /// <summary>The container's command; default the idle `tail -f /dev/null` (an empty list: the image's own).</summary>
        [Parameter(ParameterSetName = IdleCommand)]
        [AllowEmptyCollection]
        public string[]? ContainerCommand { get; set; }

        /// <summary>Run the image's own ENTRYPOINT/CMD (service images) instead of the idle default.</summary>
        [Parameter(ParameterSetName = ImageCommand, Mandatory = true)]
        public SwitchParameter UseImageCommand { get; set; }

        [Parameter]
        public string[] CreateArgument { get; set; } = Array.Empty<string>();

        [Parameter]
        [ValidateEnvironment]
        public Hashtable? Environment { get; set; }

        [Parameter]
        public Hashtable? Label { get; set; }

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int StopTimeoutSec { get; set; } = VmOptions.DefaultStopTimeoutSec;

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int PollingIntervalMs { get; set; } = VmOptions.DefaultPollingIntervalMs;

        /// <summary>Published ports, docker -p syntax; Get-DockerVmProperties reports the host side.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public string[] Port { get; set; } = Array.Empty<string>();

        /// <summary>Mounts, docker -v syntax.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public string[] Volume { get; set; } = Array.Empty<string>();

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(6, int.MaxValue)]
        public int MemoryMB { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0.01, 1024.0)]
        public double Cpus { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Network { get; set; }

        /// <summary>The names of the shared create options (every parameter declared here).</summary>
        protected static IReadOnlyList<string> CreateOptionNames { get; } = typeof(VmCreateCmdlet)
            .GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(p => p.GetCustomAttributes<ParameterAttribute>().Any())
            .Select(p => p.Name)
            .ToList();

        /// <summary>The options these parameters ask for (<paramref name="imageCommand"/>: the image's own command, as for a checkpoint).</summary>
        protected VmOptions CreateOptions(bool imageCommand = false, bool ephemeral = false) => new()
        {
            StopTimeoutSec = StopTimeoutSec,
            PollingIntervalMs = PollingIntervalMs,
            ContainerCommand = VmOptions.CommandFor(UseImageCommand || imageCommand, ContainerCommand),
            CreateArguments = CreateArgument ?? Array.Empty<string>(),
            Environment = Hashtables.ToStrings(Environment, nameof(Environment)),
            Labels = Hashtables.ToStrings(Label, nameof(Label)),
            Ports = Port ?? Array.Empty<string>(),
            Volumes = Volume ?? Array.Empty<string>(),
            MemoryMB = MemoryMB,
            Cpus = Cpus,
            Network = Network ?? "",
            Ephemeral = ephemeral,
        };
    }
}
