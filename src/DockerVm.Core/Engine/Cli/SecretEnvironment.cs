using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;

namespace DockerVm.Engine
{
    /// <summary>
    /// Environment values kept off every command line (where any local user could read them in
    /// `ps`): single-line values go to an env file only the owner can read, deleted as soon as the
    /// command ends; a value with a line break (an env file cannot hold one) goes by name
    /// (`--env NAME`) with the value in the docker client's own environment.
    /// </summary>
    internal sealed class SecretEnvironment : IDisposable
    {
        private readonly string? _dir;

        private SecretEnvironment(string? dir, string? file, IReadOnlyList<string> byName, IReadOnlyDictionary<string, string> child)
        {
            _dir = dir;
            File = file;
            ByName = byName;
            ChildVariables = child;
        }

        /// <summary>The env file for --env-file, when there are single-line values.</summary>
        public string? File { get; }

        /// <summary>Names passed as `--env NAME`, their values in <see cref="ChildVariables"/>.</summary>
        public IReadOnlyList<string> ByName { get; }

        /// <summary>Variables to set in the docker client's environment.</summary>
        public IReadOnlyDictionary<string, string> ChildVariables { get; }

        public static SecretEnvironment Create(IReadOnlyDictionary<string, string> environment)
        {
            var single = environment.Where(kv => kv.Value.IndexOfAny(new[] { '\n', '\r' }) < 0).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
            var multi = environment.Where(kv => kv.Value.IndexOfAny(new[] { '\n', '\r' }) >= 0).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
            string? dir = null, file = null;
            if (single.Count > 0)
            {
                dir = Path.Combine(Path.GetTempPath(), "dockervm-env-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(dir);
                Restrict(dir, 0x1C0); // 0700
                file = Path.Combine(dir, "env");
                using (System.IO.File.Create(file))
                {
                }
                Restrict(file, 0x180); // 0600, before any value is written
                System.IO.File.WriteAllText(file, string.Concat(single.Select(kv => kv.Key + "=" + kv.Value + "\n")), new UTF8Encoding(false));
            }
            return new SecretEnvironment(dir, file, multi.Select(kv => kv.Key).ToList(), multi.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
        }

        public void Dispose()
        {
            if (_dir is not null)
            {
                try
                {
                    Directory.Delete(_dir, recursive: true);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    // the temp folder's owner can still remove it; nothing else can read it
                }
            }
        }

        private static void Restrict(string path, int mode)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                _ = chmod(path, mode); // on Windows the user's temp folder is private already
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, int mode);
    }
}
