using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>Wait-DockerVm: polls the engine until the VM is in -State; DockerVmTimeout when it does not come.</summary>
    [Cmdlet(VerbsLifecycle.Wait, "DockerVm", DefaultParameterSetName = ByObject, HelpUri = HelpLinks.Base + "Wait-DockerVm.md")]
    [OutputType(typeof(DockerVmInstance))]
    public sealed class WaitDockerVmCommand : VmTargetCmdlet
    {
        [Parameter]
        public VmState State { get; set; } = VmState.Running;

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int TimeoutSec { get; set; } = 60;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessVm(DockerVmInstance vm)
        {
            Await(ct => vm.WaitForStateAsync(State, Seconds(TimeoutSec), ct));
            EmitIfPassThru(PassThru, vm);
        }
    }
}
