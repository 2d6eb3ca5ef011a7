using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Engine.Api
{
    /// <summary>
    /// The host's side of a copy on the Engine API: a file or folder written as a tar (into a VM), and
    /// a tar from the engine extracted under a folder (out of a VM), as docker cp does both. Data is
    /// streamed in 64 KiB pieces; nothing holds a whole file. Failures of the host's file system are
    /// <see cref="DockerVmException"/>s (never IOExceptions, which would read as a broken connection).
    /// </summary>
    internal static class HostArchive
    {
        private const int Piece = 64 * 1024;

        // ---- into a VM: host files → tar --------------------------------------------------------

        /// <summary>
        /// Writes <paramref name="source"/> (a file or a folder) as a tar: under the name
        /// <paramref name="rootName"/>, or, for a folder and a null name, its contents at the top.
        /// </summary>
        public static async Task WriteAsync(TarWriter tar, string source, string? rootName, Func<string, Exception, DockerVmException> hostFailure, CancellationToken ct)
        {
            var top = Info(source, hostFailure);
            if (top is not DirectoryInfo dir || HostFiles.LinkTarget(top) is not null)
            {
                await WriteEntryAsync(tar, top, rootName ?? top.Name, hostFailure, ct).ConfigureAwait(false);
                await tar.FinishAsync(ct).ConfigureAwait(false);
                return;
            }
            var pending = new Stack<(DirectoryInfo Dir, string Prefix)>();
            if (rootName is not null)
            {
                await WriteEntryAsync(tar, dir, rootName, hostFailure, ct).ConfigureAwait(false);
                pending.Push((dir, rootName + "/"));
            }
            else
            {
                pending.Push((dir, ""));
            }
            while (pending.Count > 0)
            {
                var (folder, prefix) = pending.Pop();
                FileSystemInfo[] children;
                try
                {
                    children = folder.GetFileSystemInfos().OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is System.Security.SecurityException)
                {
                    throw new UploadSourceException(hostFailure(folder.FullName, e));
                }
                var subfolders = new List<(DirectoryInfo, string)>();
                foreach (var child in children)
                {
                    var name = prefix + child.Name;
                    await WriteEntryAsync(tar, child, name, hostFailure, ct).ConfigureAwait(false);
                    // A link to a folder is a link (docker cp does not follow it); a runtime that cannot read links does not descend into one.
                    if (child is DirectoryInfo sub && HostFiles.LinkTarget(child) is null && (child.Attributes & FileAttributes.ReparsePoint) == 0)
                    {
                        subfolders.Add((sub, name + "/"));
                    }
                }
                for (var i = subfolders.Count - 1; i >= 0; i--)
                {
                    pending.Push(subfolders[i]); // in name order
                }
            }
            await tar.FinishAsync(ct).ConfigureAwait(false);
        }

        private static FileSystemInfo Info(string path, Func<string, Exception, DockerVmException> hostFailure)
        {
            try
            {
                FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
                info.Refresh();
                return info;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                throw new UploadSourceException(hostFailure(path, e));
            }
        }

        private static async Task WriteEntryAsync(TarWriter tar, FileSystemInfo item, string name, Func<string, Exception, DockerVmException> hostFailure, CancellationToken ct)
        {
            var link = HostFiles.LinkTarget(item);
            var entry = new TarEntry
            {
                Name = name,
                ModifiedUtc = item.LastWriteTimeUtc,
            };
            if (link is not null)
            {
                entry.Type = TarEntryType.SymbolicLink;
                entry.LinkName = link.Replace('\\', '/');
                entry.Mode = UnixModes.Link;
                await tar.WriteHeaderAsync(entry, ct).ConfigureAwait(false);
                return;
            }
            if (item is DirectoryInfo)
            {
                entry.Type = TarEntryType.Directory;
                entry.Mode = HostFiles.Mode(item.FullName) ?? UnixModes.Folder;
                await tar.WriteHeaderAsync(entry, ct).ConfigureAwait(false);
                return;
            }
            FileStream file;
            try
            {
                file = new FileStream(item.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, Piece, useAsync: false);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is System.Security.SecurityException)
            {
                throw new UploadSourceException(hostFailure(item.FullName, e));
            }
            using (file)
            {
                // The size as it is now: a file that grows while it is copied goes up to here, one that shrinks is an error.
                entry.Type = TarEntryType.File;
                entry.Size = file.Length;
                entry.Mode = HostFiles.Mode(item.FullName) ?? (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? UnixModes.Folder : UnixModes.File);
                await tar.WriteHeaderAsync(entry, ct).ConfigureAwait(false);
                var buffer = new byte[Piece];
                var left = entry.Size;
                while (left > 0)
                {
                    int n;
                    try
                    {
                        n = await file.ReadAsync(buffer, 0, (int)Math.Min(buffer.Length, left), ct).ConfigureAwait(false);
                    }
                    catch (IOException e)
                    {
                        throw new UploadSourceException(hostFailure(item.FullName, e));
                    }
                    if (n == 0)
                    {
                        throw new UploadSourceException(hostFailure(item.FullName,
                            new IOException($"the file became shorter while it was copied ({entry.Size - left} of {entry.Size} bytes)")));
                    }
                    await tar.WriteDataAsync(buffer, n, ct).ConfigureAwait(false);
                    left -= n;
                }
            }
        }

        // ---- out of a VM: tar → host files -------------------------------------------------------

        /// <summary>Where the engine's archive goes on the host, decided as docker cp decides it.</summary>
        public sealed class Landing
        {
            /// <summary>The archive's top name ("etc", "hostname", or "." for a folder's contents).</summary>
            public string RootName { get; init; } = "";
            /// <summary>The host path the top entry becomes (its contents are under it).</summary>
            public string Base { get; init; } = "";
        }

        /// <summary>
        /// docker cp's rules for the host's side: into an existing folder the source goes under its
        /// own name (a folder's "/." contents go straight in); a new path becomes the source; a
        /// file overwrites a file; a folder never replaces a file.
        /// </summary>
        public static Landing Decide(string hostPath, string rootName, bool sourceIsDir, bool contentsOnly, Func<string, DockerVmException> refuse)
        {
            if (Directory.Exists(hostPath))
            {
                return new Landing { RootName = rootName, Base = contentsOnly && sourceIsDir ? hostPath : Path.Combine(hostPath, rootName) };
            }
            if (File.Exists(hostPath) && sourceIsDir)
            {
                throw refuse($"'{hostPath}' is a file on the host, and a folder cannot be copied onto a file.");
            }
            return new Landing { RootName = rootName, Base = hostPath };
        }

        /// <summary>
        /// Extracts the archive: every entry under <see cref="Landing.Base"/>, or refused when its name
        /// would leave it (.., a rooted name, a path through a link the archive made), before anything
        /// of that entry is written.
        /// </summary>
        public static async Task ExtractAsync(TarReader tar, Landing landing, Func<string, Exception, DockerVmException> hostFailure,
            Func<string, DockerVmException> refuse, CancellationToken ct)
        {
            var baseFull = Path.GetFullPath(landing.Base);
            var folders = new List<(string Path, int Mode, DateTime Modified)>();
            var buffer = new byte[Piece];
            var rootParts = TarPaths.Parts(landing.RootName) ?? throw refuse($"the engine's archive has an unsafe top name '{landing.RootName}'.");
            TarEntry? entry;
            while ((entry = await tar.NextAsync(ct).ConfigureAwait(false)) is not null)
            {
                var target = Where(entry.Name);
                if (entry.Type == TarEntryType.Other)
                {
                    continue; // devices and fifos: docker cp would need root to make them
                }
                try
                {
                    CheckNoLinkBetween(baseFull, target, refuse, entry.Name);
                    switch (entry.Type)
                    {
                        case TarEntryType.Directory:
                            if (File.Exists(target) || HostFiles.IsLink(target))
                            {
                                throw refuse($"the archive has a folder '{entry.Name}' where the host has a file '{target}'.");
                            }
                            Directory.CreateDirectory(target);
                            folders.Add((target, entry.Mode, entry.ModifiedUtc));
                            break;
                        case TarEntryType.File:
                            PrepareForFile(target, entry, refuse);
                            using (var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, Piece, useAsync: false))
                            {
                                int n;
                                while ((n = await ReadOutsideAsync(tar, buffer, ct).ConfigureAwait(false)) > 0)
                                {
                                    await file.WriteAsync(buffer, 0, n, ct).ConfigureAwait(false);
                                }
                            }
                            HostFiles.SetMode(target, entry.Mode);
                            File.SetLastWriteTimeUtc(target, entry.ModifiedUtc);
                            break;
                        case TarEntryType.SymbolicLink:
                            PrepareForFile(target, entry, refuse);
                            HostFiles.CreateLink(target, entry.LinkName);
                            break;
                        case TarEntryType.HardLink:
                            var from = Where(entry.LinkName);
                            PrepareForFile(target, entry, refuse);
                            CheckNoLinkBetween(baseFull, from, refuse, entry.LinkName);
                            if (!File.Exists(from))
                            {
                                throw refuse($"the archive links '{entry.Name}' to '{entry.LinkName}', which it does not hold.");
                            }
                            File.Copy(from, target, overwrite: true);
                            break;
                    }
                }
                catch (Exception e) when (e is not ConnectionReadException &&
                                          (e is IOException || e is UnauthorizedAccessException || e is System.Security.SecurityException || e is NotSupportedException))
                {
                    throw hostFailure(target, e);
                }
            }
            // Folders last, deepest first: a read-only folder is made read-only after its files were written.
            for (var i = folders.Count - 1; i >= 0; i--)
            {
                try
                {
                    HostFiles.SetMode(folders[i].Path, folders[i].Mode);
                    Directory.SetLastWriteTimeUtc(folders[i].Path, folders[i].Modified);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw hostFailure(folders[i].Path, e);
                }
            }

            string Where(string name)
            {
                var parts = TarPaths.Parts(name) ?? throw refuse($"the engine's archive holds '{name}', which would be written outside '{landing.Base}'.");
                if (parts.Count < rootParts.Count || !parts.Take(rootParts.Count).SequenceEqual(rootParts, StringComparer.Ordinal))
                {
                    throw refuse($"the engine's archive holds '{name}', which is not under the copied path '{landing.RootName}'.");
                }
                return TarPaths.Under(baseFull, parts.Skip(rootParts.Count).ToList())
                    ?? throw refuse($"the engine's archive holds '{name}', which would be written outside '{landing.Base}'.");
            }
        }

        // The archive's data comes from the connection: its failures are the connection's, not the host's.
        private static async Task<int> ReadOutsideAsync(TarReader tar, byte[] buffer, CancellationToken ct)
        {
            try
            {
                return await tar.ReadDataAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new ConnectionReadException(e);
            }
        }

        /// <summary>A file, link or hard link replaces a file or a link, never a folder; a link in its place is removed, not followed.</summary>
        private static void PrepareForFile(string target, TarEntry entry, Func<string, DockerVmException> refuse)
        {
            if (HostFiles.IsLink(target))
            {
                HostFiles.DeleteLink(target);
            }
            else if (Directory.Exists(target))
            {
                throw refuse($"the archive has a file '{entry.Name}' where the host has a folder '{target}'.");
            }
            else if (Path.GetDirectoryName(target) is { } parent && !Directory.Exists(parent))
            {
                Directory.CreateDirectory(parent); // an archive that names a file before (or without) its folder
            }
        }

        /// <summary>No folder between the base and the target may be a link: an archive cannot write through a link it made.</summary>
        private static void CheckNoLinkBetween(string baseFull, string target, Func<string, DockerVmException> refuse, string name)
        {
            var parent = Path.GetDirectoryName(target);
            while (parent is not null && parent.Length > baseFull.Length && parent.StartsWith(baseFull, StringComparison.Ordinal))
            {
                if (HostFiles.IsLink(parent))
                {
                    throw refuse($"the engine's archive holds '{name}', which would be written through the link '{parent}'.");
                }
                parent = Path.GetDirectoryName(parent);
            }
        }
    }

    /// <summary>A read of the engine's archive failed while a file was written: the connection's failure, kept apart from the host's.</summary>
    internal sealed class ConnectionReadException : IOException
    {
        public ConnectionReadException(IOException inner) : base(inner.Message, inner) { }
    }

    /// <summary>
    /// What the host's file system offers beyond netstandard2.0: Unix modes, link targets and new
    /// links, called directly on .NET and through reflection when the netstandard2.0 build runs on a
    /// runtime that has them; without them, default modes and no links.
    /// </summary>
    internal static class HostFiles
    {
        private static readonly bool Windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
#if !NET
        private static readonly MethodInfo? GetMode = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });
        private static readonly MethodInfo? SetModeMethod = GetMode is null ? null : typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), GetMode.ReturnType });
        private static readonly PropertyInfo? LinkTargetProperty = typeof(FileSystemInfo).GetProperty("LinkTarget");
        private static readonly MethodInfo? CreateLinkMethod = typeof(File).GetMethod("CreateSymbolicLink", new[] { typeof(string), typeof(string) });
#endif

        /// <summary>The permission bits; null where the host has none to give.</summary>
        public static int? Mode(string path)
        {
            if (Windows)
            {
                return null;
            }
#if NET
            return OperatingSystem.IsWindows() ? null : (int)File.GetUnixFileMode(path) & UnixModes.Permissions;
#else
            return GetMode?.Invoke(null, new object[] { path }) is { } mode ? Convert.ToInt32(mode) & UnixModes.Permissions : null;
#endif
        }

        public static void SetMode(string path, int mode)
        {
            if (Windows || IsLink(path))
            {
                return;
            }
            // setuid and setgid are not given to files a copy writes.
            var bits = mode & UnixModes.NoSetId;
#if NET
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, (UnixFileMode)bits);
            }
#else
            if (SetModeMethod is not null)
            {
                try
                {
                    SetModeMethod.Invoke(null, new object[] { path, Enum.ToObject(GetMode!.ReturnType, bits) });
                }
                catch (TargetInvocationException e) when (e.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                }
            }
#endif
        }

        /// <summary>The target of a symbolic link; null for anything else (and where links cannot be read).</summary>
        public static string? LinkTarget(FileSystemInfo item)
        {
            if ((item.Attributes & FileAttributes.ReparsePoint) == 0)
            {
                return null;
            }
#if NET
            return item.LinkTarget;
#else
            return LinkTargetProperty?.GetValue(item) as string;
#endif
        }

        public static bool IsLink(string path)
        {
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists && !Directory.Exists(path))
                {
                    return false; // (a dangling link exists to .NET: lstat)
                }
                return (info.Attributes & FileAttributes.ReparsePoint) != 0;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
        }

        public static void DeleteLink(string path)
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path); // a link to a folder: the link goes, not what it points to
            }
            else
            {
                File.Delete(path);
            }
        }

        /// <summary>A symbolic link; skipped where the runtime cannot make one (netstandard2.0 on an old runtime).</summary>
        public static void CreateLink(string path, string target)
        {
#if NET
            File.CreateSymbolicLink(path, target);
#else
            if (CreateLinkMethod is not null)
            {
                try
                {
                    CreateLinkMethod.Invoke(null, new object[] { path, target });
                }
                catch (TargetInvocationException e) when (e.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                }
            }
#endif
        }
    }
}
