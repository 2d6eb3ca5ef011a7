using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DockerVm.Engine
{
    /// <summary>
    /// Where an engine is, found as the docker CLI finds it: the context named (-Context), else
    /// DOCKER_HOST, else DOCKER_CONTEXT, else the current context of config.json, else the default
    /// socket. A context is read from the context store (DOCKER_CONFIG or ~/.docker).
    /// </summary>
    public sealed class EngineEndpoint
    {
        private EngineEndpoint(string host, string source)
        {
            Host = host;
            Source = source;
        }

        /// <summary>The engine's address: unix:///path, npipe:////./pipe/name, tcp://host:port, ssh://...</summary>
        public string Host { get; }

        /// <summary>Where the address came from (for messages).</summary>
        public string Source { get; }

        public string Scheme => Host.Contains("://") ? Host.Substring(0, Host.IndexOf("://", StringComparison.Ordinal)) : "";

        /// <summary>The socket path of a unix:// address.</summary>
        public string? UnixPath => Scheme == "unix" ? Host.Substring("unix://".Length) : null;

        public override string ToString() => $"{Host} ({Source})";

        /// <summary>Where the engine of <paramref name="context"/> is now (cached while the environment and the files read are unchanged: <see cref="EndpointCache"/>).</summary>
        public static EngineEndpoint Resolve(string? context) => EndpointCache.Get("endpoint|" + (context ?? ""), () => ResolveNow(context));

        private static EngineEndpoint ResolveNow(string? context)
        {
            if (!string.IsNullOrEmpty(context))
            {
                return FromContext(context!, "context '" + context + "'");
            }
            var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
            if (!string.IsNullOrWhiteSpace(host))
            {
                return new EngineEndpoint(host!.Trim(), "DOCKER_HOST");
            }
            var named = Environment.GetEnvironmentVariable("DOCKER_CONTEXT");
            if (!string.IsNullOrWhiteSpace(named))
            {
                return FromContext(named!.Trim(), "DOCKER_CONTEXT");
            }
            var current = CurrentContext();
            return current is null ? Default() : FromContext(current, "config.json currentContext");
        }

        /// <summary>
        /// The name of the context an empty -Context reaches: `default` when DOCKER_HOST is set or
        /// nothing names another, else DOCKER_CONTEXT or config.json's currentContext.
        /// </summary>
        public static string CurrentName()
        {
            if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("DOCKER_HOST")))
            {
                return "default";
            }
            var named = Environment.GetEnvironmentVariable("DOCKER_CONTEXT");
            return !string.IsNullOrWhiteSpace(named) ? named!.Trim() : CurrentContext() ?? "default";
        }

        private static EngineEndpoint Default() => new(
            Environment.OSVersion.Platform == PlatformID.Win32NT ? "npipe:////./pipe/docker_engine" : "unix:///var/run/docker.sock", "default");

        private static string ConfigDir()
        {
            var dir = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
            return string.IsNullOrWhiteSpace(dir)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker")
                : dir!;
        }

        private static string? CurrentContext()
        {
            try
            {
                var path = Path.Combine(ConfigDir(), "config.json");
                if (!EndpointFiles.Exists(path))
                {
                    return null;
                }
                using var doc = JsonDocument.Parse(EndpointFiles.ReadAllText(path));
                return doc.RootElement.TryGetProperty("currentContext", out var c) && c.ValueKind == JsonValueKind.String
                    && c.GetString() is { Length: > 0 } name && name != "default" ? name : null;
            }
            catch (Exception e) when (e is IOException || e is JsonException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }

        private static EngineEndpoint FromContext(string name, string source)
        {
            if (name == "default")
            {
                var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
                return string.IsNullOrWhiteSpace(host) ? Default() : new EngineEndpoint(host!.Trim(), "DOCKER_HOST");
            }
            // The store keeps each context under the SHA-256 of its name.
            using var sha = SHA256.Create();
            var id = string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(name)).Select(b => b.ToString("x2")));
            var meta = Path.Combine(ConfigDir(), "contexts", "meta", id, "meta.json");
            try
            {
                using var doc = JsonDocument.Parse(EndpointFiles.ReadAllText(meta));
                if (doc.RootElement.TryGetProperty("Endpoints", out var eps) && eps.TryGetProperty("docker", out var docker) &&
                    docker.TryGetProperty("Host", out var h) && h.GetString() is { Length: > 0 } host)
                {
                    return new EngineEndpoint(host, source);
                }
            }
            catch (Exception e) when (e is IOException || e is JsonException || e is UnauthorizedAccessException)
            {
                // fall through: an unknown context
            }
            return new EngineEndpoint("", source + " (not in the context store)");
        }

        /// <summary>`default` first, then every context of the store by name, each with its engine address (empty when unknown).</summary>
        public static IReadOnlyList<(string Name, string Host)> Contexts()
        {
            var contexts = new List<(string Name, string Host)>();
            try
            {
                var meta = Path.Combine(ConfigDir(), "contexts", "meta");
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
