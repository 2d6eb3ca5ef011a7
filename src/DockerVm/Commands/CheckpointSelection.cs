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
        private readonly IReadOnlyList<WildcardPattern> _vms;
        private readonly NameSelection _names;

        public CheckpointSelection(IReadOnlyList<string>? vmNames, IReadOnlyList<string>? names)
        {
            _vmNames = vmNames is { Count: > 0 } ? vmNames : new[] { "*" };
            _vms = _vmNames.Select(v => new WildcardPattern(v, WildcardOptions.IgnoreCase)).ToList();
            _names = new NameSelection(names);
        }

        /// <summary>The one VM to ask the engine about, when -VMName is a single literal name (null: list them all).</summary>
        public string? SingleVm => _vmNames.Count == 1 && !WildcardPattern.ContainsWildcardCharacters(_vmNames[0]) ? _vmNames[0] : null;

        /// <summary>The checkpoints of one engine's listing that are selected, in listing order; remembers which literal names matched.</summary>
        public IReadOnlyList<DockerVmCheckpoint> Select(IReadOnlyList<DockerVmCheckpoint> all) =>
            _names.Select(all.Where(c => _vms.Any(p => p.IsMatch(c.VMName))).ToList(), c => c.Name);

        /// <summary>A CheckpointNotFound for each literal -Name no listing so far matched.</summary>
        public IReadOnlyList<DockerVmException> Missing(string? context) =>
            _names.Missing.Select(n => Failures.CheckpointNotFound(SingleVm, n, context)).ToList();
    }
}
