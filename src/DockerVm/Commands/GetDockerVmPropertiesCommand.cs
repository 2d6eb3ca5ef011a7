using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>Get-DockerVmProperties: the VM's properties, read live from the engine.</summary>
    [Cmdlet(VerbsCommon.Get, "DockerVmProperties", DefaultParameterSetName = ByObject, HelpUri = HelpLinks.Base + "Get-DockerVmProperties.md")]
    [OutputType(typeof(DockerVmProperties))]
    public sealed class GetDockerVmPropertiesCommand : VmTargetCmdlet
    {
        protected override void ProcessVm(DockerVmInstance vm) => WriteObject(Await(ct => vm.GetPropertiesAsync(ct)));
    }
}
