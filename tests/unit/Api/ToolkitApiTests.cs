using System.Text;
using System.Text.Json;
using DockerVm.Engine;
using DockerVm.Engine.Api;
using Xunit;

namespace DockerVm.Tests.Api;

/// <summary>
/// The machine toolkit on the API transport against the fake engine: the requests logs, copies,
/// commits and image requests send, how their answers are read, and that their errors carry the
/// CLI transport's ids — with no docker program at all (the fake engine's DockerApi has none).
/// </summary>
public class ToolkitApiTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dvtk-" + Guid.NewGuid().ToString("N").Substring(0, 8));

    public ToolkitApiTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    private sealed class Lines : ILogObserver
    {
        public List<(LogStream Stream, DateTime? Time, string Text)> All { get; } = new();
        public void OnLine(LogStream stream, DateTime? timestamp, string text)
        {
            lock (All)
            {
                All.Add((stream, timestamp, text));
            }
        }
    }

    // ---- logs -------------------------------------------------------------------------------------

    [Fact]
    public async Task Logs_ask_for_timestamps_follow_since_and_tail_and_give_typed_dated_lines()
    {
        using var server = new FakeApiServer();
        server.On("GET", "^/containers/x/logs", (_, c) =>
        {
            // frames cut in the middle of a line: the line is whole when it reaches the observer
            var frames = FakeConnection.Frame(1, "2024-05-01T10:00:00.123456789Z out ")
                .Concat(FakeConnection.Frame(1, "one\n2024-05-01T10:00:01Z out two\n"))
                .Concat(FakeConnection.Frame(2, "2024-05-01T10:00:00.5Z err one\n")).ToArray();
            c.Raw($"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nContent-Length: {frames.Length}\r\n\r\n");
            c.Raw(frames);
        });
        var lines = new Lines();
        var since = new DateTime(2024, 5, 1, 9, 59, 59, DateTimeKind.Utc).AddTicks(1234567);
        await server.Engine().StreamLogsAsync("x", new LogRequest { Follow = true, Since = since, Tail = 7 }, lines, default);

        Assert.Equal("GET /containers/x/logs?stdout=1&stderr=1&timestamps=1&follow=1&since=1714557599.123456700&tail=7", Assert.Single(server.Seen));
        Assert.Equal(new[] { (LogStream.Stdout, "out one"), (LogStream.Stdout, "out two"), (LogStream.Stderr, "err one") },
            lines.All.Select(l => (l.Stream, l.Text)));
        Assert.Equal(new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc).AddTicks(1234567), lines.All[0].Time);
    }

    [Fact]
    public async Task Logs_of_a_tty_container_are_all_stdout_and_a_missing_container_is_NotFound()
    {
        using var server = new FakeApiServer();
        server.On("GET", "^/containers/tty/logs", (_, c) =>
            c.Raw("HTTP/1.1 200 OK\r\nContent-Length: 36\r\n\r\n2024-05-01T10:00:00Z plain\r\n12345678"));
        server.On("GET", "^/containers/gone/logs", (_, c) => c.Error(404, "No such container: gone"));
        var lines = new Lines();
        await server.Engine().StreamLogsAsync("tty", new LogRequest(), lines, default);
        Assert.Equal(new[] { "plain", "12345678" }, lines.All.Select(l => l.Text));
        Assert.All(lines.All, l => Assert.Equal(LogStream.Stdout, l.Stream));

        var e = await Assert.ThrowsAsync<DockerVmException>(() => server.Engine().StreamLogsAsync("gone", new LogRequest(), lines, default));
        Assert.Equal("DockerVmNotFound", e.ErrorId);
    }

    [Fact]
    public async Task A_followed_log_ends_at_once_on_cancellation()
    {
        using var server = new FakeApiServer();
        server.On("GET", "^/containers/x/logs", (_, c) =>
        {
            c.Raw("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            var frame = FakeConnection.Frame(1, "2024-05-01T10:00:00Z tick\n");
            c.Raw(frame.Length.ToString("x") + "\r\n");
            c.Raw(frame);
            c.Raw("\r\n"); // and nothing more: a container that keeps running
        });
        var lines = new Lines();
        using var cts = new CancellationTokenSource();
        var follow = server.Engine().StreamLogsAsync("x", new LogRequest { Follow = true }, lines, cts.Token);
        while (lines.All.Count == 0)
        {
            await Task.Delay(10);
        }
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follow);
    }

    // ---- copy out ---------------------------------------------------------------------------------

    private static string Stat(string name, bool dir) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            name,
            size = 0,
            mode = dir ? (1L << 31) | 0x1ED : 0x1A4,
            mtime = "2024-05-01T10:00:00Z",
            linkTarget = "",
        })));

    private static async Task<byte[]> TarOf(params (string Name, string? Text)[] entries)
    {
        var stream = new MemoryStream();
        var w = new TarWriter(stream);
        foreach (var (name, text) in entries)
        {
            var data = text is null ? null : Encoding.UTF8.GetBytes(text);
            await w.WriteHeaderAsync(new TarEntry
            {
                Name = name,
                Type = data is null ? TarEntryType.Directory : TarEntryType.File,
                Mode = data is null ? 0x1ED : 0x1A4,
                Size = data?.Length ?? 0,
            }, default);
            if (data is { Length: > 0 })
            {
                await w.WriteDataAsync(data, data.Length, default);
            }
        }
        await w.FinishAsync(default);
        return stream.ToArray();
    }

    private static void Archive(FakeConnection c, string stat, byte[] tar)
    {
        c.Raw($"HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nX-Docker-Container-Path-Stat: {stat}\r\nContent-Length: {tar.Length}\r\n\r\n");
        c.Raw(tar);
    }

    [Fact]
    public async Task Copy_out_of_a_folder_extracts_it_under_its_name_into_a_folder_and_as_a_new_name_elsewhere()
    {
        var tar = await TarOf(("etc/", null), ("etc/sub/", null), ("etc/sub/a.txt", "a"), ("etc/b.txt", "b"));
        using var server = new FakeApiServer();
        server.On("GET", "^/containers/c1/archive", (_, c) => Archive(c, Stat("etc", true), tar));
        var api = server.Engine();

        await api.CopyAsync("c1", new CopySpec { Direction = CopyDirection.FromContainer, ContainerPath = "/etc", HostPath = _dir }, default);
        Assert.Equal("a", File.ReadAllText(Path.Combine(_dir, "etc", "sub", "a.txt")));
        Assert.Equal("b", File.ReadAllText(Path.Combine(_dir, "etc", "b.txt")));

        var renamed = Path.Combine(_dir, "renamed");
        await api.CopyAsync("c1", new CopySpec { Direction = CopyDirection.FromContainer, ContainerPath = "etc", HostPath = renamed }, default);
        Assert.Equal("a", File.ReadAllText(Path.Combine(renamed, "sub", "a.txt")));
        Assert.Equal(new[] { "GET /containers/c1/archive?path=%2Fetc", "GET /containers/c1/archive?path=%2Fetc" }, server.Seen);
    }

    [Fact]
    public async Task Copy_out_of_a_file_overwrites_a_file_or_lands_in_a_folder()
    {
        var tar = await TarOf(("hostname", "h1\n"));
        using var server = new FakeApiServer();
        server.On("GET", "^/containers/c1/archive", (_, c) => Archive(c, Stat("hostname", false), tar));
        var existing = Path.Combine(_dir, "existing.txt");
        File.WriteAllText(existing, "old content, longer than the new");
        await server.Engine().CopyAsync("c1", new CopySpec { Direction = CopyDirection.FromContainer, ContainerPath = "/etc/hostname", HostPath = existing }, default);
        Assert.Equal("h1\n", File.ReadAllText(existing));
        await server.Engine().CopyAsync("c1", new CopySpec { Direction = CopyDirection.FromContainer, ContainerPath = "/etc/hostname", HostPath = _dir }, default);
        Assert.Equal("h1\n", File.ReadAllText(Path.Combine(_dir, "hostname")));
    }

    [Theory]
    [InlineData(404, "Could not find the file /nope in container c1", "DockerVmPathNotFound")]
    [InlineData(404, "No such container:path: c1:/nope", "DockerVmPathNotFound")]
    [InlineData(404, "No such container: c1", "DockerVmNotFound")]
    [InlineData(500, "something else broke", "DockerCommandFailed")]
    public async Task Copy_errors_are_the_clis(int status, string message, string errorId)
    {
        using var server = new FakeApiServer();
        server.On("GET", "^/containers/c1/archive", (_, c) => c.Error(status, message));
        server.On("HEAD", "^/containers/c1/archive", (_, c) => c.Empty(404));
        server.On("PUT", "^/containers/c1/archive", (_, c) => c.Error(status, message));
        var src = Path.Combine(_dir, "f.txt");
        File.WriteAllText(src, "x");
        var outErr = await Assert.ThrowsAsync<DockerVmException>(() =>
            server.Engine().CopyAsync("c1", new CopySpec { Direction = CopyDirection.FromContainer, ContainerPath = "/nope", HostPath = _dir }, default));
        Assert.Equal(errorId, outErr.ErrorId);
        var inErr = await Assert.ThrowsAsync<DockerVmException>(() =>
            server.Engine().CopyAsync("c1", new CopySpec { Direction = CopyDirection.ToContainer, ContainerPath = "/nope/f.txt", HostPath = src }, default));
        Assert.Equal(errorId, inErr.ErrorId);
    }

    [Fact]
    public async Task An_archive_entry_outside_the_copied_path_is_refused_and_nothing_is_written_outside()
    {
        var tar = await TarOf(("etc/", null), ("etc/../../evil.txt", "evil"));
        using var server = new FakeApiServer();
        server.On("GET", "^/containers/c1/archive", (_, c) => Archive(c, Stat("etc", true), tar));
        var into = Path.Combine(_dir, "into");
        Directory.CreateDirectory(into);
        var e = await Assert.ThrowsAsync<DockerVmException>(() =>
            server.Engine().CopyAsync("c1", new CopySpec { Direction = CopyDirection.FromContainer, ContainerPath = "/etc", HostPath = into }, default));
        Assert.Equal("DockerCommandFailed", e.ErrorId);
        Assert.Contains("outside", e.Message);
        Assert.Empty(Directory.GetFiles(_dir, "evil.txt", SearchOption.AllDirectories));
    }

    // ---- copy in ----------------------------------------------------------------------------------

    private static async Task<List<(string Name, string Text)>> Entries(byte[] tar)
    {
        var r = new TarReader(new MemoryStream(tar));
        var all = new List<(string, string)>();
        TarEntry? e;
        while ((e = await r.NextAsync(default)) is not null)
        {
            var data = new MemoryStream();
            var buffer = new byte[4096];
            int n;
            while ((n = await r.ReadDataAsync(buffer, 0, buffer.Length, default)) > 0)
            {
                data.Write(buffer, 0, n);
            }
            all.Add((e.Name, Encoding.UTF8.GetString(data.ToArray())));
        }
        return all;
    }

    [Fact]
    public async Task Copy_in_to_an_existing_folder_sends_the_source_under_its_name_as_a_chunked_tar()
    {
        using var server = new FakeApiServer();
        server.On("HEAD", "^/containers/c1/archive", (_, c) => c.Raw($"HTTP/1.1 200 OK\r\nX-Docker-Container-Path-Stat: {Stat("tmp", true)}\r\nContent-Length: 0\r\n\r\n"));
        server.On("PUT", "^/containers/c1/archive", (_, c) => c.Empty(200));
        var tree = Path.Combine(_dir, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "sub"));
        File.WriteAllText(Path.Combine(tree, "sub", "a.txt"), "a");
        File.WriteAllText(Path.Combine(tree, "b.txt"), "b");

        await server.Engine().CopyAsync("c1", new CopySpec { Direction = CopyDirection.ToContainer, ContainerPath = "/tmp", HostPath = tree }, default);
        await server.Engine().CopyAsync("c1", new CopySpec { Direction = CopyDirection.ToContainer, ContainerPath = "/tmp", HostPath = tree + "/." }, default);

        Assert.Equal(new[] { "HEAD /containers/c1/archive?path=%2Ftmp", "PUT /containers/c1/archive?path=%2Ftmp&noOverwriteDirNonDir=true" },
            server.Seen.Take(2));
        var puts = server.Requests.Where(r => r.Method == "PUT").ToList();
        Assert.All(puts, p => Assert.Equal("chunked", p.Headers["Transfer-Encoding"]));
        Assert.All(puts, p => Assert.Equal("application/x-tar", p.Headers["Content-Type"]));
        Assert.Equal(new[] { ("tree/", ""), ("tree/b.txt", "b"), ("tree/sub/", ""), ("tree/sub/a.txt", "a") }, await Entries(puts[0].Body));
        Assert.Equal(new[] { ("b.txt", "b"), ("sub/", ""), ("sub/a.txt", "a") }, await Entries(puts[1].Body)); // "/.": the contents
    }

    [Fact]
    public async Task Copy_in_to_a_new_path_sends_to_its_folder_under_the_new_name_and_streams_a_large_file()
    {
        using var server = new FakeApiServer();
        server.On("HEAD", "^/containers/c1/archive", (_, c) => c.Empty(404));
        server.On("PUT", "^/containers/c1/archive", (_, c) => c.Empty(200));
        var big = Path.Combine(_dir, "big.bin");
        var bytes = new byte[3 * 1024 * 1024 + 7];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(big, bytes);

        await server.Engine().CopyAsync("c1", new CopySpec { Direction = CopyDirection.ToContainer, ContainerPath = "/root/renamed.bin", HostPath = big }, default);

        var put = server.Requests.Single(r => r.Method == "PUT");
        Assert.Equal("/containers/c1/archive?path=%2Froot&noOverwriteDirNonDir=true", put.Target);
        var r = new TarReader(new MemoryStream(put.Body));
        var entry = await r.NextAsync(default);
        Assert.Equal("renamed.bin", entry!.Name);
        var data = new MemoryStream();
        var buffer = new byte[65536];
        int n;
        while ((n = await r.ReadDataAsync(buffer, 0, buffer.Length, default)) > 0)
        {
            data.Write(buffer, 0, n);
        }
        Assert.Equal(bytes, data.ToArray());
        Assert.Null(await r.NextAsync(default));
    }

    [Fact]
    public async Task Copy_in_of_a_file_to_a_missing_folder_path_is_PathNotFound_before_any_upload()
    {
        using var server = new FakeApiServer();
        server.On("HEAD", "^/containers/c1/archive", (_, c) => c.Empty(404));
        var src = Path.Combine(_dir, "f.txt");
        File.WriteAllText(src, "x");
        var e = await Assert.ThrowsAsync<DockerVmException>(() =>
            server.Engine().CopyAsync("c1", new CopySpec { Direction = CopyDirection.ToContainer, ContainerPath = "/no/such/", HostPath = src }, default));
        Assert.Equal("DockerVmPathNotFound", e.ErrorId);
        Assert.DoesNotContain(server.Requests, r => r.Method == "PUT");
    }

    [Fact]
    public async Task Describe_still_names_docker_cp_and_docker_commit()
    {
        using var server = new FakeApiServer();
        var api = server.Engine();
        Assert.Equal("/nonexistent/docker-for-tests cp /h/f.txt c1:/tmp/",
            api.Describe(new CopyRequest("c1", new CopySpec { Direction = CopyDirection.ToContainer, HostPath = "/h/f.txt", ContainerPath = "/tmp/" })));
        Assert.StartsWith("/nonexistent/docker-for-tests commit --change ",
            api.Describe(new CommitRequest("c1", new CommitSpec { Repository = "r", Tag = "t", Labels = new Dictionary<string, string> { ["a"] = "1" } })));
        Assert.Empty(server.Seen);
    }

    // ---- images -----------------------------------------------------------------------------------

    [Fact]
    public async Task Commit_sends_container_repo_tag_pause_and_the_clis_label_change()
    {
        using var server = new FakeApiServer();
        server.On("POST", "^/commit", (_, c) => c.Json(201, "{\"Id\":\"sha256:abc\"}"));
        var spec = new CommitSpec
        {
            Repository = "dockervm-checkpoint/web1",
            Tag = "before",
            Pause = false,
            Labels = new Dictionary<string, string> { ["dockervm.managed"] = "", ["dockervm.checkpoint"] = "true", ["q"] = "a \"$b\"" },
        };
        Assert.Equal("sha256:abc", await server.Engine().CommitAsync("c1", spec, default));
        var target = Assert.Single(server.Seen).Substring("POST ".Length);
        var query = target.Substring(target.IndexOf('?') + 1).Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        Assert.Equal("c1", query["container"]);
        Assert.Equal("dockervm-checkpoint/web1", query["repo"]);
        Assert.Equal("before", query["tag"]);
        Assert.Equal("0", query["pause"]);
        Assert.Equal(DockerCommands.CommitChange(spec), query["changes"]);
        Assert.Equal("LABEL \"dockervm.checkpoint\"=\"true\" \"dockervm.managed\"=\"\" \"q\"=\"a \\\"\\$b\\\"\"", query["changes"]);
    }

    [Fact]
    public async Task Commit_of_a_missing_container_is_NotFound()
    {
        using var server = new FakeApiServer();
        server.On("POST", "^/commit", (_, c) => c.Error(404, "No such container: c1"));
        var e = await Assert.ThrowsAsync<DockerVmException>(() => server.Engine().CommitAsync("c1", new CommitSpec { Repository = "r", Tag = "t" }, default));
        Assert.Equal("DockerVmNotFound", e.ErrorId);
    }

    [Theory]
    [InlineData(200, "[{\"Untagged\":\"r/x:t\"}]", null)]
    [InlineData(404, "No such image: r/x:t", "DockerVmCheckpointNotFound")]
    [InlineData(409, "conflict: unable to remove repository reference \"r/x:t\" (must force) - container 123 is using its referenced image 456", "DockerCommandFailed")]
    public async Task Remove_image_untags_and_maps_missing_and_in_use(int status, string answer, string? errorId)
    {
        using var server = new FakeApiServer();
        server.On("DELETE", "^/images/", (_, c) =>
        {
            if (status == 200)
            {
                c.Json(200, answer);
            }
            else
            {
                c.Error(status, answer);
            }
        });
        var remove = server.Engine().RemoveImageAsync("r/x:t", default);
        if (errorId is null)
        {
            await remove;
        }
        else
        {
            var e = await Assert.ThrowsAsync<DockerVmException>(() => remove);
            Assert.Equal(errorId, e.ErrorId);
            if (status == 409)
            {
                Assert.Contains("a container still uses it", e.Message);
            }
        }
        Assert.Equal("DELETE /images/r/x%3At", Assert.Single(server.Seen));
    }

    [Fact]
    public async Task Images_are_listed_in_one_request_with_the_label_filters()
    {
        using var server = new FakeApiServer();
        server.On("GET", "^/images/json", (_, c) => c.Json(200,
            "[{\"Id\":\"sha256:1\",\"RepoTags\":[\"r/a:one\"],\"Created\":1714557600,\"Size\":42,\"Labels\":{\"dockervm.checkpoint\":\"true\",\"x\":\"y\"}}," +
            "{\"Id\":\"sha256:2\",\"RepoTags\":[\"<none>:<none>\"],\"Created\":0,\"Size\":1,\"Labels\":null}]"));
        var images = await server.Engine().ListImagesAsync(new[] { "dockervm.checkpoint=true", "dockervm.test" }, default);

        var seen = Assert.Single(server.Seen);
        Assert.StartsWith("GET /images/json?filters=", seen);
        using (var filters = JsonDocument.Parse(Uri.UnescapeDataString(seen.Substring(seen.IndexOf('=') + 1))))
        {
            Assert.Equal(new[] { "dockervm.checkpoint=true", "dockervm.test" }, filters.RootElement.GetProperty("label").EnumerateArray().Select(e => e.GetString()));
        }
        Assert.Equal(2, images.Count);
        Assert.Equal("sha256:1", images[0].Id);
        Assert.Equal(new[] { "r/a:one" }, images[0].RepoTags);
        Assert.Equal(new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc), images[0].Created);
        Assert.Equal("y", images[0].Labels["x"]);
        Assert.Equal(42, images[0].Size);
        Assert.Empty(images[1].RepoTags);
        Assert.Null(images[1].Created);
    }
}
