using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>Start-DockerVm: docker start (or unpause from Suspended), then waits until the engine reports running.</summary>
    [Cmdlet(VerbsLifecycle.Start, "DockerVm", DefaultParameterSetName = ByObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Base + "Start-DockerVm.md")]
    [OutputType(typeof(DockerVmInstance))]
    public sealed class StartDockerVmCommand : VmTargetCmdlet
    {
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int TimeoutSec { get; set; } = 60;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessVm(DockerVmInstance vm)
        {
            Act(vm, vm.PlanStart(), ct => vm.StartAsync(Seconds(TimeoutSec), ct), PassThru);
        }
    }
}
