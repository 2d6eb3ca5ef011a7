using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>
    /// Remove-DockerVmCheckpoint: docker rmi of each checkpoint's image. A checkpoint a VM was created
    /// or restored from is refused while that VM exists.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "DockerVmCheckpoint", DefaultParameterSetName = ByCheckpoint, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Remove-DockerVmCheckpoint.md")]
    public sealed class RemoveDockerVmCheckpointCommand : DockerVmCmdlet
    {
        private const string ByCheckpoint = "ByCheckpoint";

        [Parameter(ParameterSetName = ByCheckpoint, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public DockerVmCheckpoint[] Checkpoint { get; set; } = Array.Empty<DockerVmCheckpoint>();

        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public string[] VMName { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(CheckpointNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = ByName, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string? Context { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ByCheckpoint)
            {
                foreach (var checkpoint in Checkpoint)
                {
                    if (checkpoint is not null)
                    {
                        Try(checkpoint, () => RemoveOne(checkpoint));
                    }
                }
                return;
            }
            var selection = new CheckpointSelection(VMName, Name);
            IReadOnlyList<DockerVmCheckpoint> all = Array.Empty<DockerVmCheckpoint>();
            if (!Try(VMName, () => all = Await(ct => Checkpoints.ListAsync(VmRegistry.Engine(Context), selection.SingleVm, ct))))
            {
                return;
            }
            var selected = selection.Select(all);
            var missing = selection.Missing(Context ?? "");
            foreach (var e in missing)
            {
                WriteError(Errors.From(e, e.VmName ?? (object)Name));
            }
            foreach (var checkpoint in selected)
            {
                Try(checkpoint, () => RemoveOne(checkpoint));
            }
        }

        private void RemoveOne(DockerVmCheckpoint checkpoint)
        {
            var engine = VmRegistry.Engine(checkpoint.Context);
            if (ShouldProcess($"checkpoint '{checkpoint.Name}' of VM '{checkpoint.VMName}'", Describe(Checkpoints.PlanRemove(engine, checkpoint))))
            {
                Await(ct => Checkpoints.RemoveAsync(engine, checkpoint, ct));
            }
        }
    }
}
