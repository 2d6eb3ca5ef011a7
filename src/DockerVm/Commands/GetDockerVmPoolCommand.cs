using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DockerVm.Pools;

namespace DockerVm.Commands
{
    /// <summary>Get-DockerVmPool: the warm pools defined on the engine, with how many VMs wait in each.</summary>
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
        [ArgumentCompleter(typeof(ContextCompleter))]
        public string[] Context { get; set; } = { "" };

        protected override void ProcessRecord()
        {
            TracePoolEvents();
            foreach (var context in (Context is { Length: > 0 } ? Context : new[] { "" }).Distinct())
            {
                IReadOnlyList<DockerVmPool> all = Array.Empty<DockerVmPool>();
                if (!Try(context, () => all = Await(ct => PoolCatalog.DescribeAsync(VmRegistry.Engine(context), ct)), fatalEndsCommand: false))
                {
                    continue;
                }
                var matched = new HashSet<DockerVmPool>();
                foreach (var name in Name)
                {
                    var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                    var hits = all.Where(p => pattern.IsMatch(p.Name)).ToList();
                    if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                    {
                        WriteError(Errors.From(Failures.PoolNotFound(name, context), name));
                    }
                    matched.UnionWith(hits);
                }
                foreach (var pool in all.Where(matched.Contains))
                {
                    WriteObject(pool);
                }
            }
        }
    }
}
