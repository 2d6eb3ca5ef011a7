using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>
    /// Get-DockerVmCheckpoint: the checkpoints on each engine (those of deleted VMs too), in a
    /// constant number of engine requests however many there are.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "DockerVmCheckpoint", HelpUri = HelpLinks.Base + "Get-DockerVmCheckpoint.md")]
    [OutputType(typeof(DockerVmCheckpoint))]
    public sealed class GetDockerVmCheckpointCommand : DockerVmCmdlet
    {
        // VM objects and names piped by value bind here (a VM's string is its name).
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public string[] VMName { get; set; } = { "*" };

        [Parameter(Position = 1)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(CheckpointNameCompleter))]
        public string[] Name { get; set; } = { "*" };

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string[] Context { get; set; } = { "" };

        protected override void ProcessRecord()
        {
            var selection = new CheckpointSelection(VMName, Name);
            foreach (var context in (Context is { Length: > 0 } ? Context : new[] { "" }).Distinct())
            {
                IReadOnlyList<DockerVmCheckpoint> all = Array.Empty<DockerVmCheckpoint>();
                if (!Try(context, () => all = Await(ct => Checkpoints.ListAsync(VmRegistry.Engine(context), selection.SingleVm, ct)), fatalEndsCommand: false))
                {
                    continue;
                }
                var (selected, missing) = selection.Apply(all, context);
                foreach (var e in missing)
                {
                    WriteError(Errors.From(e, e.VmName ?? (object)Name));
                }
                foreach (var checkpoint in selected)
                {
                    WriteObject(checkpoint);
                }
            }
        }
    }
}
