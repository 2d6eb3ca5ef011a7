using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Pools
{
    /// <summary>
    /// Background replacements after a take: fire and forget, at most <see cref="MaxConcurrent"/>
    /// at once and <see cref="MaxPending"/> queued per process; what they did (replenished, failed)
    /// is kept for the next pool cmdlet's -Verbose (<see cref="DrainEvents"/>). When the process
    /// exits, the ones still running get a short budget to finish; one cut short leaves a staging
    /// container that the next Update-DockerVmPool removes.
    /// </summary>
    public static class Replenisher
    {
        public const int MaxConcurrent = 2;
        public const int MaxPending = 16;
        private static readonly TimeSpan ExitBudget = TimeSpan.FromSeconds(30);
        private static readonly SemaphoreSlim Slots = new(MaxConcurrent, MaxConcurrent);
        private static readonly ConcurrentDictionary<Task, string> Pending = new();
        private static readonly ConcurrentQueue<string> Events = new();
        private static int _hooked;

        /// <summary>Starts one replacement for <paramref name="pool"/> in the background.</summary>
        public static void Schedule(IDockerEngine engine, PoolDefinition pool)
        {
            if (Pending.Count >= MaxPending)
            {
                Events.Enqueue($"Pool '{pool.Name}': replenish skipped: {MaxPending} already pending in this session.");
                return;
            }
            if (Interlocked.Exchange(ref _hooked, 1) == 0)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => WaitAll(ExitBudget);
            }
            // Off the caller's path: the taking cmdlet never waits for it, and without the caller's
            // execution context its requests neither reach the cmdlet's -Verbose trace (its events
            // do, through DrainEvents) nor ride on the cmdlet's async state.
            Task task;
            using (ExecutionContext.SuppressFlow())
            {
                task = Task.Run(() => ReplenishAsync(engine, pool));
            }
            Pending[task] = pool.Name;
            task.ContinueWith(t => Pending.TryRemove(t, out _), TaskScheduler.Default);
        }

        private static async Task ReplenishAsync(IDockerEngine engine, PoolDefinition pool)
        {
            await Slots.WaitAsync().ConfigureAwait(false);
            try
            {
                var name = await PoolFiller.AddOneAsync(engine, pool, CancellationToken.None).ConfigureAwait(false);
                Events.Enqueue($"Pool '{pool.Name}': replenished: '{name}' waits ({pool.StagingState}).");
            }
            catch (Exception e)
            {
                Events.Enqueue($"Pool '{pool.Name}': replenish failed: {e.Message}");
            }
            finally
            {
                Slots.Release();
            }
        }

        /// <summary>Waits for this session's pending replacements of <paramref name="pool"/> (all pools when null).</summary>
        public static void WaitAll(TimeSpan budget, string? pool = null)
        {
            var tasks = Pending.Where(kv => pool is null || kv.Value == pool).Select(kv => kv.Key).ToArray();
            try
            {
                Task.WaitAll(tasks, budget);
            }
            catch (AggregateException)
            {
                // each task reports its own failure as an event
            }
        }

        /// <summary>The background events since the last call, oldest first.</summary>
        public static string[] DrainEvents()
        {
            var list = new System.Collections.Generic.List<string>();
            while (Events.TryDequeue(out var e))
            {
                list.Add(e);
            }
            return list.ToArray();
        }
    }
}
