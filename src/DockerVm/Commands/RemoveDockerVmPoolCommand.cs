using System;
using System.Management.Automation;
using DockerVm.Pools;

namespace DockerVm.Commands
{
    /// <summary>Remove-DockerVmPool: removes the pool's definition and its waiting VMs; VMs already taken are left alone.</summary>
    [Cmdlet(VerbsCommon.Remove, "DockerVmPool", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Remove-DockerVmPool.md")]
    public sealed class RemoveDockerVmPoolCommand : DockerVmCmdlet
    {
        private static readonly TimeSpan PendingBudget = TimeSpan.FromSeconds(60);

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(ContextCompleter))]
        public string? Context { get; set; }

        protected override void ProcessRecord()
        {
            TracePoolEvents();
            var engine = VmRegistry.Engine(Context);
            foreach (var (name, listed) in PoolsMatching(engine, Name))
            {
                if ((listed is null && !Try(name, () => Await(ct => PoolCatalog.GetAsync(engine, name, ct)))) ||
                    !ShouldProcess(name, $"Remove warm pool '{name}' and its waiting VMs (VMs taken from it stay)"))
                {
                    continue;
                }
                Try(name, () => Await(async ct =>
                {
                    // This session's own replacements finish first, so none is made after the pool is gone.
                    await System.Threading.Tasks.Task.Run(() => Replenisher.WaitAll(PendingBudget, name), ct).ConfigureAwait(false);
                    await PoolCatalog.RemoveMarkersAsync(engine, name, keep: null, ct).ConfigureAwait(false);
                    var removed = await PoolFiller.EmptyAsync(engine, name, m => Post(() => Trace(m)), ct).ConfigureAwait(false);
                    Post(() => Trace($"Pool '{name}': removed, with {removed} waiting VM(s)."));
                }));
            }
        }
    }
}
