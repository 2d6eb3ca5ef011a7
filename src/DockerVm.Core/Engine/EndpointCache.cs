using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;

namespace DockerVm.Engine
{
    /// <summary>
    /// The files endpoint resolution reads (config.json, a context's meta.json, TLS files), all through
    /// here: a resolution records each file it looked at with its stamp, so that its cached result can
    /// be checked against them, and tests can count the reads.
    /// </summary>
    internal static class EndpointFiles
    {
        [ThreadStatic] private static List<(string Path, string Stamp)>? _recording;
        private static long _reads;

        /// <summary>How many files resolution has read or tested since the process started (the tests' seam).</summary>
        public static long Reads => Interlocked.Read(ref _reads);

        public static bool Exists(string path)
        {
            Note(path);
            return File.Exists(path);
        }

        public static string ReadAllText(string path)
        {
            Note(path);
            return File.ReadAllText(path);
        }

        /// <summary>What identifies a file's content without reading it: its last write time and length, or "-" when absent.</summary>
        public static string Stamp(string path)
        {
            try
            {
                var info = new FileInfo(path);
                return info.Exists ? info.LastWriteTimeUtc.Ticks + ":" + info.Length : "-";
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                return "?";
            }
        }

        /// <summary>Runs <paramref name="resolve"/>, returning its result and the files it looked at (with their stamps).</summary>
        public static (T Value, IReadOnlyList<(string Path, string Stamp)> Files) Record<T>(Func<T> resolve)
        {
            var outer = _recording;
            var files = new List<(string Path, string Stamp)>();
            _recording = files;
            try
            {
                var value = resolve();
                return (value, files);
            }
            finally
            {
                _recording = outer;
                outer?.AddRange(files);
            }
        }

        /// <summary>Adds files a cached result depends on to the resolution under way (a cache hit inside another resolution).</summary>
        public static void Depend(IEnumerable<(string Path, string Stamp)> files) => _recording?.AddRange(files);

        private static void Note(string path)
        {
            Interlocked.Increment(ref _reads);
            _recording?.Add((path, Stamp(path)));
        }
    }

    /// <summary>
    /// Endpoint resolution, cached. The CLI resolves the engine's address at every command (the
    /// environment, config.json, the context store), and so do the transports at every request;
    /// that costs file reads and JSON parsing per request. A cached result is used while the
    /// variables resolution depends on are unchanged and every file it read has the same stamp
    /// (last write time and length; created or deleted counts), so a context changed by
    /// `docker context use` / `update`, or a variable changed in the session, is seen at the next
    /// request.
    /// </summary>
    internal static class EndpointCache
    {
        /// <summary>The environment resolution depends on (HOME/USERPROFILE: where ~/.docker is).</summary>
        internal static readonly string[] Variables =
        {
            "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "DOCKER_TLS",
            Transports.Variable, DockerCli.CliVariable, "HOME", "USERPROFILE",
        };

        private sealed class Entry
        {
            public Entry(string environment, IReadOnlyList<(string Path, string Stamp)> files, object? value)
            {
                Environment = environment;
                Files = files;
                Value = value;
            }

            public string Environment { get; }
            public IReadOnlyList<(string Path, string Stamp)> Files { get; }
            public object? Value { get; }
        }

        private static readonly ConcurrentDictionary<string, Entry> Entries = new(StringComparer.Ordinal);

        /// <summary>The cached result of <paramref name="resolve"/> under <paramref name="key"/>, resolved again when its inputs changed. A throw is not cached.</summary>
        public static T Get<T>(string key, Func<T> resolve)
        {
            var environment = Environment();
            if (Entries.TryGetValue(key, out var entry) && entry.Environment == environment &&
                entry.Files.All(f => EndpointFiles.Stamp(f.Path) == f.Stamp))
            {
                EndpointFiles.Depend(entry.Files);
                return (T)entry.Value!;
            }
            var (value, files) = EndpointFiles.Record(resolve);
            Entries[key] = new Entry(environment, files.Distinct().ToList(), value);
            return value;
        }

        /// <summary>Forgets every cached result (tests).</summary>
        internal static void Clear() => Entries.Clear();

        private static string Environment()
        {
            var key = new StringBuilder();
            foreach (var name in Variables)
            {
                var value = System.Environment.GetEnvironmentVariable(name);
                key.Append(value is null ? "\u0001" : value).Append('\u0000');
            }
            return key.ToString();
        }
    }
}
