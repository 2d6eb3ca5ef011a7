using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>-Environment and -Label hashtables as the Core takes them: string keys and values.</summary>
    internal static class Hashtables
    {
        /// <summary>Converts a hashtable; a key docker would reject (empty, or with '=') is DockerVmInvalidName.</summary>
        public static Dictionary<string, string> ToStrings(Hashtable? table, string parameter)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (table is null)
            {
                return result;
            }
            foreach (DictionaryEntry entry in table)
            {
                var key = entry.Key?.ToString() ?? "";
                if (key.Trim().Length == 0 || key.Contains("="))
                {
                    throw Failures.InvalidKey(parameter, key);
                }
                result[key] = entry.Value is null ? "" : LanguagePrimitives.ConvertTo<string>(entry.Value);
            }
            return result;
        }
    }
}
