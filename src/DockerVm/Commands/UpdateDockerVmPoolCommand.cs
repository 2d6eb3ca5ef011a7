using System;
using System.Management.Automation;
using DockerVm.Pools;

namespace DockerVm.Commands
{
    /// <summary>
    /// Update-DockerVmPool: tops each pool up to its size (or a new -Size), shrinks it, and removes
    /// what a process that ended mid-way left behind. For a scheduled runbook.
    /// </summary>
    [Cmdlet(VerbsData.Update, "DockerVmPool", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Base + "Update-DockerVmPool.md")]
    [OutputType(typeof(DockerVmPool))]
    public sealed class UpdateDockerVmPoolCommand : DockerVmCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        [Parameter]
        [ValidateRange(0, 1000)]
        public int Size { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(ContextCompleter))]
        public string? Context { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            TracePoolEvents();
            var engine = VmRegistry.Engine(Context);
            var resize = MyInvocation.BoundParameters.ContainsKey(nameof(Size));
            foreach (var (name, listed) in PoolsMatching(engine, Name))
            {
                if (!ShouldProcess(name, resize ? $"Resize warm pool '{name}' to {Size} and top it up" : $"Top up warm pool '{name}'"))
                {
                    continue;
                }
                DockerVmPool? result = null;
                Try(name, () => Await(async ct =>
                {
                    var pool = listed ?? await PoolCatalog.GetAsync(engine, name, ct).ConfigureAwait(false);
                    if (resize && pool.Size != Size)
                    {
                        pool = await PoolCatalog.ResizeAsync(engine, pool, Size, ct).ConfigureAwait(false);
                        Post(() => Trace($"Pool '{name}': size {Size}."));
                    }
                    var ready = await PoolFiller.TopUpAsync(engine, pool, m => Post(() => Trace(m)), ct).ConfigureAwait(false);
                    result = PoolCatalog.Describe(engine, pool, ready);
                }));
                if (PassThru && result is not null)
                {
                    WriteObject(result);
                }
            }
        }
    }
}
