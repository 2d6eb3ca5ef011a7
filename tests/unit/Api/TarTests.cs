using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using DockerVm.Engine.Api;
using Xunit;

namespace DockerVm.Tests.Api;

/// <summary>
/// The tar reader and writer of the API transport's copies: round trips, long and UTF-8 names,
/// links, what GNU tar makes of our archives and what we make of GNU tar's (gnu and pax formats),
/// damaged archives, and extraction that refuses every way out of its folder.
/// </summary>
public class TarTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dvtar-" + Guid.NewGuid().ToString("N").Substring(0, 8));

    public TarTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>An octal mode (C# has no octal literals).</summary>
    private static int O(string octal) => Convert.ToInt32(octal, 8);

    private static readonly string LongName = "deep/" + string.Join("/", Enumerable.Repeat("a-rather-long-folder-name", 8)) + "/file.txt";

    private static async Task<byte[]> WriteAsync(params (TarEntry Entry, byte[]? Data)[] entries)
    {
        var stream = new MemoryStream();
        var w = new TarWriter(stream);
        foreach (var (entry, data) in entries)
        {
            if (data is not null)
            {
                entry.Size = data.Length;
            }
            await w.WriteHeaderAsync(entry, default);
            if (data is { Length: > 0 })
            {
                // in uneven pieces, as a file is read
                for (var i = 0; i < data.Length; i += 1000)
                {
                    var piece = data.Skip(i).Take(1000).ToArray();
                    await w.WriteDataAsync(piece, piece.Length, default);
                }
            }
        }
        await w.FinishAsync(default);
        return stream.ToArray();
    }

    private static async Task<List<(TarEntry Entry, byte[] Data)>> ReadAllAsync(byte[] archive)
    {
        var r = new TarReader(new MemoryStream(archive));
        var all = new List<(TarEntry, byte[])>();
        var buffer = new byte[333];
        TarEntry? e;
        while ((e = await r.NextAsync(default)) is not null)
        {
            var data = new MemoryStream();
            int n;
            while ((n = await r.ReadDataAsync(buffer, 0, buffer.Length, default)) > 0)
            {
                data.Write(buffer, 0, n);
            }
            all.Add((e, data.ToArray()));
        }
        return all;
    }

    [Fact]
    public async Task Round_trip_keeps_names_kinds_modes_times_links_and_bytes()
    {
        var random = RandomNumberGenerator.GetBytes(70_001);
        var time = new DateTime(2024, 5, 1, 10, 0, 7, DateTimeKind.Utc);
        var archive = await WriteAsync(
            (new TarEntry { Name = "top", Type = TarEntryType.Directory, Mode = O("750"), ModifiedUtc = time }, null),
            (new TarEntry { Name = "top/random.bin", Type = TarEntryType.File, Mode = O("755"), ModifiedUtc = time }, random),
            (new TarEntry { Name = "top/empty", Type = TarEntryType.File, Mode = O("600"), ModifiedUtc = time }, Array.Empty<byte>()),
            (new TarEntry { Name = "top/" + LongName, Type = TarEntryType.File, Mode = O("644"), ModifiedUtc = time }, Encoding.UTF8.GetBytes("long")),
            (new TarEntry { Name = "top/naïve 名前 ✓.txt", Type = TarEntryType.File, Mode = O("644"), ModifiedUtc = time }, Encoding.UTF8.GetBytes("grüße")),
            (new TarEntry { Name = "top/link", Type = TarEntryType.SymbolicLink, Mode = O("777"), LinkName = "/" + LongName, ModifiedUtc = time }, null));
        Assert.Equal(0, archive.Length % 512);

        var read = await ReadAllAsync(archive);
        Assert.Equal(new[] { "top/", "top/random.bin", "top/empty", "top/" + LongName, "top/naïve 名前 ✓.txt", "top/link" }, read.Select(x => x.Entry.Name));
        Assert.Equal(new[] { TarEntryType.Directory, TarEntryType.File, TarEntryType.File, TarEntryType.File, TarEntryType.File, TarEntryType.SymbolicLink },
            read.Select(x => x.Entry.Type));
        Assert.Equal(new[] { O("750"), O("755"), O("600"), O("644"), O("644"), O("777") }, read.Select(x => x.Entry.Mode));
        Assert.All(read, x => Assert.Equal(time, x.Entry.ModifiedUtc));
        Assert.Equal(random, read[1].Data);
        Assert.Empty(read[2].Data);
        Assert.Equal("long", Encoding.UTF8.GetString(read[3].Data));
        Assert.Equal("grüße", Encoding.UTF8.GetString(read[4].Data));
        Assert.Equal("/" + LongName, read[5].Entry.LinkName);
    }

    [Fact]
    public async Task Gnu_tar_extracts_what_we_write()
    {
        var data = RandomNumberGenerator.GetBytes(5000);
        var archive = await WriteAsync(
            (new TarEntry { Name = "t", Type = TarEntryType.Directory, Mode = O("755") }, null),
            (new TarEntry { Name = "t/" + LongName, Type = TarEntryType.File, Mode = O("640") }, data),
            (new TarEntry { Name = "t/ünï.txt", Type = TarEntryType.File, Mode = O("644") }, Encoding.UTF8.GetBytes("x")),
            (new TarEntry { Name = "t/l", Type = TarEntryType.SymbolicLink, LinkName = "ünï.txt", Mode = O("777") }, null));
        var file = Path.Combine(_dir, "ours.tar");
        await File.WriteAllBytesAsync(file, archive);
        Tar("-xf", file, "-C", _dir);
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(_dir, "t", LongName)));
        Assert.Equal("x", await File.ReadAllTextAsync(Path.Combine(_dir, "t", "l")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Path.Combine(_dir, "t", LongName)));
    }

    [Theory]
    [InlineData("gnu")]
    [InlineData("pax")]
    [InlineData("ustar")]
    public async Task Reads_what_gnu_tar_writes(string format)
    {
        var src = Path.Combine(_dir, "src");
        var name = format == "ustar" ? "short/name.txt" : LongName; // ustar has no long names beyond its prefix
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(src, name))!);
        var data = RandomNumberGenerator.GetBytes(12345);
        await File.WriteAllBytesAsync(Path.Combine(src, name), data);
        File.CreateSymbolicLink(Path.Combine(src, "link"), name);
        var file = Path.Combine(_dir, format + ".tar");
        Tar("--format=" + format, "-cf", file, "-C", src, ".");

        var read = await ReadAllAsync(await File.ReadAllBytesAsync(file));
        var entry = read.Single(x => x.Entry.Name.TrimStart('.', '/') == name);
        Assert.Equal(TarEntryType.File, entry.Entry.Type);
        Assert.Equal(data, entry.Data);
        var link = read.Single(x => x.Entry.Name.TrimStart('.', '/') == "link");
        Assert.Equal(TarEntryType.SymbolicLink, link.Entry.Type);
        Assert.Equal(name, link.Entry.LinkName);
    }

    [Fact]
    public async Task A_damaged_or_truncated_archive_is_an_error_not_a_short_copy()
    {
        var archive = await WriteAsync((new TarEntry { Name = "f", Type = TarEntryType.File, Mode = O("644") }, new byte[3000]));
        var bad = (byte[])archive.Clone();
        bad[10] ^= 0x55; // the name: the checksum no longer matches
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(bad));
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(archive.Take(512 + 1000).ToArray()));
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(archive.Take(300).ToArray()));
    }

    // ---- extraction ----------------------------------------------------------------------------

    private async Task<string> ExtractAsync(string rootName, params (TarEntry Entry, byte[]? Data)[] entries)
    {
        var into = Path.Combine(_dir, "into");
        Directory.CreateDirectory(into);
        var landing = HostArchive.Decide(into, rootName, true, rootName == ".", why => new DockerVmException(DockerVmErrorKind.CommandFailed, why));
        await HostArchive.ExtractAsync(new TarReader(new MemoryStream(await WriteAsync(entries))), landing,
            (path, e) => new DockerVmException(DockerVmErrorKind.CommandFailed, "host: " + path + ": " + e.Message),
            why => new DockerVmException(DockerVmErrorKind.CommandFailed, why), default);
        return into;
    }

    [Theory]
    [InlineData("top/../../escaped.txt")]
    [InlineData("../escaped.txt")]
    [InlineData("top/sub/../../../escaped.txt")]
    public async Task An_entry_that_climbs_out_is_refused_and_nothing_lands_outside(string name)
    {
        var e = await Assert.ThrowsAsync<DockerVmException>(() => ExtractAsync("top",
            (new TarEntry { Name = "top/", Type = TarEntryType.Directory, Mode = O("755") }, null),
            (new TarEntry { Name = name, Type = TarEntryType.File, Mode = O("644") }, Encoding.UTF8.GetBytes("evil"))));
        Assert.Contains("outside", e.Message);
        Assert.Empty(Directory.GetFiles(_dir, "escaped.txt", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_entry_written_through_a_link_the_archive_made_is_refused()
    {
        var outside = Path.Combine(_dir, "outside");
        Directory.CreateDirectory(outside);
        var e = await Assert.ThrowsAsync<DockerVmException>(() => ExtractAsync("top",
            (new TarEntry { Name = "top/", Type = TarEntryType.Directory, Mode = O("755") }, null),
            (new TarEntry { Name = "top/door", Type = TarEntryType.SymbolicLink, LinkName = outside, Mode = O("777") }, null),
            (new TarEntry { Name = "top/door/evil.txt", Type = TarEntryType.File, Mode = O("644") }, Encoding.UTF8.GetBytes("evil"))));
        Assert.Contains("through the link", e.Message);
        Assert.Empty(Directory.GetFiles(outside));
    }

    [Fact]
    public async Task A_file_replaces_a_link_rather_than_writing_through_it()
    {
        var victim = Path.Combine(_dir, "victim.txt");
        await File.WriteAllTextAsync(victim, "safe");
        var into = await ExtractAsync("top",
            (new TarEntry { Name = "top/", Type = TarEntryType.Directory, Mode = O("755") }, null),
            (new TarEntry { Name = "top/x", Type = TarEntryType.SymbolicLink, LinkName = victim, Mode = O("777") }, null),
            (new TarEntry { Name = "top/x", Type = TarEntryType.File, Mode = O("644") }, Encoding.UTF8.GetBytes("new")));
        Assert.Equal("safe", await File.ReadAllTextAsync(victim));
        Assert.Equal("new", await File.ReadAllTextAsync(Path.Combine(into, "top", "x")));
        Assert.Null(new FileInfo(Path.Combine(into, "top", "x")).LinkTarget);
    }

    [Fact]
    public async Task Extracts_folders_files_links_hard_links_modes_and_times_under_the_top_name()
    {
        var time = new DateTime(2023, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var into = await ExtractAsync("top",
            (new TarEntry { Name = "top/", Type = TarEntryType.Directory, Mode = O("700"), ModifiedUtc = time }, null),
            (new TarEntry { Name = "top/" + LongName, Type = TarEntryType.File, Mode = O("755"), ModifiedUtc = time }, Encoding.UTF8.GetBytes("deep")),
            (new TarEntry { Name = "top/hard", Type = TarEntryType.HardLink, LinkName = "top/" + LongName }, null),
            (new TarEntry { Name = "top/soft", Type = TarEntryType.SymbolicLink, LinkName = "hard", Mode = O("777") }, null));
        var deep = Path.Combine(into, "top", LongName);
        Assert.Equal("deep", await File.ReadAllTextAsync(deep));
        Assert.Equal("deep", await File.ReadAllTextAsync(Path.Combine(into, "top", "hard")));
        Assert.Equal("hard", new FileInfo(Path.Combine(into, "top", "soft")).LinkTarget);
        Assert.Equal((UnixFileMode)O("755"), File.GetUnixFileMode(deep));
        Assert.Equal((UnixFileMode)O("700"), File.GetUnixFileMode(Path.Combine(into, "top")));
        Assert.Equal(time, File.GetLastWriteTimeUtc(deep));
    }

    [Fact]
    public async Task A_folders_contents_go_straight_into_the_destination()
    {
        var into = await ExtractAsync(".",
            (new TarEntry { Name = "./", Type = TarEntryType.Directory, Mode = O("755") }, null),
            (new TarEntry { Name = "./a.txt", Type = TarEntryType.File, Mode = O("644") }, Encoding.UTF8.GetBytes("a")));
        Assert.Equal("a", await File.ReadAllTextAsync(Path.Combine(into, "a.txt")));
    }

    [Fact]
    public void A_folder_is_never_copied_onto_a_file()
    {
        var file = Path.Combine(_dir, "plain.txt");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<DockerVmException>(() => HostArchive.Decide(file, "top", true, false, why => new DockerVmException(DockerVmErrorKind.CommandFailed, why)));
        Assert.Contains("cannot be copied onto a file", e.Message);
        Assert.Equal(file, HostArchive.Decide(file, "f.txt", false, false, why => new DockerVmException(DockerVmErrorKind.CommandFailed, why)).Base);
    }

    private static void Tar(params string[] args)
    {
        var psi = new ProcessStartInfo("tar") { RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "tar " + string.Join(" ", args) + ": " + err);
    }
}
