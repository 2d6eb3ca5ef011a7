using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DockerVm.Engine;

namespace DockerVm.Commands
{
    /// <summary>New-DockerVm: docker create (Clone); with -Start, also starts it. On failure nothing is left behind.</summary>
    [Cmdlet(VerbsCommon.New, "DockerVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = IdleCommand, HelpUri = HelpLinks.Base + "New-DockerVm.md")]
    [OutputType(typeof(DockerVmInstance))]
    public sealed class NewDockerVmCommand : DockerVmCmdlet
    {
        [Parameter(ParameterSetName = IdleCommand, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = ImageCommand, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(ImageCompleter))]
        public string Image { get; set; } = "";

        /// <summary>Create from a checkpoint instead of an image: its filesystem, command and environment.</summary>
        [Parameter(ParameterSetName = FromCheckpoint, Mandatory = true)]
        [ValidateNotNull]
        public DockerVmCheckpoint? Checkpoint { get; set; }

        private const string FromCheckpoint = "FromCheckpoint";
        private const string FromPool = "FromPool";

        /// <summary>Take a waiting VM from this warm pool (renamed to -Name) instead of creating one; an empty pool creates one cold.</summary>
        [Parameter(ParameterSetName = FromPool, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string? Pool { get; set; }

        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string? Name { get; set; }

        [Parameter]
        public string[] CreateArgument { get; set; } = Array.Empty<string>();

        private const string IdleCommand = "IdleCommand";
        private const string ImageCommand = "ImageCommand";

        /// <summary>The container's command; default the idle `tail -f /dev/null` (an empty list: the image's own).</summary>
        [Parameter(ParameterSetName = IdleCommand)]
        [AllowEmptyCollection]
        public string[]? ContainerCommand { get; set; }

        /// <summary>Run the image's own ENTRYPOINT/CMD (service images) instead of the idle default.</summary>
        [Parameter(ParameterSetName = ImageCommand, Mandatory = true)]
        public SwitchParameter UseImageCommand { get; set; }

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

        [Parameter]
        public SwitchParameter Start { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int StartTimeoutSec { get; set; } = 60;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(ContextCompleter))]
        public string? Context { get; set; }

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

        /// <summary>Removed when this PowerShell session ends normally; after a crash, Get-DockerVm -Orphaned finds it.</summary>
        [Parameter]
        public SwitchParameter Ephemeral { get; set; }

        // A VM that did not start is removed again, however slow the engine (a dead one ends it in seconds).
        private static readonly TimeSpan DiscardTimeout = TimeSpan.FromMinutes(10);

        protected override void ProcessRecord()
        {
            var name = MyInvocation.BoundParameters.ContainsKey(nameof(Name)) ? Name ?? "" : VmName.NewDefault();
            if (Pool is not null)
            {
                TakeFromPool(name, Pool);
                return;
            }
            var image = Checkpoint?.ImageReference ?? Image;
            VmOptions options;
            try
            {
                if (string.IsNullOrWhiteSpace(image))
                {
                    throw Failures.EmptyImage(name);
                }
                VmName.Validate(name);
                options = new VmOptions
                {
                    StopTimeoutSec = StopTimeoutSec,
                    PollingIntervalMs = PollingIntervalMs,
                    // A checkpoint runs the command of the VM it was taken of (its image's).
                    ContainerCommand = VmOptions.CommandFor(UseImageCommand || Checkpoint is not null, ContainerCommand),
                    CreateArguments = CreateArgument ?? Array.Empty<string>(),
                    Environment = Hashtables.ToStrings(Environment, nameof(Environment)),
                    Labels = Hashtables.ToStrings(Label, nameof(Label)),
                    Ports = Port ?? Array.Empty<string>(),
                    Volumes = Volume ?? Array.Empty<string>(),
                    MemoryMB = MemoryMB,
                    Cpus = Cpus,
                    Network = Network ?? "",
                    Ephemeral = Ephemeral,
                };
                InputRules.CheckCreate(name, image.Trim(), options);
            }
            catch (DockerVmException e)
            {
                // Invalid input is refused before any engine call, for this item only: the next
                // pipeline row (Import-Csv | New-DockerVm) goes on.
                WriteError(Errors.From(e, name));
                return;
            }
            var engine = VmRegistry.Engine(Checkpoint is not null && !MyInvocation.BoundParameters.ContainsKey(nameof(Context)) ? Checkpoint.Context : Context);
            if (Checkpoint is not null && !Try(Checkpoint, () => Await(ct => Checkpoints.FindAsync(engine, Checkpoint, ct))))
            {
                return; // DockerVmCheckpointNotFound: nothing is created
            }
            var vm = new DockerVmInstance(engine, name, image.Trim(), options);
            // What -WhatIf shows is the plan the VM runs: every label, the real program.
            var plan = Start ? vm.PlanClone().Then(vm.PlanStart()) : vm.PlanClone();
            if (!ShouldProcess(name, Describe(plan)))
            {
                return;
            }
            if (!Try(vm, () => Await(ct => vm.CloneAsync(ct))))
            {
                return;
            }
            VmRegistry.Track(vm);
            if (Ephemeral)
            {
                EphemeralVms.Track(vm);
            }
            if (Start)
            {
                var started = false;
                try
                {
                    started = Try(vm, () => Await(ct => vm.StartAsync(Seconds(StartTimeoutSec), ct)));
                }
                finally
                {
                    if (!started)
                    {
                        // Nothing is left behind: a VM that did not start (failure, timeout, Ctrl+C,
                        // a terminating error) is removed again, whatever state it was left in.
                        vm.DiscardAsync(DiscardTimeout).GetAwaiter().GetResult();
                    }
                }
                if (!started)
                {
                    return;
                }
            }
            WriteObject(vm);
        }

        private void TakeFromPool(string name, string pool)
        {
            TracePoolEvents();
            try
            {
                VmName.Validate(name);
            }
            catch (DockerVmException e)
            {
                WriteError(Errors.From(e, name));
                return;
            }
            if (!ShouldProcess(name, $"Take a VM from warm pool '{pool}' as '{name}'" + (Start ? " and start it" : "")))
            {
                return;
            }
            var engine = VmRegistry.Engine(Context);
            DockerVmInstance? vm = null;
            if (Try(name, () => vm = Await(ct => Pools.PoolTaker.TakeAsync(engine, pool, name, Start, Seconds(StartTimeoutSec), m => Post(() => Trace(m)), ct))) && vm is not null)
            {
                WriteObject(vm);
            }
        }
    }
}
