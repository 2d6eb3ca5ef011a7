using System;
using System.Collections;
using System.Management.Automation;
using DockerVm.Pools;

namespace DockerVm.Commands
{
    /// <summary>New-DockerVmPool: defines a warm pool in the engine and fills it.</summary>
    [Cmdlet(VerbsCommon.New, "DockerVmPool", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = IdleCommand, HelpUri = HelpLinks.Base + "New-DockerVmPool.md")]
    [OutputType(typeof(DockerVmPool))]
    public sealed class NewDockerVmPoolCommand : DockerVmCmdlet
    {
        private const string IdleCommand = "IdleCommand";
        private const string ImageCommand = "ImageCommand";

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

        [Parameter(ParameterSetName = IdleCommand)]
        [AllowEmptyCollection]
        public string[]? ContainerCommand { get; set; }

        [Parameter(ParameterSetName = ImageCommand, Mandatory = true)]
        public SwitchParameter UseImageCommand { get; set; }

        [Parameter]
        [ValidateEnvironment]
        public Hashtable? Environment { get; set; }

        [Parameter]
        public Hashtable? Label { get; set; }

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int StopTimeoutSec { get; set; } = VmOptions.DefaultStopTimeoutSec;

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
                var options = new VmOptions
                {
                    StopTimeoutSec = StopTimeoutSec,
                    ContainerCommand = VmOptions.CommandFor(UseImageCommand, ContainerCommand),
                    Environment = Hashtables.ToStrings(Environment, nameof(Environment)),
                    Labels = Hashtables.ToStrings(Label, nameof(Label)),
                };
                InputRules.CheckCreate(Name, Image.Trim(), options);
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
