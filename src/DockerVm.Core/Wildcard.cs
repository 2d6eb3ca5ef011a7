using System;
using System.Text;
using System.Text.RegularExpressions;

namespace DockerVm
{
    /// <summary>
    /// PowerShell's wildcards without PowerShell: `*`, `?`, `[abc]`, `[a-z]` and the backtick escape,
    /// matched case-insensitively against the whole text (as WildcardPattern with IgnoreCase).
    /// </summary>
    public static class Wildcard
    {
        /// <summary>True when <paramref name="pattern"/> has an unescaped wildcard character.</summary>
        public static bool HasWildcards(string? pattern)
        {
            if (string.IsNullOrEmpty(pattern))
            {
                return false;
            }
            for (var i = 0; i < pattern!.Length; i++)
            {
                switch (pattern[i])
                {
                    case '`':
                        i++;
                        break;
                    case '*':
                    case '?':
                    case '[':
                        return true;
                }
            }
            return false;
        }

        /// <summary>A matcher for <paramref name="pattern"/>; a malformed bracket set matches its text literally.</summary>
        public static Func<string, bool> Matcher(string pattern)
        {
            Regex regex;
            try
            {
                regex = new Regex(ToRegex(pattern), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
            }
            catch (ArgumentException)
            {
                // a set no regex can express ([z-a]): the text itself
                return text => string.Equals(text, pattern, StringComparison.OrdinalIgnoreCase);
            }
            return text => regex.IsMatch(text ?? "");
        }

        private static string ToRegex(string pattern)
        {
            var regex = new StringBuilder("^");
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                switch (c)
                {
                    case '`' when i + 1 < pattern.Length:
                        regex.Append(Regex.Escape(pattern[++i].ToString()));
                        break;
                    case '*':
                        regex.Append(".*");
                        break;
                    case '?':
                        regex.Append('.');
                        break;
                    case '[' when pattern.IndexOf(']', i + 1) is var close && close > i + 1:
                        var set = pattern.Substring(i + 1, close - i - 1);
                        regex.Append('[').Append(set.Replace("\\", "\\\\").Replace("^", "\\^").Replace("[", "\\[")).Append(']');
                        i = close;
                        break;
                    default:
                        regex.Append(Regex.Escape(c.ToString()));
                        break;
                }
            }
            return regex.Append('$').ToString();
        }
    }
}
