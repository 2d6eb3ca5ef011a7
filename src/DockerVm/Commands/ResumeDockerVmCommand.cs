using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>Resume-DockerVm: docker unpause (Start from Suspended).</summary>
    [Cmdlet(VerbsLifecycle.Resume, "DockerVm", DefaultParameterSetName = ByObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Base + "Resume-DockerVm.md")]
    [OutputType(typeof(DockerVmInstance))]
    public sealed class ResumeDockerVmCommand : VmTargetCmdlet
    {
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int TimeoutSec { get; set; } = 60;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessVm(DockerVmInstance vm)
        {
            Act(vm, vm.PlanResume(), ct => vm.ResumeAsync(Seconds(TimeoutSec), ct), PassThru);
        }
    }
}
