using System.Collections.Generic;
using System.Management.Automation;
using DockerVm.Readiness;

namespace DockerVm.Commands
{
    /// <summary>
    /// Wait-DockerVm: polls the engine until the VM is in -State (DockerVmTimeout when it does not
    /// come); then, when asked, until it is ready: -ForLog (a log line since the last start matches),
    /// -ForPort (a TCP connect succeeds), -Healthy (the healthcheck says healthy). They combine: each
    /// must hold, in that order, within the one -TimeoutSec; past it, DockerVmNotReady.
    /// </summary>
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
        [ValidateNotNullOrEmpty]
        [ValidateRegex]
        public string? ForLog { get; set; }

        [Parameter]
        [ValidateRange(1, 65535)]
        public int ForPort { get; set; }

        [Parameter]
        public SwitchParameter Healthy { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessVm(DockerVmInstance vm)
        {
            var checks = Checks();
            if (checks.Count > 0)
            {
                Trace($"Waiting up to {TimeoutSec} s for VM '{vm.Name}' to be {State}, then for {string.Join(", then ", checks.ConvertAll(c => c.WaitsFor))}.");
            }
            Await(ct => vm.WaitUntilReadyAsync(State, checks, Seconds(TimeoutSec), ct));
            EmitIfPassThru(PassThru, vm);
        }

        // New checks for each VM: a check remembers what it saw.
        private List<ReadinessCheck> Checks()
        {
            var checks = new List<ReadinessCheck>();
            if (ForLog is not null)
            {
                checks.Add(new UntilLogMatches(ForLog));
            }
            if (MyInvocation.BoundParameters.ContainsKey(nameof(ForPort)))
            {
                checks.Add(new UntilPortAccepts(ForPort));
            }
            if (Healthy)
            {
                checks.Add(new UntilHealthy());
            }
            return checks;
        }
    }
}
