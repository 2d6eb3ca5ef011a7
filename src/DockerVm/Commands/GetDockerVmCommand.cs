using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>
    /// Get-DockerVm: the managed VMs with their live state, in a constant number of engine requests
    /// per engine. -Context takes wildcards (`*`: every context); the engines are asked in parallel,
    /// and one that cannot be reached is one non-terminating error while the others are listed.
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
        [SupportsWildcards]
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
            var selection = new NameSelection(Name);
            var answered = ListEngines(Context, (engine, ct) => VmRegistry.ListAsync(engine, ct, labels), (_, all) =>
            {
                foreach (var vm in selection.Select(all, v => v.Name).Where(v => State is null || State.Contains(v.State)).Where(v => !Orphaned || v.Orphaned))
                {
                    WriteObject(vm);
                }
            });
            foreach (var name in answered.Count == 0 ? Enumerable.Empty<string>() : selection.Missing)
            {
                WriteError(Errors.From(Failures.NoSuchVm(name, answered.Count == 1 ? answered[0] : null), name));
            }
        }
    }
}
