using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>-VMName and -Name of the checkpoint cmdlets: wildcards, and a literal -Name that matches nothing is DockerVmCheckpointNotFound.</summary>
    internal sealed class CheckpointSelection
    {
        private readonly IReadOnlyList<string> _vmNames;
        private readonly IReadOnlyList<string> _names;

        public CheckpointSelection(IReadOnlyList<string>? vmNames, IReadOnlyList<string>? names)
        {
            _vmNames = vmNames is { Count: > 0 } ? vmNames : new[] { "*" };
            _names = names is { Count: > 0 } ? names : new[] { "*" };
        }

        /// <summary>The one VM to ask the engine about, when -VMName is a single literal name (null: list them all).</summary>
        public string? SingleVm => _vmNames.Count == 1 && !WildcardPattern.ContainsWildcardCharacters(_vmNames[0]) ? _vmNames[0] : null;

        /// <summary>The checkpoints selected, in listing order, and a CheckpointNotFound for each literal -Name that matched none.</summary>
        public (IReadOnlyList<DockerVmCheckpoint> Selected, IReadOnlyList<DockerVmException> Missing) Apply(IReadOnlyList<DockerVmCheckpoint> all, string context)
        {
            var vms = _vmNames.Select(v => new WildcardPattern(v, WildcardOptions.IgnoreCase)).ToList();
            var ofVms = all.Where(c => vms.Any(p => p.IsMatch(c.VMName))).ToList();
            var selected = new HashSet<DockerVmCheckpoint>();
            var missing = new List<DockerVmException>();
            foreach (var name in _names)
            {
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                var hits = ofVms.Where(c => pattern.IsMatch(c.Name)).ToList();
                if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                {
                    missing.Add(Failures.CheckpointNotFound(SingleVm, name, context));
                }
                selected.UnionWith(hits);
            }
            return (ofVms.Where(selected.Contains).ToList(), missing);
        }
    }
}
