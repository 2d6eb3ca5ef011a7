using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>Suspend-DockerVm: docker pause; idempotent on Suspended.</summary>
    [Cmdlet(VerbsLifecycle.Suspend, "DockerVm", DefaultParameterSetName = ByObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Suspend-DockerVm.md")]
    [OutputType(typeof(DockerVmInstance))]
    public sealed class SuspendDockerVmCommand : VmTargetCmdlet
    {
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessVm(DockerVmInstance vm)
        {
            Act(vm, vm.PlanSuspend(), vm.SuspendAsync, PassThru);
        }
    }
}
