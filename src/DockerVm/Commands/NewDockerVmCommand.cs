using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DockerVm.Engine;

namespace DockerVm.Commands
{
    /// <summary>New-DockerVm: docker create (Clone); with -Start, also starts it. On failure nothing is left behind.</summary>
    [Cmdlet(VerbsCommon.New, "DockerVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Base + "New-DockerVm.md")]
    [OutputType(typeof(DockerVmInstance))]
    public sealed class NewDockerVmCommand : DockerVmCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(ImageCompleter))]
        public string Image { get; set; } = "";

        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string? Name { get; set; }

        [Parameter]
        public string[] CreateArgument { get; set; } = Array.Empty<string>();

        [Parameter]
        public string[]? ContainerCommand { get; set; }

        [Parameter]
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

        // A VM that did not start is removed again, however slow the engine (a dead one ends it in seconds).
        private static readonly TimeSpan DiscardTimeout = TimeSpan.FromMinutes(10);

        protected override void ProcessRecord()
        {
            var name = MyInvocation.BoundParameters.ContainsKey(nameof(Name)) ? Name ?? "" : VmName.NewDefault();
            VmOptions options;
            try
            {
                if (string.IsNullOrWhiteSpace(Image))
                {
                    throw Failures.EmptyImage(name);
                }
                VmName.Validate(name);
                options = new VmOptions
                {
                    StopTimeoutSec = StopTimeoutSec,
                    PollingIntervalMs = PollingIntervalMs,
                    ContainerCommand = ContainerCommand is { Length: > 0 } ? ContainerCommand : VmOptions.DefaultContainerCommand,
                    CreateArguments = CreateArgument ?? Array.Empty<string>(),
                    Environment = Hashtables.ToStrings(Environment, nameof(Environment)),
                    Labels = Hashtables.ToStrings(Label, nameof(Label)),
                };
                InputRules.CheckCreate(name, Image.Trim(), options);
            }
            catch (DockerVmException e)
            {
                // Invalid parameters end the command before any engine call.
                ThrowTerminatingError(Errors.From(e, name));
                return;
            }
            var vm = new DockerVmInstance(VmRegistry.Engine(Context), name, Image.Trim(), options);
            // What -WhatIf shows is the plan the VM runs: every label, the real program.
            var plan = Start ? vm.PlanClone().Then(vm.PlanStart()) : vm.PlanClone();
            if (!ShouldProcess(name, plan.ToString()))
            {
                return;
            }
            if (!Try(vm, () => Await(ct => vm.CloneAsync(ct))))
            {
                return;
            }
            VmRegistry.Track(vm);
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
    }
}
