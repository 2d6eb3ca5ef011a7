using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;

namespace DockerVm.Commands
{
    /// <summary>Tab completion of a checkpoint's -Name: the checkpoints on the engine (-Context and -VMName honoured).</summary>
    public sealed class CheckpointNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var context = First(fakeBoundParameters, "Context");
            var vmPatterns = All(fakeBoundParameters, "VMName").Select(v => new WildcardPattern(v, WildcardOptions.IgnoreCase)).ToList();
            IReadOnlyList<DockerVmCheckpoint> checkpoints;
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                checkpoints = Checkpoints.ListAsync(VmRegistry.Engine(context), null, cts.Token).GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                yield break;
            }
            var pattern = new WildcardPattern(WildcardPattern.Escape((wordToComplete ?? "").Trim('\'', '"')) + "*", WildcardOptions.IgnoreCase);
            foreach (var group in checkpoints
                         .Where(c => vmPatterns.Count == 0 || vmPatterns.Any(p => p.IsMatch(c.VMName)))
                         .Where(c => pattern.IsMatch(c.Name))
                         .GroupBy(c => c.Name, StringComparer.Ordinal))
            {
                var name = group.Key;
                var text = name.All(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.') ? name : "'" + name.Replace("'", "''") + "'";
                var of = string.Join(", ", group.Select(c => c.VMName).Distinct());
                yield return new CompletionResult(text, name, CompletionResultType.ParameterValue,
                    $"{name} (of {of}, {group.Max(c => c.CreatedAt).ToLocalTime():yyyy-MM-dd HH:mm:ss})");
            }
        }

        private static string? First(IDictionary bound, string key) => All(bound, key).FirstOrDefault();

        private static IEnumerable<string> All(IDictionary? bound, string key)
        {
            if (bound is null || !bound.Contains(key))
            {
                return Array.Empty<string>();
            }
            var value = bound[key] is PSObject p ? p.BaseObject : bound[key];
            return value switch
            {
                string s => new[] { s },
                IEnumerable e => e.Cast<object?>().Where(o => o is not null).Select(o => o!.ToString()!),
                _ => Array.Empty<string>(),
            };
        }
    }
}
