using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Pools
{
    /// <summary>Reads and writes pool definitions (marker containers) and lists a pool's containers.</summary>
    public static class PoolCatalog
    {
        /// <summary>Every pool defined on the engine, by name (one listing).</summary>
        public static async Task<IReadOnlyList<PoolDefinition>> ListAsync(IDockerEngine engine, CancellationToken ct)
        {
            var markers = await engine.ListAsync(new[] { PoolNames.DefinitionLabel }, ct).ConfigureAwait(false);
            return Choose(markers);
        }

        /// <summary>Every pool with its count of waiting VMs, in two listings however many there are.</summary>
        public static async Task<IReadOnlyList<DockerVmPool>> DescribeAsync(IDockerEngine engine, CancellationToken ct)
        {
            var pools = await ListAsync(engine, ct).ConfigureAwait(false);
            if (pools.Count == 0)
            {
                return Array.Empty<DockerVmPool>();
            }
            var members = await engine.ListAsync(new[] { Labels.ManagedFilter, PoolNames.PoolLabel }, ct).ConfigureAwait(false);
            return pools.Select(p => Describe(engine, p, members.Count(m => PoolNames.IsWaiting(m, p.Name)))).ToList();
        }

        public static DockerVmPool Describe(IDockerEngine engine, PoolDefinition p, int ready) => new()
        {
            Name = p.Name,
            Image = p.Image,
            Size = p.Size,
            StagingState = p.StagingState,
            Ready = ready,
            Context = engine.Context,
        };

        /// <summary>The pool named <paramref name="name"/>, or null.</summary>
        public static async Task<PoolDefinition?> FindAsync(IDockerEngine engine, string name, CancellationToken ct)
        {
            var markers = await engine.ListAsync(new[] { PoolNames.DefinitionLabel + "=" + name }, ct).ConfigureAwait(false);
            return Choose(markers).FirstOrDefault(p => p.Name == name);
        }

        /// <summary>
        /// What a take needs, in one listing: the pool named <paramref name="name"/> (DockerVmPoolNotFound
        /// when there is none) and its waiting VMs, found together by the pool's label (markers carry it
        /// too). A marker made before markers carried it costs one more listing.
        /// </summary>
        public static async Task<(PoolDefinition Pool, IReadOnlyList<ContainerInfo> Waiting)> GetWithWaitingAsync(IDockerEngine engine, string name, CancellationToken ct)
        {
            var all = await engine.ListAsync(new[] { PoolNames.PoolLabel + "=" + name }, ct).ConfigureAwait(false);
            var pool = Choose(all.Where(i => i.Labels.ContainsKey(PoolNames.DefinitionLabel)).ToList()).FirstOrDefault(p => p.Name == name)
                ?? await GetAsync(engine, name, ct).ConfigureAwait(false);
            return (pool, all.Where(i => i.IsManaged && PoolNames.IsWaiting(i, name)).ToList());
        }

        /// <summary>The pool named <paramref name="name"/>; DockerVmPoolNotFound when there is none.</summary>
        public static async Task<PoolDefinition> GetAsync(IDockerEngine engine, string name, CancellationToken ct) =>
            await FindAsync(engine, name, ct).ConfigureAwait(false) ?? throw Failures.PoolNotFound(name, engine.Context);

        // While a size changes two markers may exist for a moment: the one under the pool's name wins.
        private static IReadOnlyList<PoolDefinition> Choose(IReadOnlyList<ContainerInfo> markers) =>
            markers
                .Select(m => (Info: m, Def: PoolDefinition.FromMarker(m)))
                .Where(x => x.Def is not null)
                .GroupBy(x => x.Def!.Name, StringComparer.Ordinal)
                .Select(g => g.OrderByDescending(x => x.Info.Name == PoolNames.Marker(g.Key)).ThenByDescending(x => x.Info.Created).First().Def!)
                .OrderBy(p => p.Name, StringComparer.Ordinal)
                .ToList();

        /// <summary>Creates the marker of a new pool. A pool of that name already: NameConflict.</summary>
        public static async Task<PoolDefinition> DefineAsync(IDockerEngine engine, PoolDefinition pool, CancellationToken ct)
        {
            var id = await engine.CreateAsync(MarkerSpec(pool, PoolNames.Marker(pool.Name)), ct).ConfigureAwait(false);
            return new PoolDefinition { Name = pool.Name, Image = pool.Image, Size = pool.Size, StagingState = pool.StagingState, Options = pool.Options, MarkerId = id };
        }

        /// <summary>
        /// Records a new size: a new marker is made beside the old one, the old one removed, and the
        /// new one renamed to the pool's name (readers prefer the marker under the pool's name, then the newest).
        /// </summary>
        public static async Task<PoolDefinition> ResizeAsync(IDockerEngine engine, PoolDefinition pool, int size, CancellationToken ct)
        {
            var next = pool.WithSize(size);
            var id = await engine.CreateAsync(MarkerSpec(next, PoolNames.Marker(pool.Name) + ".next-" + Guid.NewGuid().ToString("N").Substring(0, 8)), ct).ConfigureAwait(false);
            await RemoveMarkersAsync(engine, pool.Name, keep: id, ct).ConfigureAwait(false);
            await engine.RenameAsync(id, PoolNames.Marker(pool.Name), ct).ConfigureAwait(false);
            return new PoolDefinition { Name = next.Name, Image = next.Image, Size = size, StagingState = next.StagingState, Options = next.Options, MarkerId = id };
        }

        /// <summary>Removes every marker of the pool (but <paramref name="keep"/>).</summary>
        public static async Task RemoveMarkersAsync(IDockerEngine engine, string pool, string? keep, CancellationToken ct)
        {
            var ids = await engine.ListIdsAsync(new[] { PoolNames.DefinitionLabel + "=" + pool }, ct).ConfigureAwait(false);
            foreach (var id in ids.Where(i => i != keep))
            {
                await PoolMembers.RemoveQuietlyAsync(engine, id, ct).ConfigureAwait(false);
            }
        }

        private static CreateSpec MarkerSpec(PoolDefinition pool, string name) => new()
        {
            Name = name,
            Image = pool.Image,
            Labels = pool.MarkerLabels(),
            // Never started: the command only has to be one the image accepts.
            ContainerCommand = pool.Options.ContainerCommand,
            Init = false,
        };
    }

    /// <summary>A pool's containers on the engine, told apart by name (see <see cref="PoolNames"/>).</summary>
    public sealed class PoolMembers
    {
        private PoolMembers(IReadOnlyList<ContainerInfo> waiting, IReadOnlyList<ContainerInfo> staging, IReadOnlyList<ContainerInfo> doomed)
        {
            Waiting = waiting;
            Staging = staging;
            Doomed = doomed;
        }

        public IReadOnlyList<ContainerInfo> Waiting { get; }
        public IReadOnlyList<ContainerInfo> Staging { get; }
        public IReadOnlyList<ContainerInfo> Doomed { get; }

        /// <summary>One listing of the pool's containers.</summary>
        public static async Task<PoolMembers> ListAsync(IDockerEngine engine, string pool, CancellationToken ct)
        {
            var all = await engine.ListAsync(new[] { Labels.ManagedFilter, PoolNames.PoolLabel + "=" + pool }, ct).ConfigureAwait(false);
            return new PoolMembers(
                all.Where(i => PoolNames.IsWaiting(i, pool)).ToList(),
                all.Where(i => PoolNames.IsStaging(i, pool)).ToList(),
                all.Where(i => PoolNames.IsDoomed(i, pool)).ToList());
        }

        /// <summary>rm --force; a container already gone is fine.</summary>
        public static async Task RemoveQuietlyAsync(IDockerEngine engine, string id, CancellationToken ct)
        {
            try
            {
                await engine.RemoveAsync(id, force: true, ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
            {
            }
        }
    }
}
