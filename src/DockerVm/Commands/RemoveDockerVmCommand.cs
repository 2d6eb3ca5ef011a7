using System.Management.Automation;
using DockerVm.Engine;

namespace DockerVm.Commands
{
    /// <summary>Remove-DockerVm: docker rm (Delete). -Force stops a Running VM first.</summary>
    [Cmdlet(VerbsCommon.Remove, "DockerVm", DefaultParameterSetName = ByObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(DockerVmInstance))]
    public sealed class RemoveDockerVmCommand : VmTargetCmdlet
    {
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessVm(DockerVmInstance vm)
        {
            var action = DockerCommands.Remove(vm.Context, vm.Name, force: true).Display("docker");
            if (Force && vm.State == VmState.Running)
            {
                action = DockerCommands.Stop(vm.Context, vm.Name, vm.StopTimeoutSec).Display("docker") + " && " + action;
            }
            Act(vm, action, ct => vm.DeleteAsync(stopFirst: Force, ct), PassThru);
        }
    }
}
