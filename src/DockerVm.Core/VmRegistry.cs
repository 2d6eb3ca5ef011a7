using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>
    /// The process's VMs, keyed by (Context, Name): within a session the same VM is the same
    /// object, and VMs made by other processes are found again from the engine's labels.
    /// </summary>
    public static class VmRegistry
    {
        private static readonly ConcurrentDictionary<string, IDockerEngine> EnginesByContext = new(StringComparer.Ordinal);
        private static readonly ConcurrentDictionary<(string Context, string Name), DockerVmInstance> Vms = new();

        /// <summary>Makes the engine for a context (the transport $env:DOCKERVM_TRANSPORT selects, see <see cref="Transports"/>); replaceable for tests.</summary>
        public static Func<string, IDockerEngine> EngineFactory { get; set; } = Transports.For;

        /// <summary>The engine for a context ("" or null: the CLI's default).</summary>
        public static IDockerEngine Engine(string? context) => EnginesByContext.GetOrAdd(context ?? "", c => EngineFactory(c));

        /// <summary>Remembers a VM made in this session, replacing a stale entry of the same name.</summary>
        public static DockerVmInstance Track(DockerVmInstance vm)
        {
            Vms[(vm.Context, vm.Name)] = vm;
            return vm;
        }

        /// <summary>
        /// The session's object for a container seen on the engine, updated to the engine's state
        /// unless an action on it began or ended since <paramref name="epochs"/> was taken (before the read).
        /// </summary>
        public static DockerVmInstance FromContainer(IDockerEngine engine, ContainerInfo info, IReadOnlyDictionary<string, long>? epochs = null)
        {
            var key = (engine.Context, info.Name);
            var created = false;
            var vm = Vms.AddOrUpdate(key, _ =>
            {
                created = true;
                return DockerVmInstance.FromContainer(engine, info);
            }, (_, known) =>
            {
                // A VM is its container: a new container under a known name is another VM.
                if (known.ContainerId.Length == 0 || known.ContainerId == info.Id)
                {
                    return known;
                }
                created = true;
                return DockerVmInstance.FromContainer(engine, info);
            });
            if (!created)
            {
                vm.Observe(info, epochs is not null && epochs.TryGetValue(info.Name, out var e) ? e : epochs is null ? vm.Epoch : -1);
            }
            return vm;
        }

        // The epochs of an engine's known VMs, taken before reading the engine.
        private static IReadOnlyDictionary<string, long> EpochsOf(IDockerEngine engine) =>
            Vms.Where(kv => kv.Key.Context == engine.Context).ToDictionary(kv => kv.Key.Name, kv => kv.Value.Epoch, StringComparer.Ordinal);

        /// <summary>Every managed VM on an engine with its live state, in a constant number of engine requests however many there are.</summary>
        public static async Task<IReadOnlyList<DockerVmInstance>> ListAsync(IDockerEngine engine, CancellationToken ct,
            IReadOnlyDictionary<string, string>? labels = null)
        {
            var epochs = EpochsOf(engine);
            var filters = new[] { Labels.ManagedFilter }.Concat((labels ?? new Dictionary<string, string>()).Select(kv => kv.Key + "=" + kv.Value)).ToList();
            var infos = await engine.ListAsync(filters, ct).ConfigureAwait(false);
            return infos
                .Where(i => i.IsManaged && !Pools.PoolNames.IsPoolOwned(i)) // a pool's waiting VMs are not (yet) anybody's VMs
                .Select(i => FromContainer(engine, i, epochs))
                .OrderBy(v => v.Name, StringComparer.Ordinal)
                .ToList();
        }

        /// <summary>Looks up managed VMs by literal name with one `inspect`; names with no managed container are absent.</summary>
        public static async Task<IReadOnlyList<DockerVmInstance>> FindAsync(IDockerEngine engine, IReadOnlyList<string> names, CancellationToken ct)
        {
            var epochs = EpochsOf(engine);
            var infos = await engine.InspectAsync(names, ct).ConfigureAwait(false);
            var found = infos
                .Where(i => i.IsManaged)
                .Select(i => FromContainer(engine, i, epochs))
                .ToList();
            foreach (var missing in names.Where(n => found.All(v => v.Name != n)))
            {
                if (Vms.TryGetValue((engine.Context, missing), out var stale) &&
                    epochs.TryGetValue(missing, out var e) && stale.Epoch == e)
                {
                    stale.Observe(null, e);
                }
            }
            return found;
        }
    }
}
