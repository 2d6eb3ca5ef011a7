using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Vm
{
    /// <summary>A VM's log lines, streamed as they come, in any state its container exists in.</summary>
    internal static class LogStreaming
    {
        public static async Task StreamAsync(DockerVmInstance vm, LogRequest request, ILogObserver observer, CancellationToken ct)
        {
            vm.RequireContainer();
            try
            {
                await vm.Engine.StreamLogsAsync(vm.ContainerId, request, observer, ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
            {
                throw await vm.GoneAsync(e).ConfigureAwait(false);
            }
        }
    }
}
