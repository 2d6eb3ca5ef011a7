using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Pools
{
    /// <summary>
    /// Takes one waiting container for this process, atomically in the engine: a rename BY ITS
    /// WAITING NAME to <c>newName</c>. Of concurrent renames of one name the engine lets one
    /// succeed; the others find no such container. The engine re-reads a container's name only after
    /// locking it, so two renames that looked the name up at the same instant could both succeed
    /// one after the other: the winner is checked by reading the container back by id (the later
    /// rename holds it, and the earlier one, seeing another name, lost).
    /// </summary>
    public static class PoolClaim
    {
        /// <summary>The claimed container as read back under <paramref name="newName"/>, or null when another process got it.</summary>
        public static async Task<ContainerInfo?> TryClaimAsync(IDockerEngine engine, ContainerInfo waiting, string newName, CancellationToken ct)
        {
            try
            {
                await engine.RenameAsync(waiting.Name, newName, ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
            {
                return null; // renamed (taken) or removed by somebody else first
            }
            var now = (await engine.InspectAsync(new[] { waiting.Id }, ct).ConfigureAwait(false)).FirstOrDefault();
            return now is not null && now.Name == newName ? now : null;
        }
    }
}
