using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>Get-DockerVm: the managed VMs with their live state, in one `ps` and one `inspect` per engine.</summary>
    [Cmdlet(VerbsCommon.Get, "DockerVm", HelpUri = HelpLinks.Base + "Get-DockerVm.md")]
    [OutputType(typeof(DockerVmInstance))]
    public sealed class GetDockerVmCommand : DockerVmCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public string[] Name { get; set; } = { "*" };

        [Parameter]
        public VmState[]? State { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(ContextCompleter))]
        public string[] Context { get; set; } = { "" };

        protected override void ProcessRecord()
        {
            foreach (var context in (Context is { Length: > 0 } ? Context : new[] { "" }).Distinct())
            {
                var engine = VmRegistry.Engine(context);
                IReadOnlyList<DockerVmInstance> all = Array.Empty<DockerVmInstance>();
                if (!Try(context, () => all = Await(ct => VmRegistry.ListAsync(engine, ct))))
                {
                    continue;
                }
                var matched = new HashSet<DockerVmInstance>();
                foreach (var name in Name)
                {
                    var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                    var hits = all.Where(v => pattern.IsMatch(v.Name)).ToList();
                    if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                    {
                        WriteError(Errors.From(Failures.NoSuchVm(name, context), name));
                    }
                    matched.UnionWith(hits);
                }
                foreach (var vm in all.Where(matched.Contains).Where(v => State is null || State.Contains(v.State)))
                {
                    WriteObject(vm);
                }
            }
        }
    }
}
