using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>Restart-DockerVm: Stop then Start through the table (Running -> Stopped -> Running); a Stopped VM just starts.</summary>
    [Cmdlet(VerbsLifecycle.Restart, "DockerVm", DefaultParameterSetName = ByObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Restart-DockerVm.md")]
    [OutputType(typeof(DockerVmInstance))]
    public sealed class RestartDockerVmCommand : VmTargetCmdlet
    {
        /// <summary>The grace before SIGKILL when stopping (default the VM's StopTimeoutSec).</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int TimeoutSec { get; set; }

        /// <summary>Kill at once instead of a graceful stop.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private const int StartTimeoutSec = 60;

        protected override void ProcessVm(DockerVmInstance vm)
        {
            int? grace = Force ? 0 : MyInvocation.BoundParameters.ContainsKey(nameof(TimeoutSec)) ? TimeoutSec : null;
            Act(vm, vm.PlanRestart(grace), ct => vm.RestartAsync(grace, Seconds(StartTimeoutSec), ct), PassThru);
        }
    }
}
