using System.Collections.Generic;
using System.Linq;

namespace DockerVm.Engine
{
    /// <summary>
    /// The argv of one docker command, built item by item (never a joined string), with a
    /// display form in which secret values are masked.
    /// </summary>
    public sealed class CliArguments
    {
        public const string Mask = "***";
        private readonly List<string> _actual = new();
        private readonly List<string> _shown = new();
        // Indexes in _shown of what the trace leaves out (TraceView.Hides): -WhatIf shows them.
        private readonly HashSet<int> _untraced = new();

        public IReadOnlyList<string> Actual => _actual;
        public IReadOnlyList<string> Shown => _shown;

        public CliArguments Add(string value)
        {
            _actual.Add(value);
            _shown.Add(value);
            return this;
        }

        public CliArguments Add(IEnumerable<string> values)
        {
            foreach (var v in values)
            {
                Add(v);
            }
            return this;
        }

        /// <summary>Adds <paramref name="actual"/> to the argv and shows <paramref name="shown"/> in its place.</summary>
        internal CliArguments AddShownAs(IEnumerable<string> actual, IEnumerable<string> shown)
        {
            _actual.AddRange(actual);
            _shown.AddRange(shown);
            return this;
        }

        /// <summary>Adds `flag KEY=VALUE` for each pair; the log shows KEY=*** when <paramref name="secret"/>.</summary>
        public CliArguments AddPairs(string flag, IEnumerable<KeyValuePair<string, string>> pairs, bool secret)
        {
            foreach (var kv in pairs.OrderBy(p => p.Key, System.StringComparer.Ordinal))
            {
                if (TraceView.Hides(flag, kv.Key))
                {
                    _untraced.Add(_shown.Count);
                    _untraced.Add(_shown.Count + 1);
                }
                _actual.Add(flag);
                _shown.Add(flag);
                _actual.Add($"{kv.Key}={kv.Value}");
                _shown.Add(secret ? $"{kv.Key}={Mask}" : $"{kv.Key}={kv.Value}");
            }
            return this;
        }

        /// <summary>
        /// Adds the environment: kept off the command line by <paramref name="secrets"/> (an env file
        /// and names) when given; shown as `--env KEY=***` either way.
        /// </summary>
        internal CliArguments AddEnvironment(IReadOnlyDictionary<string, string> environment, SecretEnvironment? secrets)
        {
            if (secrets is null)
            {
                return AddPairs("--env", environment, secret: true);
            }
            if (secrets.File is not null)
            {
                _actual.Add("--env-file");
                _actual.Add(secrets.File);
            }
            foreach (var name in secrets.ByName)
            {
                _actual.Add("--env");
                _actual.Add(name);
            }
            foreach (var key in environment.Keys.OrderBy(k => k, System.StringComparer.Ordinal))
            {
                _shown.Add("--env");
                _shown.Add($"{key}={Mask}");
            }
            return this;
        }

        /// <summary>The command line as a user would type it, secrets masked (-WhatIf, -Confirm).</summary>
        public string Display(string program) =>
            string.Join(" ", new[] { program }.Concat(_shown).Select(Quote));

        /// <summary>The command line as -Verbose and error messages show it: <see cref="Display"/> without what <see cref="TraceView"/> hides.</summary>
        public string Traced(string program) =>
            string.Join(" ", new[] { program }.Concat(_shown.Where((_, i) => !_untraced.Contains(i))).Select(Quote));

        // POSIX-shell quoting, so a shown command line can be pasted: only plainly safe characters go bare
        // (and the mask, *** , which stands for a value that is never shown).
        private static string Quote(string s) =>
            s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "_-./:=,@%+*".IndexOf(c) >= 0)
                ? s
                : "'" + s.Replace("'", "'\\''") + "'";
    }
}
