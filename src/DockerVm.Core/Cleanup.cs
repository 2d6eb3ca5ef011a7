using System;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>
    /// Undoing what must not survive: a create that failed or was cancelled, a VM that did not start.
    /// Clean-ups never throw and are never cancelled with the call they clean up after; their budget
    /// is long (a slow engine must not leave anything) and a dead engine ends them within seconds.
    /// </summary>
    internal static class Cleanup
    {
        /// <summary>Removes every container a create request labelled with <paramref name="token"/> made.</summary>
        public static async Task RemoveByTokenAsync(IDockerEngine engine, string token)
        {
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

        /// <summary>rm --force of a VM's container by id, under the VM's lock; the VM ends Deleted, or as the engine reports it.</summary>
        public static async Task DiscardAsync(IDockerEngine engine, Transitions transitions, string containerId, TimeSpan timeout)
        {
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
                        try
                        {
                            await transitions.ReadBackAsync(cts.Token).ConfigureAwait(false);
                        }
                        catch (Exception)
                        {
                            // the failure being reported matters more than this read
                        }
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
