using System;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Vm
{
    /// <summary>Processes run in a VM: exec with its output streamed, and an interactive shell. Both require Running.</summary>
    internal static class Processes
    {
        public static async Task<ExecOutcome> ExecAsync(DockerVmInstance vm, ExecSpec spec, IExecObserver? observer, TimeSpan? timeout, CancellationToken ct)
        {
            await RequireRunningAsync(vm, spec, ct).ConfigureAwait(false);
            using var timer = timeout is null ? new CancellationTokenSource() : new CancellationTokenSource(Timeouts.Clamp(timeout.Value));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
            try
            {
                return await vm.Engine.ExecAsync(vm.Target, spec, observer, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && timer.IsCancellationRequested)
            {
                throw Failures.ExecTimeout(vm.Name, spec.Command, timeout!.Value);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
            {
                throw await vm.GoneAsync(e).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotRunning || e.Kind == DockerVmErrorKind.CommandFailed)
            {
                await vm.Transitions.TryReadBackAsync().ConfigureAwait(false);
                if (vm.State == VmState.Running)
                {
                    throw;
                }
                throw Failures.NotRunning(vm.Name, vm.State);
            }
        }

        public static async Task<int> EnterAsync(DockerVmInstance vm, ExecSpec spec, CancellationToken ct)
        {
            await RequireRunningAsync(vm, spec, ct).ConfigureAwait(false);
            return await vm.Engine.RunInteractiveAsync(vm.Target, spec, ct).ConfigureAwait(false);
        }

        // A valid command, and a VM the engine reports Running (read again unless known Running).
        private static async Task RequireRunningAsync(DockerVmInstance vm, ExecSpec spec, CancellationToken ct)
        {
            InputRules.CheckExec(vm.Name, spec);
            if (vm.State != VmState.Running && await vm.RefreshAsync(ct).ConfigureAwait(false) != VmState.Running)
            {
                throw Failures.NotRunning(vm.Name, vm.State);
            }
        }
    }
}
