using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>
    /// Get-DockerVm: the managed VMs with their live state, in a constant number of engine requests
    /// per engine. An engine that cannot be reached is one non-terminating error; the others are listed.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "DockerVm", HelpUri = HelpLinks.Base + "Get-DockerVm.md")]
    [OutputType(typeof(DockerVmInstance))]
    public sealed class GetDockerVmCommand : DockerVmCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
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

        /// <summary>Only VMs carrying every one of these labels (asked of the engine, not filtered here).</summary>
        [Parameter]
        public Hashtable? Label { get; set; }

        /// <summary>Only ephemeral VMs whose creating PowerShell process has ended (a crash left them).</summary>
        [Parameter]
        public SwitchParameter Orphaned { get; set; }

        protected override void ProcessRecord()
        {
            IReadOnlyDictionary<string, string> labels;
            try
            {
                labels = Hashtables.ToStrings(Label, nameof(Label));
            }
            catch (DockerVmException e)
            {
                WriteError(Errors.From(e, Label));
                return;
            }
            foreach (var context in (Context is { Length: > 0 } ? Context : new[] { "" }).Distinct())
            {
                IReadOnlyList<DockerVmInstance> all = Array.Empty<DockerVmInstance>();
                if (!Try(context, () => all = Await(ct => VmRegistry.ListAsync(VmRegistry.Engine(context), ct, labels)), fatalEndsCommand: false))
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
                foreach (var vm in all.Where(matched.Contains).Where(v => State is null || State.Contains(v.State)).Where(v => !Orphaned || v.Orphaned))
                {
                    WriteObject(vm);
                }
            }
        }
    }
}
