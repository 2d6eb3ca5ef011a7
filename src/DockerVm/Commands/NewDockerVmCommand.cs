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
    public sealed class NewDockerVmCommand : VmCreateCmdlet
    {
        private const string FromCheckpoint = "FromCheckpoint";
        private const string FromPool = "FromPool";

        // Only named with -Pool, so that `New-DockerVm -Pool P -Image x` binds and is refused with a clear message.
        [Parameter(ParameterSetName = IdleCommand, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = ImageCommand, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = FromPool)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(ImageCompleter))]
        public string Image { get; set; } = "";

        /// <summary>Create from a checkpoint instead of an image: its filesystem, command and environment.</summary>
        [Parameter(ParameterSetName = FromCheckpoint, Mandatory = true)]
        [ValidateNotNull]
        public DockerVmCheckpoint? Checkpoint { get; set; }

        /// <summary>Take a waiting VM from this warm pool (renamed to -Name) instead of creating one: the pool decides every create option.</summary>
        [Parameter(ParameterSetName = FromPool, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string? Pool { get; set; }

        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string? Name { get; set; }

        [Parameter]
        public SwitchParameter Start { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int StartTimeoutSec { get; set; } = 60;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(ContextCompleter))]
        public string? Context { get; set; }

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
                RefuseWhatThePoolDecides(Pool);
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
                // A checkpoint runs the command of the VM it was taken of (its image's).
                options = CreateOptions(imageCommand: Checkpoint is not null, ephemeral: Ephemeral);
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

        /// <summary>
        /// With -Pool the pool's definition decides how the VM is made: a create option given too
        /// (-Image, -Port, -Environment ...) is refused, never silently ignored.
        /// </summary>
        private void RefuseWhatThePoolDecides(string pool)
        {
            var given = new[] { nameof(Image) }.Concat(CreateOptionNames).Append(nameof(Ephemeral))
                .Where(MyInvocation.BoundParameters.ContainsKey).ToList();
            if (given.Count > 0)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ParameterBindingException(Failures.PoolDecidesOptions(pool, given)), "AmbiguousParameterSet", ErrorCategory.InvalidArgument, pool));
            }
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
