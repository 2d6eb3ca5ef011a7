using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;

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
                result[key] = ValueOf(entry.Value);
            }
            return result;
        }

        // A SecureString or PSCredential (its password) is taken as the secret it holds, never its type name.
        private static string ValueOf(object? value)
        {
            var v = value is PSObject pso ? pso.BaseObject : value;
            return v switch
            {
                null => "",
                SecureString s => Plain(s),
                PSCredential c => Plain(c.Password),
                _ => LanguagePrimitives.ConvertTo<string>(v),
            };
        }

        private static string Plain(SecureString s)
        {
            var p = Marshal.SecureStringToGlobalAllocUnicode(s);
            try
            {
                return Marshal.PtrToStringUni(p) ?? "";
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(p);
            }
        }
    }
}
