using System;
using System.Management.Automation;
using DockerVm.Pools;

namespace DockerVm.Commands
{
    /// <summary>New-DockerVmPool: defines a warm pool in the engine and fills it.</summary>
    [Cmdlet(VerbsCommon.New, "DockerVmPool", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = IdleCommand, HelpUri = HelpLinks.Base + "New-DockerVmPool.md")]
    [OutputType(typeof(DockerVmPool))]
    public sealed class NewDockerVmPoolCommand : VmCreateCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = "";

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ImageCompleter))]
        public string Image { get; set; } = "";

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0, 1000)]
        public int Size { get; set; } = 2;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateSet("Running", "Suspended", "Stopped")]
        public VmState StagingState { get; set; } = VmState.Running;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(ContextCompleter))]
        public string? Context { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            TracePoolEvents();
            PoolDefinition pool;
            try
            {
                VmName.Validate(PoolNames.Marker(Name));
                var options = CreateOptions();
                InputRules.CheckCreate(Name, Image.Trim(), options);
                InputRules.CheckPool(Name, options);
                pool = new PoolDefinition { Name = Name, Image = Image.Trim(), Size = Size, StagingState = StagingState, Options = options };
            }
            catch (DockerVmException e)
            {
                WriteError(Errors.From(e, Name));
                return;
            }
            if (!ShouldProcess(Name, $"Define warm pool '{Name}': {Size} VM(s) of {pool.Image}, kept {StagingState}"))
            {
                return;
            }
            var engine = VmRegistry.Engine(Context);
            var ready = 0;
            var defined = Try(Name, () => Await(async ct =>
            {
                pool = await PoolCatalog.DefineAsync(engine, pool, ct).ConfigureAwait(false);
                Post(() => Trace($"Pool '{Name}': defined ({Size} x {pool.Image}, {StagingState})."));
                ready = await PoolFiller.TopUpAsync(engine, pool, m => Post(() => Trace(m)), ct).ConfigureAwait(false);
            }));
            if (defined && PassThru)
            {
                WriteObject(PoolCatalog.Describe(engine, pool, ready));
            }
        }
    }
}
