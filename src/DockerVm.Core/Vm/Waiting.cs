using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;
using DockerVm.Readiness;

namespace DockerVm.Vm
{
    /// <summary>
    /// Waits on a VM: until the engine reports a state, then until readiness checks pass. A timeout
    /// bounds the engine's reads too, so a slow engine never stretches a wait; 0 is one look.
    /// </summary>
    internal static class Waiting
    {
        public static async Task ForStateAsync(DockerVmInstance vm, VmState target, TimeSpan timeout, CancellationToken ct)
        {
            if (timeout <= TimeSpan.Zero)
            {
                if (await vm.RefreshAsync(ct).ConfigureAwait(false) != target)
                {
                    throw Failures.WaitTimeout(vm.Name, target, timeout, vm.State);
                }
                return;
            }
            using var limit = new CancellationTokenSource(Timeouts.Clamp(timeout));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
            try
            {
                while (await vm.RefreshAsync(linked.Token).ConfigureAwait(false) != target)
                {
                    await Task.Delay(vm.PollingIntervalMs, linked.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw Failures.WaitTimeout(vm.Name, target, timeout, vm.State);
            }
        }

        public static async Task UntilReadyAsync(DockerVmInstance vm, VmState state, IReadOnlyList<ReadinessCheck> checks, TimeSpan timeout, CancellationToken ct)
        {
            if (checks.Count == 0)
            {
                await ForStateAsync(vm, state, timeout, ct).ConfigureAwait(false);
                return;
            }
            var watch = Stopwatch.StartNew();
            try
            {
                await ForStateAsync(vm, state, timeout, ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.Timeout)
            {
                throw Failures.NotReady(vm.Name, checks[0].WaitsFor, timeout, $"the VM is {vm.State}, never {state}");
            }
            // What the state wait left of the time; none left: one look, as with -TimeoutSec 0.
            var remaining = timeout - watch.Elapsed;
            var once = remaining <= TimeSpan.Zero;
            using var limit = once ? new CancellationTokenSource() : new CancellationTokenSource(Timeouts.Clamp(remaining));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
            var asked = new ReadinessTarget(vm.Engine, vm.ContainerId, vm.Name);
            foreach (var check in checks)
            {
                try
                {
                    while (true)
                    {
                        var info = await vm.Transitions.ReadBackAsync(linked.Token).ConfigureAwait(false) ?? throw Failures.NotFound(vm.Name, vm.Context);
                        if (state == VmState.Running && info.State.Status != ContainerStatus.Running)
                        {
                            var why = info.State.Status == ContainerStatus.Exited
                                ? $"it stopped (exit code {info.State.ExitCode})"
                                : $"it is {vm.State} (docker status '{info.State.StatusText}')";
                            throw Failures.NeverReady(vm.Name, check.WaitsFor, why, check.LastSeen,
                                info.State.Status == ContainerStatus.Exited ? info.State.ExitCode : null, vm.State);
                        }
                        if (await check.IsReadyAsync(asked, info, linked.Token).ConfigureAwait(false))
                        {
                            break;
                        }
                        if (once)
                        {
                            throw Failures.NotReady(vm.Name, check.WaitsFor, timeout, check.LastSeen);
                        }
                        await Task.Delay(vm.PollingIntervalMs, linked.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    throw Failures.NotReady(vm.Name, check.WaitsFor, timeout, check.LastSeen);
                }
                catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
                {
                    throw await vm.GoneAsync(e).ConfigureAwait(false);
                }
            }
        }
    }
}
