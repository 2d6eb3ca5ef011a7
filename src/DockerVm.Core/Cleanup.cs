using System;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>
    /// Undoing what must not survive: a create that failed or was cancelled, a VM that did not start.
    /// Clean-ups never throw and are never cancelled with the call they clean up after; their budget
    /// is long (a slow engine must not leave anything): their pings wait
    /// <see cref="LivenessProbe.CleanupDeadline"/> (60 s), so they go on while the engine accepts
    /// connections and answers, however late; an engine that refuses connections ends them at once,
    /// one that accepts and never answers a ping within that deadline.
    /// </summary>
    internal static class Cleanup
    {
        /// <summary>Removes every container a create request labelled with <paramref name="token"/> made.</summary>
        public static async Task RemoveByTokenAsync(IDockerEngine engine, string token)
        {
            LivenessProbe.Patient();
            try
            {
                using var cts = new CancellationTokenSource(Timeouts.Cleanup);
                foreach (var id in await engine.ListIdsAsync(new[] { Labels.CreateToken + "=" + token }, cts.Token).ConfigureAwait(false))
                {
                    await engine.RemoveAsync(id, force: true, cts.Token).ConfigureAwait(false);
                }
            }
            catch (Exception)
            {
                // best effort; the create failed for a reason the caller reports
            }
        }

        /// <summary>
        /// Sends <paramref name="create"/>. A cancelled or failed create may still have made the
        /// container: only ours goes (by the request's token). A name conflict means the name is
        /// somebody else's container: it is left alone. An engine that took the request and did not
        /// answer in time (reported unavailable within seconds) may have made it: the clean-up goes
        /// on after this call has failed, for as long as the engine answers pings
        /// (<see cref="LivenessProbe.CleanupDeadline"/>) and the process lives. An engine that could
        /// not be reached at all made nothing.
        /// </summary>
        public static async Task CreateAsync(IDockerEngine engine, CreateRequest create, CancellationToken ct)
        {
            var token = create.Spec.Labels[Labels.CreateToken];
            try
            {
                await create.SendAsync(engine, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException || (e is DockerVmException d && d.Kind != DockerVmErrorKind.NameConflict && !d.IsFatal))
            {
                await RemoveByTokenAsync(engine, token).ConfigureAwait(false);
                throw;
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.EngineUnavailable && e.OutcomeUnknown)
            {
                InBackground(() => RemoveByTokenAsync(engine, token));
                throw;
            }
        }

        /// <summary>Runs a clean-up that outlives the call: no trace to the cmdlet that has ended, never an unobserved exception.</summary>
        private static void InBackground(Func<Task> cleanup)
        {
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await cleanup().ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                        // clean-ups never throw; this one has nobody left to tell
                    }
                });
            }
        }

        /// <summary>rm --force of a container no VM owns yet (by id).</summary>
        public static async Task RemoveContainerAsync(IDockerEngine engine, string id)
        {
            LivenessProbe.Patient();
            try
            {
                using var cts = new CancellationTokenSource(Timeouts.Cleanup);
                await engine.RemoveAsync(id, force: true, cts.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // best effort: the failure being reported matters more
            }
        }

        /// <summary>rm --force of a VM's container by id, under the VM's lock; the VM ends Deleted, or as the engine reports it.</summary>
        public static async Task DiscardAsync(IDockerEngine engine, Transitions transitions, string containerId, TimeSpan timeout)
        {
            LivenessProbe.Patient();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await transitions.LockedAsync(async () =>
                {
                    try
                    {
                        await engine.RemoveAsync(containerId, force: true, cts.Token).ConfigureAwait(false);
                        transitions.Apply(null);
                    }
                    catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
                    {
                        transitions.Apply(null);
                    }
                    catch (Exception)
                    {
                        await transitions.TryReadBackAsync(cts.Token).ConfigureAwait(false);
                    }
                }, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // the lock was not free in time: the action holding it leaves a known state
            }
        }
    }
}
