using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Commands
{
    /// <summary>What the argument completers share: the word as typed, quoting, the bound -Context, a time bound.</summary>
    internal static class Completion
    {
        // Characters that make PowerShell read a bare argument as something else.
        private static readonly char[] NeedsQuotes = { ' ', '\t', '\'', '"', '`', '$', ';', ',', '(', ')', '{', '}', '@', '#', '|', '&', '<', '>', '[', ']' };

        /// <summary>The word being completed, without the quotes the user may have opened.</summary>
        public static string Unquote(string? word) => (word ?? "").Trim().Trim('\'', '"');

        /// <summary>True when <paramref name="candidate"/> starts with the word (case-insensitive); the word may hold wildcards.</summary>
        public static Func<string, bool> StartsWith(string? word)
        {
            var pattern = new WildcardPattern(Unquote(word) + "*", WildcardOptions.IgnoreCase);
            return pattern.IsMatch;
        }

        /// <summary>The text to insert: single-quoted when PowerShell would not read it as one bare word.</summary>
        public static string Quote(string text) =>
            text.Length == 0 || text.IndexOfAny(NeedsQuotes) >= 0 || text.StartsWith("-", StringComparison.Ordinal)
                ? "'" + text.Replace("'", "''") + "'"
                : text;

        /// <summary>The -Context already typed on the command line (the first one, for string[]); null when none.</summary>
        public static string? BoundContext(IDictionary? fakeBoundParameters)
        {
            if (fakeBoundParameters is null || !fakeBoundParameters.Contains("Context"))
            {
                return null;
            }
            var value = fakeBoundParameters["Context"];
            if (value is PSObject pso)
            {
                value = pso.BaseObject;
            }
            return value switch
            {
                string s => s,
                IEnumerable e => e.Cast<object?>().Select(o => o is PSObject p ? p.BaseObject : o).OfType<string>().FirstOrDefault(),
                _ => null,
            };
        }

        /// <summary>
        /// Runs <paramref name="work"/> for at most <paramref name="budget"/> (and half a second of
        /// grace): its result, or <paramref name="fallback"/> when it fails or is late (then it is
        /// cancelled and left to end in the background). Completion never throws and never hangs.
        /// </summary>
        public static T Bounded<T>(Func<CancellationToken, Task<T>> work, TimeSpan budget, T fallback)
        {
            var cts = new CancellationTokenSource(budget);
            Task<T>? task = null;
            try
            {
                task = Task.Run(() => work(cts.Token));
                // A little beyond the budget, for cancelled work to end on its own.
                return task.Wait(budget + TimeSpan.FromMilliseconds(500)) ? task.Result : fallback;
            }
            catch (Exception)
            {
                return fallback;
            }
            finally
            {
                if (task is null || task.IsCompleted)
                {
                    cts.Dispose();
                }
                else
                {
                    // Late: cancel it and let it end in the background, its failure observed.
                    cts.Cancel();
                    _ = task.ContinueWith(t => { _ = t.Exception; cts.Dispose(); }, TaskScheduler.Default);
                }
            }
        }
    }
}
