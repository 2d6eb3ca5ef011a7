using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DockerVm.Engine;

namespace DockerVm.Commands
{
    /// <summary>
    /// Copy-DockerVmItem: docker cp between the host and a VM, either way, files and folders, on a
    /// Stopped, Running or Suspended VM. Host paths are resolved from the current location; a missing
    /// source is DockerVmPathNotFound (on the host, before any engine call).
    /// </summary>
    [Cmdlet(VerbsCommon.Copy, "DockerVmItem", DefaultParameterSetName = ToVMSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Base + "Copy-DockerVmItem.md")]
    [OutputType(typeof(DockerVmCopyResult), ParameterSetName = new[] { ToVMSet })]
    [OutputType(typeof(FileInfo), typeof(DirectoryInfo), ParameterSetName = new[] { FromVMSet })]
    public sealed class CopyDockerVmItemCommand : DockerVmCmdlet
    {
        private const string ToVMSet = "ToVM";
        private const string FromVMSet = "FromVM";

        /// <summary>What to copy: host paths with -ToVM, paths in the VM with -FromVM. Literal (docker cp's rules: 'folder/.' is its contents).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Where to: a path in the VM with -ToVM, a host path with -FromVM.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = "";

        [Parameter(ParameterSetName = ToVMSet, Mandatory = true)]
        [VmByName]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public DockerVmInstance? ToVM { get; set; }

        [Parameter(ParameterSetName = FromVMSet, Mandatory = true)]
        [VmByName]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public DockerVmInstance? FromVM { get; set; }

        /// <summary>The engine of a VM given by name.</summary>
        [Parameter]
        [AllowEmptyString]
        public string? Context { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private DockerVmInstance? _vm;
        private bool _unresolved;

        private bool Into => ParameterSetName == ToVMSet;

        protected override void ProcessRecord()
        {
            // The VM is resolved once, for every path the pipeline brings.
            if (_vm is null && !_unresolved)
            {
                var given = (Into ? ToVM : FromVM)!;
                _unresolved = !Try(given, () => _vm = Resolve(given));
            }
            if (_vm is null)
            {
                return;
            }
            foreach (var path in Path ?? Array.Empty<string>())
            {
                Try(_vm, () => CopyOne(_vm, path));
            }
        }

        private DockerVmInstance Resolve(DockerVmInstance given)
        {
            if (!VmByNameAttribute.TryGetName(given, out var name))
            {
                return given;
            }
            if (string.IsNullOrWhiteSpace(name))
            {
                throw Failures.NoSuchVm(name, Context);
            }
            var engine = VmRegistry.Engine(Context);
            return Await(ct => VmRegistry.FindAsync(engine, new[] { name }, ct)).FirstOrDefault()
                   ?? throw Failures.NoSuchVm(name, Context);
        }

        private void CopyOne(DockerVmInstance vm, string path)
        {
            var spec = Into
                ? new CopySpec { Direction = CopyDirection.ToContainer, HostPath = HostPath(path), ContainerPath = Destination }
                : new CopySpec { Direction = CopyDirection.FromContainer, HostPath = HostPath(Destination), ContainerPath = path };
            if (!ShouldProcess(vm.Name, Describe(vm.PlanCopy(spec))))
            {
                return;
            }
            // Where docker cp puts it, decided by what the host has before the copy.
            var landed = Into ? null : Landed(spec);
            Await(ct => vm.CopyAsync(spec, ct));
            if (!PassThru)
            {
                return;
            }
            if (Into)
            {
                WriteObject(new DockerVmCopyResult { VMName = vm.Name, Source = spec.HostPath, Destination = spec.ContainerPath, Context = vm.Context });
                return;
            }
            WriteItem(landed!);
        }

        // A host path as the provider resolves it from the current location (~, PSDrives, relative
        // paths), keeping what docker cp reads in its end: a trailing separator, or /. (the contents).
        private string HostPath(string path)
        {
            var sep = System.IO.Path.DirectorySeparatorChar.ToString();
            var contents = DockerVmInstance.ContentsOf(path);
            var trailing = contents is null && path.Length > 1 && (path.EndsWith("/", StringComparison.Ordinal) || path.EndsWith("\\", StringComparison.Ordinal));
            var bare = contents ?? (trailing ? path.TrimEnd('/', '\\') : path);
            if (bare.Length == 0)
            {
                bare = sep; // "/." : the root's contents
            }
            string resolved;
            try
            {
                resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(bare, out var provider, out _);
                if (provider.Name != "FileSystem")
                {
                    throw new PSArgumentException($"'{path}' is not a file system path.");
                }
            }
            catch (Exception e) when (e is not DockerVmException && e is not PipelineStoppedException)
            {
                throw Failures.HostPathNotFound(path, (Into ? ToVM : FromVM)?.Name);
            }
            var end = resolved.EndsWith(sep, StringComparison.Ordinal) ? "" : sep;
            return contents is not null ? resolved + end + "." : trailing ? resolved + end : resolved;
        }

        // docker cp out of a VM: a source ending in /. fills the destination; an existing folder
        // receives the source under its own name; anything else is the destination itself.
        private static string Landed(CopySpec spec)
        {
            var destination = spec.HostPath.Length > 1 ? spec.HostPath.TrimEnd('/', '\\') : spec.HostPath;
            if (DockerVmInstance.ContentsOf(spec.ContainerPath) is not null || !Directory.Exists(destination))
            {
                return destination;
            }
            var name = spec.ContainerPath.TrimEnd('/').Split('/').LastOrDefault() ?? "";
            return name.Length == 0 || name == "." ? destination : System.IO.Path.Combine(destination, name);
        }

        // The item as Get-Item gives it (provider properties for the next cmdlet), or plain .NET info.
        private void WriteItem(string path)
        {
            try
            {
                foreach (var item in InvokeProvider.Item.Get(new[] { path }, true, true))
                {
                    WriteObject(item);
                }
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteObject(Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path));
            }
        }
    }
}
