using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>
    /// Get-DockerVmCheckpoint: the checkpoints on each engine (those of deleted VMs too), in a
    /// constant number of engine requests however many there are. -Context takes wildcards; the
    /// engines are asked in parallel, one that cannot be reached is one error.
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
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ContextCompleter))]
        public string[] Context { get; set; } = { "" };

        protected override void ProcessRecord()
        {
            var selection = new CheckpointSelection(VMName, Name);
            var answered = ListEngines(Context, (engine, ct) => Checkpoints.ListAsync(engine, selection.SingleVm, ct), (_, all) =>
            {
                foreach (var checkpoint in selection.Select(all))
                {
                    WriteObject(checkpoint);
                }
            });
            foreach (var e in answered.Count == 0 ? Array.Empty<DockerVmException>() : selection.Missing(answered.Count == 1 ? answered[0] : null))
            {
                WriteError(Errors.From(e, e.VmName ?? (object)Name));
            }
        }
    }
}
