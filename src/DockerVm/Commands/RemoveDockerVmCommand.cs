using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>Remove-DockerVm: docker rm (Delete). -Force stops a Running VM first.</summary>
    [Cmdlet(VerbsCommon.Remove, "DockerVm", DefaultParameterSetName = ByObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Remove-DockerVm.md")]
    [OutputType(typeof(DockerVmInstance))]
    public sealed class RemoveDockerVmCommand : VmTargetCmdlet
    {
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessVm(DockerVmInstance vm)
        {
            Act(vm, vm.PlanDelete(Force), ct => vm.DeleteAsync(Force, ct), PassThru);
        }
    }
}
