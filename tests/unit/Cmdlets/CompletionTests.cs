using System.Diagnostics;
using System.Management.Automation;
using System.Reflection;
using System.Text;
using DockerVm.Commands;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>What TabExpansion2 offers for a line, with the cursor at its end.</summary>
internal static class Tab
{
    public static IReadOnlyList<CompletionResult> Complete(CmdletSession s, string line)
    {
        s.Set("__line", line);
        var run = s.Ok("(TabExpansion2 -inputScript $__line -cursorColumn $__line.Length).CompletionMatches");
        // PowerShell separates the answers of two candidate parameters with its null result.
        return run.Objects<CompletionResult>().Where(r => !IsSeparator(r)).ToList();
    }

    private static bool IsSeparator(CompletionResult r)
    {
        try
        {
            return r.CompletionText.Length == 0;
        }
        catch (PSInvalidOperationException)
        {
            return true; // CompletionResult.Null refuses every property
        }
    }

    public static IReadOnlyList<string> Texts(CmdletSession s, string line) => Complete(s, line).Select(r => r.CompletionText).ToList();
}

/// <summary>
/// Tab completion of VM names (by position and by name, -Name and -VM), on the in-memory engine.
/// </summary>
public class VmNameCompletionTests
{
    [Theory]
    [MemberData(nameof(BindingTests.TargetCmdlets), MemberType = typeof(BindingTests))]
    public void A_positional_name_completes_to_VM_names_not_file_names(string cmdlet)
    {
        // No -Context: position 0 is ambiguous (-Name or -VM) and PowerShell asks the default set's -VM.
        var engine = DefaultContextTests.Default.Value;
        var name = "completion-pos-" + Guid.NewGuid().ToString("N").Substring(0, 8);
        engine.Add(name, "running");
        using var s = new CmdletSession(engine);

        var empty = Tab.Complete(s, cmdlet + " ");
        Assert.Contains(name, empty.Select(r => r.CompletionText));
        Assert.All(empty, r => Assert.Equal(CompletionResultType.ParameterValue, r.ResultType));

        // A word begun: both position-0 parameters are asked; the name is offered once.
        Assert.Equal(new[] { name }, Tab.Texts(s, $"{cmdlet} {name.Substring(0, name.Length - 3)}"));
    }

    [Fact]
    public void Named_Name_and_VM_complete_on_the_engine_of_Context()
    {
        using var s = new CmdletSession();
        s.Fake.Add("web-a", "running");
        s.Fake.Add("web-b", "exited");
        s.Fake.Add("db-1", "exited");
        s.Fake.Add("not-mine", "running", managed: false);

        Assert.Equal(new[] { "web-a", "web-b" }, Tab.Texts(s, $"Stop-DockerVm -Context {s.Context} -Name web"));
        Assert.Equal(new[] { "db-1", "web-a", "web-b" }, Tab.Texts(s, $"Get-DockerVm -Context {s.Context} "));
        Assert.Equal(new[] { "db-1" }, Tab.Texts(s, $"Get-DockerVm -Context {s.Context} -Name D"));
        Assert.Equal(new[] { "web-b" }, Tab.Texts(s, $"Remove-DockerVm -Context {s.Context} web-b"));
        var tip = Assert.Single(Tab.Complete(s, $"Start-DockerVm -Context {s.Context} -Name web-a")).ToolTip;
        Assert.Contains("Running", tip, StringComparison.Ordinal);
    }

    [Fact]
    public void Named_VM_completes_to_names_too()
    {
        var engine = DefaultContextTests.Default.Value;
        var name = "completion-vm-" + Guid.NewGuid().ToString("N").Substring(0, 8);
        engine.Add(name, "exited");
        using var s = new CmdletSession(engine);

        Assert.Equal(new[] { name }, Tab.Texts(s, "Remove-DockerVm -VM " + name.Substring(0, 18)));
    }

    [Fact]
    public void An_engine_that_does_not_answer_completes_nothing_within_the_budget()
    {
        using var s = new CmdletSession();
        s.Fake.Add("web-a", "running");
        s.Fake.Hang("ps");

        var watch = Stopwatch.StartNew();
        var texts = Tab.Texts(s, $"Start-DockerVm -Context {s.Context} -Name web");

        Assert.DoesNotContain("web-a", texts);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, VmNameCompleter.Budget + TimeSpan.FromSeconds(3));
    }
}

/// <summary>Tab completion of New-DockerVm -Image: the engine's images, bounded in time.</summary>
public class ImageCompletionTests
{
    [Fact]
    public void Image_completes_from_the_engine_by_start_and_by_last_segment()
    {
        using var s = new CmdletSession();
        s.Fake.Images = new HashSet<string> { "dockervm/busybox:latest", "nginx:1.27", "registry.local:5000/team/postgres:16" };

        Assert.Equal(new[] { "dockervm/busybox:latest" }, Tab.Texts(s, $"New-DockerVm -Context {s.Context} -Image dock"));
        Assert.Equal(new[] { "dockervm/busybox:latest" }, Tab.Texts(s, $"New-DockerVm -Context {s.Context} busy"));
        Assert.Equal(new[] { "registry.local:5000/team/postgres:16" }, Tab.Texts(s, $"New-DockerVm -Context {s.Context} -Image post"));
        Assert.Equal(3, Tab.Texts(s, $"New-DockerVm -Context {s.Context} -Image ").Count);
        Assert.Contains("images", s.Fake.Operations);
    }

    [Fact]
    public void A_hung_engine_completes_no_image_within_the_budget()
    {
        using var s = new CmdletSession();
        s.Fake.Images = new HashSet<string> { "nginx:1.27" };
        s.Fake.Hang("images");

        var watch = Stopwatch.StartNew();
        var texts = Tab.Texts(s, $"New-DockerVm -Context {s.Context} -Image ngi");

        Assert.DoesNotContain("nginx:1.27", texts);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, ImageCompleter.Budget + TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void A_failing_engine_completes_no_image_and_raises_nothing()
    {
        using var s = new CmdletSession();
        s.Fake.Fail("images", new InvalidOperationException("boom"), times: 5);

        // Tab.Texts runs TabExpansion2 and requires that no error was written.
        Assert.DoesNotContain(Tab.Texts(s, $"New-DockerVm -Context {s.Context} -Image ngi"), t => t.StartsWith("ngi", StringComparison.Ordinal));
    }
}

/// <summary>-Image through the CLI transport: `docker image ls`, with -Context, bounded in time.</summary>
[Collection(FakeCliCollection.Name)]
public class ImageCompletionCliTests
{
    [Fact]
    public void The_CLI_is_asked_for_the_images_of_the_context()
    {
        using var fake = new FakeDocker();
        fake.On("image", stdout: "dockervm/busybox:latest\nnginx:1.27\n<none>:<none>\nnginx:1.27\n");
        var cli = TestEngines.Register(fake.Cli(TestEngines.NewContext()));
        using var s = new CmdletSession();

        Assert.Equal(new[] { "nginx:1.27" }, Tab.Texts(s, $"New-DockerVm -Context {cli.Context} ng"));

        var call = fake.SingleCall();
        Assert.Equal(new[] { "--context", cli.Context, "image", "ls", "--format", "{{.Repository}}:{{.Tag}}" }, call);
    }

    [Fact]
    public void A_CLI_that_hangs_is_abandoned_after_the_budget()
    {
        using var fake = new FakeDocker();
        fake.On("image", stdout: "nginx:1.27\n", sleepSec: 30);
        var cli = TestEngines.Register(fake.Cli(TestEngines.NewContext()));
        using var s = new CmdletSession();

        var watch = Stopwatch.StartNew();
        var texts = Tab.Texts(s, $"New-DockerVm -Context {cli.Context} -Image ngi");

        Assert.DoesNotContain("nginx:1.27", texts);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, ImageCompleter.Budget + TimeSpan.FromSeconds(3));
    }
}

/// <summary>
/// Tab completion of -Context: the CLI's context store (DOCKER_CONFIG honoured) plus `default`.
/// DOCKER_CONFIG is process-wide, so these run in the non-parallel collection.
/// </summary>
[Collection(FakeCliCollection.Name)]
public class ContextCompletionTests
{
    [Theory]
    [InlineData("Start-DockerVm -Context ")]
    [InlineData("Get-DockerVm -Context ")]
    [InlineData("New-DockerVm busybox -Context ")]
    [InlineData("Invoke-DockerVmExec -Context ")]
    public void Context_completes_from_the_context_store(string line)
    {
        using var store = new ContextStore();
        store.Add("build-server", "tcp://build.example:2376");
        store.Add("team ctx", "ssh://ops@team");
        store.AddFile("broken", "{ not json");
        using var s = new CmdletSession();

        var results = Tab.Complete(s, line);

        Assert.Equal(new[] { "default", "build-server", "'team ctx'" }, results.Select(r => r.CompletionText));
        Assert.Contains("tcp://build.example:2376", results[1].ToolTip, StringComparison.Ordinal);
        Assert.Equal(new[] { "build-server" }, Tab.Texts(s, line + "B"));
    }

    [Fact]
    public void Without_a_store_default_is_offered()
    {
        using var store = new ContextStore();
        using var s = new CmdletSession();

        Assert.Equal(new[] { "default" }, Tab.Texts(s, "Stop-DockerVm -Context "));
    }

    /// <summary>A docker config folder of its own, made DOCKER_CONFIG for the test's duration.</summary>
    private sealed class ContextStore : IDisposable
    {
        private readonly string? _saved = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "dockervm-contexts-" + Guid.NewGuid().ToString("N"));

        public ContextStore()
        {
            Directory.CreateDirectory(_dir);
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _dir);
        }

        public void Add(string name, string host) =>
            AddFile(name, "{\"Name\":\"" + name + "\",\"Metadata\":{},\"Endpoints\":{\"docker\":{\"Host\":\"" + host + "\",\"SkipTLSVerify\":false}}}");

        public void AddFile(string name, string json)
        {
            // The CLI keeps each context under the SHA-256 of its name.
            var id = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name))).ToLowerInvariant();
            var dir = Path.Combine(_dir, "contexts", "meta", id);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "meta.json"), json);
        }

        public void Dispose()
        {
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", _saved);
            Directory.Delete(_dir, recursive: true);
        }
    }
}

/// <summary>Every cmdlet names its online help (Get-Help -Online), all under one project address.</summary>
public class HelpUriTests
{
    public static TheoryData<string> Cmdlets()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(NewDockerVmCommand).Assembly.GetTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() is not null))
        {
            data.Add(type.FullName!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_cmdlet_has_a_HelpUri_to_its_help_page(string typeName)
    {
        var attribute = typeof(NewDockerVmCommand).Assembly.GetType(typeName)!.GetCustomAttribute<CmdletAttribute>()!;
        var name = attribute.VerbName + "-" + attribute.NounName;

        Assert.Equal($"https://github.com/dockervm/DockerVm/blob/main/module/help/{name}.md", attribute.HelpUri);
    }

    [Fact]
    public void Get_Command_reports_the_HelpUri()
    {
        using var s = new CmdletSession();

        var uri = Assert.Single(s.Ok("(Get-Command Start-DockerVm).HelpUri").Strings);

        Assert.True(Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.Scheme == "https", uri);
    }
}
