using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>
    /// A -Name of wildcards and literal names applied to one or more engines' listings: what each
    /// listing selects, and the literal names that no listing matched (the caller's NotFound errors).
    /// </summary>
    internal sealed class NameSelection
    {
        private readonly IReadOnlyList<(string Text, WildcardPattern Pattern)> _patterns;
        private readonly HashSet<string> _hit = new(StringComparer.Ordinal);

        public NameSelection(IReadOnlyList<string>? names) =>
            _patterns = (names is { Count: > 0 } ? names : new[] { "*" })
                .Select(n => (n, new WildcardPattern(n, WildcardOptions.IgnoreCase)))
                .ToList();

        /// <summary>The items of one listing whose name any pattern matches, in listing order.</summary>
        public IReadOnlyList<T> Select<T>(IReadOnlyList<T> items, Func<T, string> nameOf)
        {
            var selected = new HashSet<T>();
            foreach (var (text, pattern) in _patterns)
            {
                var hits = items.Where(i => pattern.IsMatch(nameOf(i))).ToList();
                if (hits.Count > 0)
                {
                    _hit.Add(text);
                }
                selected.UnionWith(hits);
            }
            return items.Where(selected.Contains).ToList();
        }

        /// <summary>The literal names no listing so far matched.</summary>
        public IEnumerable<string> Missing =>
            _patterns.Select(p => p.Text).Where(n => !WildcardPattern.ContainsWildcardCharacters(n) && !_hit.Contains(n)).Distinct();
    }
}
