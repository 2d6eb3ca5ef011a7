using System;
using System.Linq;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>
    /// Restore-DockerVmCheckpoint: replaces the VM's container by one created from the checkpoint,
    /// with the same name and the options its labels record; the VM ends Stopped (Running with -Start).
    /// </summary>
    [Cmdlet(VerbsData.Restore, "DockerVmCheckpoint", DefaultParameterSetName = ByCheckpoint, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Restore-DockerVmCheckpoint.md")]
    [OutputType(typeof(DockerVmInstance))]
    public sealed class RestoreDockerVmCheckpointCommand : DockerVmCmdlet
    {
        private const string ByCheckpoint = "ByCheckpoint";

        [Parameter(ParameterSetName = ByCheckpoint, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public DockerVmCheckpoint? Checkpoint { get; set; }

        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public string VMName { get; set; } = "";

        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(CheckpointNameCompleter))]
        public string Name { get; set; } = "";

        [Parameter(ParameterSetName = ByName, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string? Context { get; set; }

        [Parameter]
        public SwitchParameter Start { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

        protected override void ProcessRecord()
        {
            var byObject = ParameterSetName == ByCheckpoint;
            object target = byObject ? Checkpoint! : VMName;
            DockerVmInstance? vm = null;
            DockerVmCheckpoint? checkpoint = null;
            if (!Try(target, () =>
                {
                    var engine = VmRegistry.Engine(byObject ? Checkpoint!.Context : Context);
                    // The checkpoint as the engine has it now (CheckpointNotFound when gone), then its VM.
                    checkpoint = Await(ct => byObject ? Checkpoints.FindAsync(engine, Checkpoint!, ct) : Checkpoints.FindAsync(engine, VMName, Name, ct));
                    vm = Await(ct => VmRegistry.FindAsync(engine, new[] { checkpoint.VMName }, ct)).FirstOrDefault()
                         ?? throw Failures.RestoreNeedsVm(checkpoint.VMName, checkpoint.Name, engine.Context);
                }))
            {
                return;
            }
            Try(vm, () =>
            {
                if (!ShouldProcess(vm!.Name, Describe(vm.PlanRestore(checkpoint!))))
                {
                    return;
                }
                Await(ct => vm.RestoreAsync(checkpoint!, ct));
                if (Start)
                {
                    Await(ct => vm.StartAsync(StartTimeout, ct));
                }
                if (PassThru)
                {
                    WriteObject(vm);
                }
            });
        }
    }
}
