using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DockerVm.Pools;

namespace DockerVm.Commands
{
    /// <summary>
    /// Get-DockerVmPool: the warm pools defined on the engine, with how many VMs wait in each. -Context
    /// takes wildcards; the engines are asked in parallel, one that cannot be reached is one error.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "DockerVmPool", HelpUri = HelpLinks.Base + "Get-DockerVmPool.md")]
    [OutputType(typeof(DockerVmPool))]
    public sealed class GetDockerVmPoolCommand : DockerVmCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = { "*" };

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ContextCompleter))]
        public string[] Context { get; set; } = { "" };

        protected override void ProcessRecord()
        {
            TracePoolEvents();
            var selection = new NameSelection(Name);
            var answered = ListEngines(Context, PoolCatalog.DescribeAsync, (_, all) =>
            {
                foreach (var pool in selection.Select(all, p => p.Name))
                {
                    WriteObject(pool);
                }
            });
            foreach (var name in answered.Count == 0 ? Enumerable.Empty<string>() : selection.Missing)
            {
                WriteError(Errors.From(Failures.PoolNotFound(name, answered.Count == 1 ? answered[0] : null), name));
            }
        }
    }
}
