using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using DockerVm.Engine;

namespace DockerVm.Commands
{
    /// <summary>
    /// Tab completion of -Context: the docker contexts, read from the context store as the CLI
    /// reads it (DOCKER_CONFIG, else ~/.docker; contexts/meta/*/meta.json), plus `default`. Only
    /// files are read: no engine is asked, so it is instant and never fails.
    /// </summary>
    public sealed class ContextCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var matches = Completion.StartsWith(wordToComplete);
            return EngineEndpoint.Contexts()
                .Where(c => matches(c.Name))
                .Select(c => new CompletionResult(Completion.Quote(c.Name), c.Name, CompletionResultType.ParameterValue,
                    string.IsNullOrEmpty(c.Host) ? c.Name : $"{c.Name} ({c.Host})"))
                .ToList();
        }
    }
}
