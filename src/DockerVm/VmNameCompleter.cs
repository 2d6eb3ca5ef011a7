using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace DockerVm.Commands
{
    /// <summary>
    /// Tab completion of VM names (-Name, and -VM): the managed VMs on the engine (-Context honoured).
    /// -VM has it too because position 0 is -Name in one set and -VM in the other: for
    /// `Start-DockerVm <Tab>` PowerShell asks the default set's -VM, and a name typed there binds
    /// to -Name when the command runs.
    /// </summary>
    public sealed class VmNameCompleter : IArgumentCompleter
    {
        /// <summary>How long completion may wait for the engine's listing.</summary>
        public static TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(5);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            if (IsPositionalObjectWord(parameterName, wordToComplete, commandAst))
            {
                yield break;
            }
            var context = Completion.BoundContext(fakeBoundParameters);
            var vms = Completion.Bounded(ct => VmRegistry.ListAsync(VmRegistry.Engine(context), ct), Budget, Array.Empty<DockerVmInstance>());
            var matches = Completion.StartsWith(wordToComplete);
            foreach (var vm in vms.Where(v => matches(v.Name)))
            {
                yield return new CompletionResult(vm.Name, vm.Name, CompletionResultType.ParameterValue, $"{vm.Name} ({vm.State}, {vm.Image})");
            }
        }

        /// <summary>
        /// True for -VM completing a positional word that has begun: PowerShell then asks both
        /// position-0 parameters (-Name and -VM), and -Name alone answers, so names are not offered twice.
        /// </summary>
        private static bool IsPositionalObjectWord(string parameterName, string wordToComplete, CommandAst? commandAst) =>
            string.Equals(parameterName, "VM", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(wordToComplete) &&
            commandAst is not null &&
            !commandAst.CommandElements.OfType<CommandParameterAst>().Any(p => string.Equals(p.ParameterName, "VM", StringComparison.OrdinalIgnoreCase));
    }
}
