using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>Stop-DockerVm: docker stop --timeout; idempotent on Stopped. -Force kills at once.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "DockerVm", DefaultParameterSetName = ByObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Stop-DockerVm.md")]
    [OutputType(typeof(DockerVmInstance))]
    public sealed class StopDockerVmCommand : VmTargetCmdlet
    {
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int TimeoutSec { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessVm(DockerVmInstance vm)
        {
            // The grace before SIGKILL: -TimeoutSec when given, else the VM's own StopTimeoutSec.
            var timeout = Force ? 0 : MyInvocation.BoundParameters.ContainsKey(nameof(TimeoutSec)) ? TimeoutSec : vm.StopTimeoutSec;
            Act(vm, vm.PlanStop(timeout), ct => vm.StopAsync(timeout, ct), PassThru);
        }
    }
}
