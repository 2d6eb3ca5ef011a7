using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;

namespace DockerVm
{
    /// <summary>
    /// The ephemeral VMs this process created: removed when the PowerShell session ends normally
    /// (the module's OnRemove and PowerShell.Exiting call <see cref="RemoveAll"/>; process exit is
    /// the backstop). After a crash, their labels (ephemeral, creator) let Get-DockerVm -Orphaned
    /// find them from any process.
    /// </summary>
    public static class EphemeralVms
    {
        private static readonly ConcurrentDictionary<DockerVmInstance, bool> Tracked = new();
        private static int _hooked;

        public static void Track(DockerVmInstance vm)
        {
            Tracked[vm] = true;
            if (System.Threading.Interlocked.Exchange(ref _hooked, 1) == 0)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveAll();
            }
        }

        /// <summary>Removes every ephemeral VM this process created that still exists (rm --force by id), all at once.</summary>
        public static void RemoveAll()
        {
            var vms = Tracked.Keys.ToList();
            foreach (var vm in vms)
            {
                Tracked.TryRemove(vm, out _);
            }
            var removals = vms.Where(v => v.ContainerId.Length > 0 && v.State != VmState.Deleted).Select(v => v.DiscardAsync(Timeouts.Discard)).ToArray();
            try
            {
                Task.WaitAll(removals, Timeouts.Discard);
            }
            catch (AggregateException)
            {
                // DiscardAsync never throws; a session ending must not fail for a clean-up
            }
        }
    }
}
