using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>
    /// -VMName and -Name of the checkpoint cmdlets: wildcards, and a literal -Name that matches nothing
    /// (on any of the engines listed) is DockerVmCheckpointNotFound.
    /// </summary>
    internal sealed class CheckpointSelection
    {
        private readonly IReadOnlyList<string> _vmNames;
        private readonly IReadOnlyList<string> _names;
        private readonly HashSet<string> _hit = new(StringComparer.Ordinal);

        public CheckpointSelection(IReadOnlyList<string>? vmNames, IReadOnlyList<string>? names)
        {
            _vmNames = vmNames is { Count: > 0 } ? vmNames : new[] { "*" };
            _names = names is { Count: > 0 } ? names : new[] { "*" };
        }

        /// <summary>The one VM to ask the engine about, when -VMName is a single literal name (null: list them all).</summary>
        public string? SingleVm => _vmNames.Count == 1 && !WildcardPattern.ContainsWildcardCharacters(_vmNames[0]) ? _vmNames[0] : null;

        /// <summary>The checkpoints of one engine's listing that are selected, in listing order; remembers which literal names matched.</summary>
        public IReadOnlyList<DockerVmCheckpoint> Select(IReadOnlyList<DockerVmCheckpoint> all)
        {
            var vms = _vmNames.Select(v => new WildcardPattern(v, WildcardOptions.IgnoreCase)).ToList();
            var ofVms = all.Where(c => vms.Any(p => p.IsMatch(c.VMName))).ToList();
            var selected = new HashSet<DockerVmCheckpoint>();
            foreach (var name in _names)
            {
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                var hits = ofVms.Where(c => pattern.IsMatch(c.Name)).ToList();
                if (hits.Count > 0)
                {
                    _hit.Add(name);
                }
                selected.UnionWith(hits);
            }
            return ofVms.Where(selected.Contains).ToList();
        }

        /// <summary>A CheckpointNotFound for each literal -Name no listing so far matched.</summary>
        public IReadOnlyList<DockerVmException> Missing(string? context) =>
            _names.Where(n => !WildcardPattern.ContainsWildcardCharacters(n) && !_hit.Contains(n))
                .Select(n => Failures.CheckpointNotFound(SingleVm, n, context))
                .ToList();

        /// <summary>The checkpoints selected from one listing, and a CheckpointNotFound for each literal -Name that matched none.</summary>
        public (IReadOnlyList<DockerVmCheckpoint> Selected, IReadOnlyList<DockerVmException> Missing) Apply(IReadOnlyList<DockerVmCheckpoint> all, string context) =>
            (Select(all), Missing(context));
    }
}
