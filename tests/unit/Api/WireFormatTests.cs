using System.Text;
using System.Text.Json;
using DockerVm.Engine;
using DockerVm.Engine.Api;
using Xunit;

namespace DockerVm.Tests.Api;

/// <summary>The pieces of the API transport that need no engine: the stream demultiplexer, the listing's parser, flag translation.</summary>
public class WireFormatTests
{
    private static List<(int Stream, string Text)> Demux(byte[] all, int readSize, bool? multiplexed = true)
    {
        var got = new List<(int, string)>();
        var d = new StreamDemux((s, b, o, n) => got.Add((s, Encoding.UTF8.GetString(b, o, n))), multiplexed);
        for (var i = 0; i < all.Length; i += readSize)
        {
            d.Feed(all, i, Math.Min(readSize, all.Length - i));
        }
        d.Complete();
        Assert.False(d.Truncated);
        // join consecutive pieces of one stream: the split points are the reads'
        var joined = new List<(int Stream, string Text)>();
        foreach (var (s, t) in got)
        {
            if (joined.Count > 0 && joined[^1].Stream == s)
            {
                joined[^1] = (s, joined[^1].Text + t);
            }
            else
            {
                joined.Add((s, t));
            }
        }
        return joined;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(4096)]
    public void Frames_cut_at_any_read_size_come_out_whole_and_in_order(int readSize)
    {
        var all = FakeConnection.Frame(1, "out one\n").Concat(FakeConnection.Frame(2, "err\n"))
            .Concat(FakeConnection.Frame(1, "")).Concat(FakeConnection.Frame(1, new string('x', 70000))).ToArray();
        var got = Demux(all, readSize);
        Assert.Equal(new[] { (1, "out one\n"), (2, "err\n"), (1, new string('x', 70000)) }, got);
    }

    [Fact]
    public void A_raw_stream_is_detected_and_passed_whole()
    {
        var got = Demux(Encoding.UTF8.GetBytes("no frames here, just text"), 5, multiplexed: null);
        Assert.Equal(new[] { (1, "no frames here, just text") }, got);
        Assert.Equal(new[] { (1, "tiny") }, Demux(Encoding.UTF8.GetBytes("tiny"), 2, multiplexed: null));
        Assert.Equal(new[] { (2, "framed") }, Demux(FakeConnection.Frame(2, "framed"), 3, multiplexed: null));
    }

    [Fact]
    public void Line_sink_splits_like_ReadLine_and_decodes_utf8_across_writes()
    {
        var lines = new List<string>();
        var sink = new LineSink(lines.Add, 0);
        var bytes = Encoding.UTF8.GetBytes("a\r\nb\rc\nünï\r");
        foreach (var b in bytes)
        {
            sink.Write(new[] { b }, 0, 1);
        }
        sink.Write(Encoding.UTF8.GetBytes("\nlast"), 0, 5);
        sink.Complete();
        Assert.Equal(new[] { "a", "b", "c", "ünï", "last" }, lines);
        Assert.Equal("", sink.Text);
        var tail = new LineSink(null, 4);
        tail.Write(Encoding.UTF8.GetBytes("0123456789"), 0, 10);
        Assert.Equal("6789", tail.Text);
    }

    [Fact]
    public void The_listing_summary_becomes_what_a_listing_needs()
    {
        var info = ContainerSummary.ParseArray("[" + DockerApiTests.Summary("id1", "vm1", "running", "172.17.0.2") + "]").Single();
        Assert.Equal("id1", info.Id);
        Assert.Equal("vm1", info.Name);
        Assert.Equal("img:1", info.Image);
        Assert.Equal(ContainerStatus.Running, info.State.Status);
        Assert.Equal(VmState.Running, info.VmState);
        Assert.Equal(new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc), info.Created);
        Assert.Equal("172.17.0.2", info.IPAddress); // the default bridge's, as inspect's primary address
        Assert.Equal(new[] { "bridge", "custom" }, info.Networks.Select(n => n.Name));
        Assert.Equal("0.0.0.0:8080->80/tcp", info.Ports[0].ToString());
        Assert.Equal("53/udp", info.Ports[1].ToString());
        Assert.Equal(new[] { "tail", "-f", "/dev/null" }, info.Command);
        Assert.True(info.IsManaged);
        Assert.Equal("img:1", Labels.Read(info).Image);
    }

    [Theory]
    [InlineData("created")]
    [InlineData("running")]
    [InlineData("exited")]
    [InlineData("paused")]
    [InlineData("restarting")]
    [InlineData("removing")]
    [InlineData("dead")]
    public void Every_status_word_of_the_listing_maps_as_inspects_does(string status)
    {
        var info = ContainerSummary.ParseArray("[" + DockerApiTests.Summary("id1", "vm1", status, "") + "]").Single();
        Assert.Equal(status, info.State.StatusText);
        Assert.Equal(StateMachine.StateOf(ContainerStateInfo.Parse(status)), info.VmState);
    }

    [Fact]
    public void Names_of_links_are_not_the_containers_name()
    {
        var json = "[{\"Id\":\"x\",\"Names\":[\"/other/alias\",\"/real\"],\"State\":\"running\"}]";
        Assert.Equal("real", ContainerSummary.ParseArray(json).Single().Name);
        Assert.Equal(new[] { "a", "b" }, ContainerSummary.ParseIds("[{\"Id\":\"a\"},{\"Id\":\"b\"},{\"Id\":\"a\"}]"));
    }

    [Theory]
    [InlineData("512m", 512L << 20)]
    [InlineData("1g", 1L << 30)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("64mb", 64L << 20)]
    [InlineData("1024", 1024L)]
    [InlineData("2k", 2048L)]
    [InlineData("12x", null)]
    [InlineData("", null)]
    public void Memory_sizes_read_as_docker_reads_them(string text, long? bytes) =>
        Assert.Equal(bytes, CreateTranslation.Bytes(text));

    [Theory]
    [InlineData("30s", 30_000_000_000L)]
    [InlineData("1m30s", 90_000_000_000L)]
    [InlineData("500ms", 500_000_000L)]
    [InlineData("1h", 3_600_000_000_000L)]
    [InlineData("0", 0L)]
    [InlineData("10", null)]
    [InlineData("1x", null)]
    public void Durations_read_as_go_reads_them(string text, long? nanos) =>
        Assert.Equal(nanos, CreateTranslation.Duration(text));

    [Theory]
    [InlineData("80", "80/tcp", "", "")]
    [InlineData("8080:80", "80/tcp", "", "8080")]
    [InlineData("127.0.0.1:8080:80", "80/tcp", "127.0.0.1", "8080")]
    [InlineData("127.0.0.1::80", "80/tcp", "127.0.0.1", "")]
    [InlineData("53:53/udp", "53/udp", "", "53")]
    [InlineData("[::1]:8080:80", "80/tcp", "::1", "8080")]
    public void Published_ports_read_as_docker_reads_them(string spec, string port, string ip, string hostPort)
    {
        var o = new CreateOptions();
        Assert.True(CreateTranslation.TryTranslate(new[] { "-p", spec }, o, out _));
        var binding = Assert.Single(o.PortBindings[port]);
        Assert.Equal((ip, hostPort), binding);
    }

    [Theory]
    [InlineData("--device", "/dev/fuse")]
    [InlineData("-p", "8000-8010:80-90")]
    [InlineData("-v", "./here:/data")]
    [InlineData("--memory", "lots")]
    [InlineData("--restart", "sometimes")]
    [InlineData("--cpus", "0.0000000001")]
    [InlineData("--env-file", "x.env")]
    [InlineData("positional", "x")]
    public void Flags_it_cannot_read_exactly_are_left_to_the_cli(string flag, string value)
    {
        Assert.False(CreateTranslation.TryTranslate(new[] { "--hostname", "h", flag, value }, new CreateOptions(), out var untranslated));
        Assert.StartsWith(flag, untranslated);
    }

    [Fact]
    public void Short_forms_and_grouped_booleans_are_read_as_the_cli_reads_them()
    {
        var o = new CreateOptions();
        Assert.True(CreateTranslation.TryTranslate(new[] { "-m512m", "-it", "-e=A=1", "-uroot", "--privileged=false", "--read-only" }, o, out _));
        Assert.Equal(512L << 20, o.Memory);
        Assert.True(o.Tty);
        Assert.True(o.OpenStdin);
        Assert.Equal(new[] { "A=1" }, o.Env);
        Assert.Equal("root", o.User);
        Assert.False(o.Privileged);
        Assert.True(o.ReadonlyRootfs);
    }

    [Fact]
    public void The_create_body_leaves_out_what_was_not_asked()
    {
        var spec = new CreateSpec { Name = "n1", Image = "img", Init = false };
        using var doc = JsonDocument.Parse(CreateTranslation.Body(spec, new CreateOptions()));
        var root = doc.RootElement;
        Assert.False(root.TryGetProperty("Cmd", out _)); // the image's own command
        Assert.False(root.TryGetProperty("Env", out _));
        Assert.False(root.GetProperty("HostConfig").TryGetProperty("Init", out _));
    }

    [Theory]
    [InlineData("busybox", "busybox", "latest")]
    [InlineData("busybox:1.36", "busybox", "1.36")]
    [InlineData("localhost:5000/team/app", "localhost:5000/team/app", "latest")]
    [InlineData("localhost:5000/team/app:v2", "localhost:5000/team/app", "v2")]
    [InlineData("app@sha256:abc", "app@sha256:abc", "")]
    public void Pull_references_name_a_tag(string image, string name, string tag) =>
        Assert.Equal((name, tag), DockerApi.SplitImage(image));

    [Theory]
    [InlineData("unix:///var/run/docker.sock", "unix", "/var/run/docker.sock", null, 0)]
    [InlineData("npipe:////./pipe/docker_engine", "npipe", "docker_engine", ".", 0)]
    [InlineData("tcp://10.0.0.1:2376", "tcp", null, "10.0.0.1", 2376)]
    [InlineData("tcp://[::1]:2375", "tcp", null, "::1", 2375)]
    public void Engine_addresses_are_read_for_dialing(string address, string scheme, string? path, string? host, int port)
    {
        var t = ApiTarget.Parse(address, "test");
        Assert.Null(t.Unsupported);
        Assert.Equal(scheme, t.Scheme);
        Assert.Equal(path, t.Path);
        Assert.Equal(host, t.HostName);
        Assert.Equal(port, t.Port);
    }

    [Theory]
    [InlineData("ssh://me@host")]
    [InlineData("fd://")]
    [InlineData("")]
    public void Addresses_the_api_does_not_dial_say_why(string address) =>
        Assert.NotNull(ApiTarget.Parse(address, "test").Unsupported);
}
