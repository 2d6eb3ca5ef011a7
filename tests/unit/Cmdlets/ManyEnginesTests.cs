using System.Management.Automation;
using System.Text;
using DockerVm.Pools;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>-Context patterns (contract part 2 §10), without a store: literal names kept, wildcards over the store's names.</summary>
public class ContextPatternTests
{
    private static readonly string[] Store = { "default", "build", "prod-eu", "prod-us", "team.ctx" };

    private static IReadOnlyList<string> Expand(string current, params string[] patterns) =>
        ManyEngines.Expand(patterns, () => Store, () => current);

    [Fact]
    public void A_star_is_every_context_the_default_one_as_the_empty_context_when_it_is_current()
    {
        Assert.Equal(new[] { "", "build", "prod-eu", "prod-us", "team.ctx" }, Expand("default", "*"));
        Assert.Equal(new[] { "default", "build", "prod-eu", "prod-us", "team.ctx" }, Expand("build", "*"));
    }

    [Fact]
    public void Wildcards_match_the_store_case_insensitively_literal_names_are_kept_and_each_context_comes_once()
    {
        Assert.Equal(new[] { "prod-eu", "prod-us" }, Expand("default", "PROD-*"));
        Assert.Equal(new[] { "prod-eu" }, Expand("default", "prod-[e]?"));
        Assert.Equal(new[] { "nowhere", "build", "prod-eu", "prod-us" }, Expand("default", "nowhere", "b*", "prod-*", "build"));
        Assert.Equal(new[] { "" }, Expand("default"));
        Assert.Equal(new[] { "" }, Expand("default", ""));
        Assert.Equal(new[] { "team.ctx" }, Expand("default", "team`.ctx*"));
    }

    [Fact]
    public void A_wildcard_that_matches_no_context_adds_nothing()
    {
        Assert.Empty(Expand("default", "staging-*"));
        Assert.Equal(new[] { "build" }, Expand("default", "staging-*", "build"));
    }

    [Theory]
    [InlineData("web*", "WEB1", true)]
    [InlineData("w?b", "web", true)]
    [InlineData("w?b", "weeb", false)]
    [InlineData("[a-c]x", "bx", true)]
    [InlineData("[a-c]x", "dx", false)]
    [InlineData("a`*", "a*", true)]
    [InlineData("a`*", "ab", false)]
    [InlineData("a.b", "axb", false)]
    public void Wildcards_match_as_PowerShell_matches_them(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, Wildcard.Matcher(pattern)(text));
        Assert.Equal(new WildcardPattern(pattern, WildcardOptions.IgnoreCase).IsMatch(text), Wildcard.Matcher(pattern)(text));
        Assert.Equal(WildcardPattern.ContainsWildcardCharacters(pattern), Wildcard.HasWildcards(pattern));
    }
}

/// <summary>
/// Get-DockerVm, Get-DockerVmPool and Get-DockerVmCheckpoint over many engines in-process: each
/// engine a FakeEngine under a context of a temporary context store (DOCKER_CONFIG is process-wide,
/// hence the non-parallel collection).
/// </summary>
[Collection(FakeCliCollection.Name)]
public sealed class ManyEnginesCmdletTests : IDisposable
{
    private readonly TempDockerConfig _store = new();
    private readonly string _prefix = "fan" + Guid.NewGuid().ToString("N").Substring(0, 8);
    private readonly FakeEngine _a;
    private readonly FakeEngine _b;
    private readonly FakeEngine _dead;

    public ManyEnginesCmdletTests()
    {
        _a = TestEngines.Register(new FakeEngine(_prefix + "-a"));
        _b = TestEngines.Register(new FakeEngine(_prefix + "-b"));
        _dead = TestEngines.Register(new FakeEngine(_prefix + "-dead"));
        foreach (var engine in new[] { _a, _b, _dead })
        {
            _store.Add(engine.Context, "unix:///nowhere/" + engine.Context + ".sock");
        }
        _store.Add("other-" + _prefix, "unix:///nowhere/other.sock"); // not matched by the tests' patterns
        _a.Add("a1", "running");
        _a.Add("a2", "exited");
        _b.Add("b1", "running");
    }

    public void Dispose() => _store.Dispose();

    private string All => _prefix + "-*";

    private void Kill(FakeEngine engine, int times = 1) =>
        engine.Fail("ps", Failures.FromEngine(DockerVmErrorKind.EngineUnavailable, null, "fake ps", 1,
            "Cannot connect to the Docker daemon at unix:///nowhere/dead.sock. Is the docker daemon running?"), times);

    private static void OneUnavailable(RunResult run, string context, string commandType)
    {
        var e = Expect.OnlyError(run, "DockerEngineUnavailable", commandType, ErrorCategory.ResourceUnavailable);
        Assert.Null(run.Terminating);
        Assert.Equal(context, e.TargetObject);
        Assert.Contains($"Context '{context}'", e.ErrorDetails!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_DockerVm_lists_every_matching_engine_and_an_unreachable_one_is_one_non_terminating_error()
    {
        Kill(_dead);
        using var s = new CmdletSession(_a);

        var run = s.Run($"Get-DockerVm -Context '{All}'");

        Assert.Equal(new[] { "a1/" + _a.Context, "a2/" + _a.Context, "b1/" + _b.Context },
            run.Objects<DockerVmInstance>().Select(v => v.Name + "/" + v.Context).OrderBy(n => n, StringComparer.Ordinal));
        OneUnavailable(run, _dead.Context, "GetDockerVmCommand");
        Assert.Equal(new[] { "ps" }, _dead.Operations);
    }

    [Fact]
    public void The_engines_are_asked_at_the_same_time()
    {
        // Each engine's listing waits until the other's has arrived: asked one after the other, the first would give up.
        using var aArrived = new ManualResetEventSlim();
        using var bArrived = new ManualResetEventSlim();
        var met = new System.Collections.Concurrent.ConcurrentBag<string>();
        _a.Before("ps", _ =>
        {
            aArrived.Set();
            if (bArrived.Wait(TimeSpan.FromSeconds(20))) met.Add("a");
        });
        _b.Before("ps", _ =>
        {
            bArrived.Set();
            if (aArrived.Wait(TimeSpan.FromSeconds(20))) met.Add("b");
        });
        using var s = new CmdletSession(_a);

        var run = s.Ok($"Get-DockerVm -Context '{_a.Context}', '{_b.Context}'");

        Assert.Equal(new[] { "a", "b" }, met.OrderBy(m => m));
        Assert.Equal(3, run.Objects<DockerVmInstance>().Count);
    }

    [Fact]
    public void An_engine_that_answers_is_written_out_while_another_has_not_answered_yet()
    {
        // The slow engine answers only once the pipeline has received a VM of the other one.
        using var received = new ManualResetEventSlim();
        var waited = false;
        _b.Before("ps", _ => waited = received.Wait(TimeSpan.FromSeconds(20)));
        using var s = new CmdletSession(_a);
        s.Set("received", received);

        var run = s.Ok($"Get-DockerVm -Context '{_a.Context}', '{_b.Context}' | ForEach-Object {{ $received.Set(); $_ }}");

        Assert.True(waited, "the answering engine's VMs were held back until the slow one answered");
        Assert.Equal(3, run.Objects<DockerVmInstance>().Count);
    }

    [Fact]
    public void The_answers_come_in_the_order_of_the_contexts_whichever_engine_answers_first()
    {
        // b is listed first but answers only after a's listing is complete (a's inspect, and a moment).
        using var aDone = new ManualResetEventSlim();
        _a.Before("inspect", _ => aDone.Set());
        _b.Before("ps", _ =>
        {
            aDone.Wait(TimeSpan.FromSeconds(20));
            Thread.Sleep(200);
        });
        using var s = new CmdletSession(_a);

        var run = s.Ok($"Get-DockerVm -Context '{_b.Context}', '{_a.Context}'");

        Assert.Equal(new[] { "b1", "a1", "a2" }, run.Objects<DockerVmInstance>().Select(v => v.Name));
    }

    [Fact]
    public void An_engine_that_never_answers_is_given_up_after_its_bound_and_the_others_are_listed()
    {
        _dead.Hang("ps");
        var saved = ManyEngines.EngineBound;
        ManyEngines.EngineBound = TimeSpan.FromSeconds(1);
        try
        {
            using var s = new CmdletSession(_a);
            var run = s.Run($"Get-DockerVm -Context '{All}'");

            Assert.Equal(3, run.Objects<DockerVmInstance>().Count);
            OneUnavailable(run, _dead.Context, "GetDockerVmCommand");
        }
        finally
        {
            ManyEngines.EngineBound = saved;
        }
    }

    [Fact]
    public void A_wildcard_that_matches_no_context_lists_nothing_and_is_no_error_a_literal_name_is_asked()
    {
        using var s = new CmdletSession(_a);

        var none = s.Run($"Get-DockerVm -Context '{_prefix}-nomatch*'");
        Assert.Empty(none.Output);
        Assert.Empty(none.Errors);
        Assert.Null(none.Terminating);

        Kill(_dead);
        OneUnavailable(s.Run($"Get-DockerVm -Context '{_dead.Context}'"), _dead.Context, "GetDockerVmCommand");
    }

    [Fact]
    public void A_literal_name_is_not_found_only_when_no_engine_has_it()
    {
        using var s = new CmdletSession(_a);

        var found = s.Ok($"Get-DockerVm b1, a2 -Context '{All}'");
        Assert.Equal(new[] { "a2", "b1" }, found.Objects<DockerVmInstance>().Select(v => v.Name).OrderBy(n => n));

        var missing = s.Run($"Get-DockerVm zz, a1 -Context '{All}'");
        Assert.Equal("a1", Assert.Single(missing.Objects<DockerVmInstance>()).Name);
        Assert.Equal("zz", Expect.OnlyError(missing, "DockerVmNotFound", "GetDockerVmCommand", ErrorCategory.ObjectNotFound).TargetObject);
    }

    [Fact]
    public void Objects_remember_their_engine_so_a_pipeline_acts_on_each_vm_on_its_own_engine()
    {
        Kill(_dead);
        using var s = new CmdletSession(_a);

        var run = s.Run($"Get-DockerVm -Context '{All}' -State Running | Stop-DockerVm -PassThru");

        Assert.Equal(new[] { "a1", "b1" }, run.Objects<DockerVmInstance>().Where(v => v.State == VmState.Stopped).Select(v => v.Name).OrderBy(n => n));
        OneUnavailable(run, _dead.Context, "GetDockerVmCommand");
        Assert.Equal(new[] { "a1" }, Expect.Changes(_a).Select(c => _a.Find(c.Target)!.Name));
        Assert.Equal(new[] { "b1" }, Expect.Changes(_b).Select(c => _b.Find(c.Target)!.Name));
        Assert.Empty(Expect.Changes(_dead));
    }

    [Fact]
    public void Get_DockerVmPool_lists_the_pools_of_every_matching_engine_and_an_unreachable_one_is_one_error()
    {
        using var s = new CmdletSession(_a);
        s.Ok($"New-DockerVmPool ci -Image fake/image -Size 1 -Context '{_a.Context}'; New-DockerVmPool qa -Image fake/image -Size 1 -Context '{_b.Context}'");
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "ci");
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "qa");
        Kill(_dead);

        var run = s.Run($"Get-DockerVmPool -Context '{All}'");

        Assert.Equal(new[] { "ci/" + _a.Context, "qa/" + _b.Context },
            run.Objects<DockerVmPool>().Select(p => p.Name + "/" + p.Context).OrderBy(n => n, StringComparer.Ordinal));
        OneUnavailable(run, _dead.Context, "GetDockerVmPoolCommand");

        var missing = s.Run($"Get-DockerVmPool nope, ci -Context '{_a.Context}', '{_b.Context}'");
        Assert.Equal("ci", Assert.Single(missing.Objects<DockerVmPool>()).Name);
        Expect.OnlyError(missing, "DockerVmPoolNotFound", "GetDockerVmPoolCommand", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void Get_DockerVmCheckpoint_lists_the_checkpoints_of_every_matching_engine_and_an_unreachable_one_is_one_error()
    {
        using var s = new CmdletSession(_a);
        s.Ok($"Checkpoint-DockerVm a1 v1 -Context '{_a.Context}'; Checkpoint-DockerVm b1 v1 -Context '{_b.Context}'");
        _dead.Fail("images", Failures.FromEngine(DockerVmErrorKind.EngineUnavailable, null, "fake images", 1, "Cannot connect to the Docker daemon"));

        var run = s.Run($"Get-DockerVmCheckpoint -Context '{All}'");

        Assert.Equal(new[] { "a1/v1/" + _a.Context, "b1/v1/" + _b.Context },
            run.Objects<DockerVmCheckpoint>().Select(c => c.VMName + "/" + c.Name + "/" + c.Context).OrderBy(n => n, StringComparer.Ordinal));
        OneUnavailable(run, _dead.Context, "GetDockerVmCheckpointCommand");

        var removed = s.Ok($"Get-DockerVmCheckpoint -Context '{_a.Context}', '{_b.Context}' | Remove-DockerVmCheckpoint -Confirm:$false");
        Assert.Contains(_a.Operations, o => o == "rmi");
        Assert.Contains(_b.Operations, o => o == "rmi");
        Assert.Empty(s.Ok($"Get-DockerVmCheckpoint -Context '{All}'").Output);
    }
}

/// <summary>A docker config folder of its own (its context store), made DOCKER_CONFIG for a test's duration.</summary>
internal sealed class TempDockerConfig : IDisposable
{
    private readonly string? _saved = Environment.GetEnvironmentVariable("DOCKER_CONFIG");

    public TempDockerConfig()
    {
        Directory.CreateDirectory(Dir);
        Environment.SetEnvironmentVariable("DOCKER_CONFIG", Dir);
    }

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "dockervm-config-" + Guid.NewGuid().ToString("N"));

    /// <summary>The meta.json of <paramref name="name"/> (the CLI keeps each context under the SHA-256 of its name).</summary>
    public string MetaFile(string name) =>
        Path.Combine(Dir, "contexts", "meta", Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name))).ToLowerInvariant(), "meta.json");

    public void Add(string name, string host)
    {
        var file = MetaFile(name);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "{\"Name\":\"" + name + "\",\"Metadata\":{},\"Endpoints\":{\"docker\":{\"Host\":\"" + host + "\",\"SkipTLSVerify\":false}}}");
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("DOCKER_CONFIG", _saved);
        Directory.Delete(Dir, recursive: true);
    }
}
