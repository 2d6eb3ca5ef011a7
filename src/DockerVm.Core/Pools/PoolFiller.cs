using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Pools
{
    /// <summary>What a pool operation did, for -Verbose: one line per event.</summary>
    public delegate void PoolLog(string message);

    /// <summary>
    /// Fills a pool: stages one VM under a staging name (create, then start / pause as the pool
    /// stages) and only then renames it to a waiting name, so a taker never sees a half-made VM; a
    /// process that dies meanwhile leaves a staging container that <see cref="TopUpAsync"/>
    /// recognises (its creator is gone) and removes. Shrinking and removing claim a waiting VM by
    /// rename first, exactly as a taker does, so a VM being taken is never removed.
    /// </summary>
    public static class PoolFiller
    {
        private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

        /// <summary>Makes one waiting VM. On failure nothing is left behind.</summary>
        public static async Task<string> AddOneAsync(IDockerEngine engine, PoolDefinition pool, CancellationToken ct)
        {
            var vm = new DockerVmInstance(engine, PoolNames.NewStaging(pool.Name), pool.Image, pool.VmOptionsForPool());
            var waiting = PoolNames.NewWaiting(pool.Name);
            var done = false;
            try
            {
                await vm.CloneAsync(ct).ConfigureAwait(false);
                if (pool.StagingState is VmState.Running or VmState.Suspended)
                {
                    await vm.StartAsync(StartTimeout, ct).ConfigureAwait(false);
                }
                if (pool.StagingState == VmState.Suspended)
                {
                    await vm.SuspendAsync(ct).ConfigureAwait(false);
                }
                // The pool may have been removed meanwhile (by another process): then this VM is nobody's.
                if (await PoolCatalog.FindAsync(engine, pool.Name, ct).ConfigureAwait(false) is null)
                {
                    throw Failures.PoolNotFound(pool.Name, engine.Context);
                }
                await engine.RenameAsync(vm.ContainerId, waiting, ct).ConfigureAwait(false);
                done = true;
                return waiting;
            }
            finally
            {
                if (!done)
                {
                    await vm.DiscardAsync(Timeouts.Discard).ConfigureAwait(false);
                }
            }
        }

        /// <summary>
        /// Brings the pool to <paramref name="size"/> waiting VMs (its own size when null): removes what
        /// a dead process left (staging VMs of a creator that is gone, VMs half way to removal, waiting
        /// VMs that are not in the staging state), then adds or claims-and-removes the difference.
        /// Returns the number of VMs waiting after.
        /// </summary>
        public static async Task<int> TopUpAsync(IDockerEngine engine, PoolDefinition pool, PoolLog log, CancellationToken ct, int? size = null)
        {
            var target = size ?? pool.Size;
            var members = await PoolMembers.ListAsync(engine, pool.Name, ct).ConfigureAwait(false);
            foreach (var left in members.Doomed.Concat(members.Staging.Where(IsAbandoned)))
            {
                await PoolMembers.RemoveQuietlyAsync(engine, left.Id, ct).ConfigureAwait(false);
                log($"Pool '{pool.Name}': removed '{left.Name}', left by a process that ended mid-way.");
            }
            var waiting = members.Waiting.ToList();
            foreach (var wrong in waiting.Where(w => w.VmState != pool.StagingState).ToList())
            {
                if (await ClaimAndRemoveAsync(engine, pool.Name, wrong, ct).ConfigureAwait(false))
                {
                    log($"Pool '{pool.Name}': removed waiting VM '{wrong.Name}': {wrong.VmState}, not {pool.StagingState}.");
                }
                waiting.Remove(wrong);
            }
            var inFlight = members.Staging.Count(s => !IsAbandoned(s));
            var count = waiting.Count;
            for (var i = count + inFlight; i < target; i++)
            {
                var name = await AddOneAsync(engine, pool, ct).ConfigureAwait(false);
                count++;
                log($"Pool '{pool.Name}': replenished: '{name}' waits ({pool.StagingState}).");
            }
            foreach (var extra in waiting.Skip(target).ToList())
            {
                if (await ClaimAndRemoveAsync(engine, pool.Name, extra, ct).ConfigureAwait(false))
                {
                    count--;
                    log($"Pool '{pool.Name}': removed waiting VM '{extra.Name}' (size {target}).");
                }
            }
            return count;
        }

        /// <summary>Removes every waiting VM of a pool (and what is left of staging ones). Taken VMs are not touched.</summary>
        public static async Task<int> EmptyAsync(IDockerEngine engine, string pool, PoolLog log, CancellationToken ct)
        {
            var members = await PoolMembers.ListAsync(engine, pool, ct).ConfigureAwait(false);
            var removed = 0;
            foreach (var w in members.Waiting)
            {
                if (await ClaimAndRemoveAsync(engine, pool, w, ct).ConfigureAwait(false))
                {
                    removed++;
                    log($"Pool '{pool}': removed waiting VM '{w.Name}'.");
                }
            }
            foreach (var left in members.Doomed.Concat(members.Staging))
            {
                // a staging VM of a live process: its rename to a waiting name fails, and it removes it itself
                await PoolMembers.RemoveQuietlyAsync(engine, left.Id, ct).ConfigureAwait(false);
            }
            return removed;
        }

        // Claimed by rename (by name: only one rename of a name succeeds), then removed by id.
        private static async Task<bool> ClaimAndRemoveAsync(IDockerEngine engine, string pool, ContainerInfo waiting, CancellationToken ct)
        {
            var doomed = PoolNames.NewDoomed(pool);
            if (await PoolClaim.TryClaimAsync(engine, waiting, doomed, ct).ConfigureAwait(false) is not { } claimed)
            {
                return false; // taken meanwhile
            }
            await PoolMembers.RemoveQuietlyAsync(engine, claimed.Id, ct).ConfigureAwait(false);
            return true;
        }

        // A staging container whose creating process has ended (known on its host), or an old one.
        private static bool IsAbandoned(ContainerInfo staging)
        {
            var by = Creator.Parse(staging.Labels.TryGetValue(Labels.CreatedBy, out var b) ? b : null);
            return (by is not null && !by.IsAlive()) ||
                   (staging.Created is { } c && DateTime.UtcNow - c.ToUniversalTime() > TimeSpan.FromMinutes(10));
        }
    }
}
