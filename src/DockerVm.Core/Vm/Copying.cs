using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Vm
{
    /// <summary>
    /// Copying between the host and a VM (docker cp, by the container's id). The host's side is
    /// checked before any engine call; the VM's side as the engine reports it.
    /// </summary>
    internal static class Copying
    {
        public static ActionPlan Plan(DockerVmInstance vm, CopySpec spec) => new(VmAction.None, vm.Name, vm.Engine, new CopyRequest(vm.Target, spec));

        public static async Task CopyAsync(DockerVmInstance vm, CopySpec spec, CancellationToken ct)
        {
            InputRules.NoNul("Path", vm.Name, new[] { spec.HostPath, spec.ContainerPath });
            CheckHostSide(spec, vm.Name);
            vm.RequireContainer();
            try
            {
                await Plan(vm, spec).SendAsync(ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
            {
                throw await vm.GoneAsync(e).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.PathNotFound)
            {
                throw Failures.PathNotFoundInVm(vm.Name, spec, e);
            }
        }

        /// <summary>The folder of a path that ends in /. (docker cp: its contents); null for any other path.</summary>
        public static string? ContentsOf(string path) =>
            path.EndsWith("/.", StringComparison.Ordinal) || path.EndsWith("\\.", StringComparison.Ordinal) ? path.Substring(0, path.Length - 2) : null;

        // The host's side of a copy exists: the source going in, the folder receiving what comes out.
        private static void CheckHostSide(CopySpec spec, string vmName)
        {
            if (spec.Direction == CopyDirection.ToContainer)
            {
                var source = ContentsOf(spec.HostPath) ?? spec.HostPath;
                if (!File.Exists(source) && !Directory.Exists(source))
                {
                    throw Failures.HostPathNotFound(spec.HostPath, vmName);
                }
                return;
            }
            var destination = spec.HostPath;
            if (Directory.Exists(destination))
            {
                return;
            }
            var folder = Path.GetDirectoryName(destination.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            {
                throw Failures.HostFolderNotFound(destination, folder!, vmName);
            }
        }
    }
}
