using System;
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

        private bool _yesToAll;
        private bool _noToAll;

        protected override void ProcessVm(DockerVmInstance vm)
        {
            Act(vm, vm.PlanDelete(Force), ct => vm.DeleteAsync(Force, ct), PassThru, () => MayRemove(vm));
        }

        // A wildcard that reaches VMs created by another user or process asks first, unless -Force or
        // -Confirm:$false (how runbooks say "yes"). Where nobody can answer (-NonInteractive), such a
        // VM is skipped with a warning: never removed without a word.
        private bool MayRemove(DockerVmInstance vm)
        {
            var confirmOff = MyInvocation.BoundParameters.TryGetValue("Confirm", out var c) && c is SwitchParameter { IsPresent: false };
            if (!MatchedByWildcard(vm) || Force || confirmOff || Creator.Current.Equals(vm.CreatedBy))
            {
                return true;
            }
            var who = vm.CreatedBy is { } by ? $"{by.User} on {by.Host} (process {by.ProcessId})" : "another user or process";
            try
            {
                return ShouldContinue($"VM '{vm.Name}' matched a wildcard and was created by {who}. Remove it?",
                    "Remove a VM this session did not create", ref _yesToAll, ref _noToAll);
            }
            catch (Exception e) when (e is PSInvalidOperationException || e is System.Management.Automation.Host.HostException || e is NotImplementedException || e is PSNotImplementedException)
            {
                WriteWarning($"Skipped VM '{vm.Name}': it matched a wildcard and was created by {who}, and nobody can confirm here. " +
                             "Name it, or pass -Confirm:$false (or -Force) to remove VMs created elsewhere.");
                return false;
            }
        }
    }
}
