using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Pools
{
    /// <summary>
    /// New-DockerVm -Pool: takes a waiting VM under the user's name (or, from an empty pool, creates
    /// one cold with the pool's options), brings it to the state asked for, and asks
    /// <see cref="Replenisher"/> for a replacement. A missing pool is DockerVmPoolNotFound.
    /// </summary>
    public static class PoolTaker
    {
        private static readonly Random Shuffle = new();

        /// <summary>The state a taken VM is handed out in: Running with -Start or from a Running pool, else Stopped.</summary>
        public static VmState HandOutState(PoolDefinition pool, bool start) =>
            start || pool.StagingState == VmState.Running ? VmState.Running : VmState.Stopped;

        public static async Task<DockerVmInstance> TakeAsync(IDockerEngine engine, string poolName, string newName, bool start,
            TimeSpan startTimeout, PoolLog log, CancellationToken ct)
        {
            VmName.Validate(newName);
            // The take path is one listing, one rename and one read-back by id (a pool staging Running).
            var (pool, waiting) = await PoolCatalog.GetWithWaitingAsync(engine, poolName, ct).ConfigureAwait(false);
            var vm = await ClaimAnyAsync(engine, pool, waiting, newName, log, ct).ConfigureAwait(false);
            if (vm is null)
            {
                vm = new DockerVmInstance(engine, newName, pool.Image, pool.VmOptionsForPool());
                await vm.CloneAsync(ct).ConfigureAwait(false);
                VmRegistry.Track(vm);
                log($"Pool '{pool.Name}': empty; created '{newName}' cold.");
            }
            var ok = false;
            try
            {
                await BringToAsync(vm, HandOutState(pool, start), startTimeout, ct).ConfigureAwait(false);
                ok = true;
            }
            finally
            {
                if (!ok)
                {
                    await vm.DiscardAsync(Timeouts.Discard).ConfigureAwait(false);
                }
            }
            Replenisher.Schedule(engine, pool);
            log($"Pool '{pool.Name}': a replacement is being made in the background.");
            return vm;
        }

        // Tries the waiting VMs in random order (fewer collisions between takers); a lost race moves on.
        private static async Task<DockerVmInstance?> ClaimAnyAsync(IDockerEngine engine, PoolDefinition pool, IReadOnlyList<ContainerInfo> waitingVms,
            string newName, PoolLog log, CancellationToken ct)
        {
            var order = waitingVms.OrderBy(_ => Next()).ToList();
            foreach (var waiting in order)
            {
                var claimed = await PoolClaim.TryClaimAsync(engine, waiting, newName, ct).ConfigureAwait(false);
                if (claimed is null)
                {
                    log($"Pool '{pool.Name}': '{waiting.Name}' was taken by another process; trying the next.");
                    continue;
                }
                log($"Pool '{pool.Name}': took '{waiting.Name}' as '{newName}' ({claimed.VmState}).");
                return VmRegistry.FromContainer(engine, claimed);
            }
            return null;
        }

        private static int Next()
        {
            lock (Shuffle)
            {
                return Shuffle.Next();
            }
        }

        private static async Task BringToAsync(DockerVmInstance vm, VmState target, TimeSpan startTimeout, CancellationToken ct)
        {
            if (target == VmState.Running)
            {
                if (vm.State != VmState.Running)
                {
                    await vm.StartAsync(startTimeout, ct).ConfigureAwait(false); // start, or unpause from Suspended
                }
                return;
            }
            if (vm.State == VmState.Suspended)
            {
                await vm.StartAsync(startTimeout, ct).ConfigureAwait(false);
            }
            if (vm.State == VmState.Running)
            {
                await vm.StopAsync(null, ct).ConfigureAwait(false);
            }
        }
    }
}
