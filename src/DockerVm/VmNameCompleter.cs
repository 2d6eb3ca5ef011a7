using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;

namespace DockerVm.Commands
{
    /// <summary>Tab completion of -Name: the managed VMs on the engine (-Context honoured).</summary>
    public sealed class VmNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var context = fakeBoundParameters is not null && fakeBoundParameters.Contains("Context")
                ? fakeBoundParameters["Context"] switch { string s => s, IEnumerable<string> e => e.FirstOrDefault(), _ => null }
                : null;
            IReadOnlyList<DockerVmInstance> vms;
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                vms = VmRegistry.ListAsync(VmRegistry.Engine(context), cts.Token).GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                yield break;
            }
            var pattern = new WildcardPattern((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
            foreach (var vm in vms.Where(v => pattern.IsMatch(v.Name)))
            {
                yield return new CompletionResult(vm.Name, vm.Name, CompletionResultType.ParameterValue, $"{vm.Name} ({vm.State}, {vm.Image})");
            }
        }
    }
}
