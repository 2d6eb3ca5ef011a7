using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Commands
{
    /// <summary>
    /// A cmdlet that acts on existing VMs: -Name (wildcards among managed VMs) with -Context,
    /// or -VM objects from the pipeline. Each VM is processed on its own; a failure on one is
    /// reported and the next one goes on.
    /// </summary>
    public abstract class VmTargetCmdlet : DockerVmCmdlet
    {
        // Strings piped by value bind here ('a','b' | Start-DockerVm); VM objects bind to -VM.
        [Parameter(ParameterSetName = ByName, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = ByName, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(ContextCompleter))]
        public string? Context { get; set; }

        [Parameter(ParameterSetName = ByObject, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public DockerVmInstance[] VM { get; set; } = Array.Empty<DockerVmInstance>();

        private readonly HashSet<DockerVmInstance> _byWildcard = new();

        /// <summary>True when <paramref name="vm"/> was found by a wildcard, not named.</summary>
        protected bool MatchedByWildcard(DockerVmInstance vm) => _byWildcard.Contains(vm);

        protected override void ProcessRecord()
        {
            var targets = ResolveTargets().ToList();
            // Several VMs in one call (a wildcard, an array): progress, quiet under $ProgressPreference.
            var activity = MyInvocation.MyCommand.Name;
            var activityId = Math.Abs(activity.GetHashCode() % 100000);
            for (var i = 0; i < targets.Count; i++)
            {
                var vm = targets[i];
                if (targets.Count > 1)
                {
                    WriteProgress(new ProgressRecord(activityId, activity, $"{vm.Name} ({i + 1} of {targets.Count})") { PercentComplete = i * 100 / targets.Count });
                }
                Try(vm, () => ProcessVm(vm));
            }
            if (targets.Count > 1)
            {
                WriteProgress(new ProgressRecord(activityId, activity, "done") { RecordType = ProgressRecordType.Completed });
            }
        }

        /// <summary>Acts on one VM; throw DockerVmException to report a failure on it.</summary>
        protected abstract void ProcessVm(DockerVmInstance vm);

        /// <summary>Writes the refreshed object when -PassThru is set.</summary>
        protected void EmitIfPassThru(bool passThru, DockerVmInstance vm)
        {
            if (passThru)
            {
                WriteObject(vm);
            }
        }

        /// <summary>
        /// One mutating action on one VM: -WhatIf/-Confirm name the VM and show the action's plan
        /// (the engine commands it sends, secrets masked), then the action runs and -PassThru writes
        /// the refreshed object.
        /// </summary>
        protected void Act(DockerVmInstance vm, ActionPlan plan, Func<CancellationToken, Task> action, bool passThru, Func<bool>? alsoAsk = null)
        {
            if (ShouldProcess(vm.Name, Describe(plan)) && (alsoAsk?.Invoke() ?? true))
            {
                Await(action);
                EmitIfPassThru(passThru, vm);
            }
        }

        /// <summary>The VMs this record names (-VM objects, or -Name resolved); a name that resolves to nothing is reported here.</summary>
        protected IEnumerable<DockerVmInstance> ResolveTargets()
        {
            if (ParameterSetName == ByObject)
            {
                return VM.Where(v => v is not null);
            }
            var resolved = new List<DockerVmInstance>();
            Try(Name, () => resolved.AddRange(Resolve(Name, Context)));
            return resolved;
        }

        /// <summary>
        /// Resolves names on one engine: literal names with one inspect (a literal that matches no
        /// managed VM is DockerVmNotFound), wildcards against one listing.
        /// </summary>
        private IReadOnlyList<DockerVmInstance> Resolve(IReadOnlyList<string> names, string? context)
        {
            var engine = VmRegistry.Engine(context);
            var literals = names.Where(n => !WildcardPattern.ContainsWildcardCharacters(n)).Distinct().ToList();
            var patterns = names.Where(WildcardPattern.ContainsWildcardCharacters)
                .Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
            var result = new List<DockerVmInstance>();
            if (literals.Count > 0)
            {
                var found = Await(ct => VmRegistry.FindAsync(engine, literals, ct));
                foreach (var name in literals)
                {
                    var vm = found.FirstOrDefault(v => v.Name == name);
                    if (vm is null)
                    {
                        WriteError(Errors.From(Failures.NoSuchVm(name, context), name));
                    }
                    else
                    {
                        result.Add(vm);
                    }
                }
            }
            if (patterns.Count > 0)
            {
                var all = Await(ct => VmRegistry.ListAsync(engine, ct));
                var hits = all.Where(v => patterns.Any(p => p.IsMatch(v.Name))).ToList();
                _byWildcard.UnionWith(hits.Where(v => !literals.Contains(v.Name)));
                result.AddRange(hits);
            }
            return result.Distinct().ToList();
        }
    }
}
