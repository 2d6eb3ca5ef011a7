using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text.Json;

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
            return ReadContexts()
                .Where(c => matches(c.Name))
                .Select(c => new CompletionResult(Completion.Quote(c.Name), c.Name, CompletionResultType.ParameterValue,
                    string.IsNullOrEmpty(c.Host) ? c.Name : $"{c.Name} ({c.Host})"))
                .ToList();
        }

        /// <summary>`default` first, then every context of the store by name, each with its engine address (empty when unknown).</summary>
        public static IReadOnlyList<(string Name, string Host)> ReadContexts()
        {
            var contexts = new List<(string Name, string Host)>();
            try
            {
                var meta = Path.Combine(ConfigDirectory(), "contexts", "meta");
                if (Directory.Exists(meta))
                {
                    // One folder per context, named by the SHA-256 of its name, holding meta.json.
                    foreach (var dir in Directory.EnumerateDirectories(meta))
                    {
                        if (Read(Path.Combine(dir, "meta.json")) is { } context && context.Name != "default")
                        {
                            contexts.Add(context);
                        }
                    }
                }
            }
            catch (Exception)
            {
                // an unreadable store completes as if it were empty: completion never throws
            }
            var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
            var defaultHost = !string.IsNullOrWhiteSpace(host) ? host!.Trim()
                : Environment.OSVersion.Platform == PlatformID.Win32NT ? "npipe:////./pipe/docker_engine" : "unix:///var/run/docker.sock";
            return new[] { ("default", defaultHost) }
                .Concat(contexts.GroupBy(c => c.Name, StringComparer.Ordinal).Select(g => g.First()).OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase))
                .ToList();
        }

        // The directory the CLI keeps its configuration in, as EngineEndpoint finds it.
        private static string ConfigDirectory()
        {
            var dir = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
            return string.IsNullOrWhiteSpace(dir)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker")
                : dir!;
        }

        private static (string Name, string Host)? Read(string file)
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(file));
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Name", out var n) ||
                    n.ValueKind != JsonValueKind.String || n.GetString() is not { Length: > 0 } name)
                {
                    return null;
                }
                var host = root.TryGetProperty("Endpoints", out var eps) && eps.ValueKind == JsonValueKind.Object &&
                           eps.TryGetProperty("docker", out var docker) && docker.ValueKind == JsonValueKind.Object &&
                           docker.TryGetProperty("Host", out var h) && h.ValueKind == JsonValueKind.String
                    ? h.GetString() ?? ""
                    : "";
                return (name, host);
            }
            catch (Exception)
            {
                return null; // an unreadable or malformed entry is left out
            }
        }
    }
}
