using System;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>
    /// Checkpoint-DockerVm: docker commit of the VM's container (Running ones paused meanwhile) as a
    /// local image labelled as a checkpoint of the VM. Memory and volumes are not captured.
    /// </summary>
    [Cmdlet(VerbsData.Checkpoint, "DockerVm", DefaultParameterSetName = ByObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Base + "Checkpoint-DockerVm.md")]
    [OutputType(typeof(DockerVmCheckpoint))]
    public sealed class CheckpointDockerVmCommand : VmTargetCmdlet
    {
        /// <summary>The checkpoint's name; default the local time, e.g. 20261130-124500.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string? CheckpointName { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessVm(DockerVmInstance vm)
        {
            var created = DateTime.UtcNow;
            var name = CheckpointName ?? Checkpoints.DefaultName(created.ToLocalTime());
            if (!ShouldProcess(vm.Name, Describe(vm.PlanCheckpoint(name, created))))
            {
                return;
            }
            var checkpoint = Await(ct => vm.CheckpointAsync(name, created, nextFreeName: CheckpointName is null, ct));
            if (PassThru)
            {
                WriteObject(checkpoint);
            }
        }
    }
}
