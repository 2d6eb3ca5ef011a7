using DockerVm.Engine;
using DockerVm.Pools;
using Xunit;

namespace DockerVm.Tests;

/// <summary>Warm pools against the in-memory engine: definition, fill, take (and its race), staging states, top-up.</summary>
public class PoolTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private static FakeEngine NewEngine() => new("pool-" + Guid.NewGuid().ToString("N").Substring(0, 8));

    private static readonly List<string> Log = new();

    private static void Note(string m)
    {
        lock (Log)
        {
            Log.Add(m);
        }
    }

    private static async Task<PoolDefinition> DefineAsync(FakeEngine engine, string name, int size, VmState staging = VmState.Running)
    {
        var pool = await PoolCatalog.DefineAsync(engine, new PoolDefinition
        {
            Name = name, Image = "fake/image", Size = size, StagingState = staging,
            Options = new VmOptions { Labels = new Dictionary<string, string> { ["team"] = "ci" }, StopTimeoutSec = 3 },
        }, None);
        await PoolFiller.TopUpAsync(engine, pool, Note, None);
        return pool;
    }

    private static IReadOnlyList<FakeContainer> Waiting(FakeEngine engine, string pool) =>
        engine.Containers.Where(c => c.Name.StartsWith(PoolNames.Prefix + pool + "-", StringComparison.Ordinal) && c.Labels.ContainsKey(PoolNames.PoolLabel)).ToList();

    [Fact]
    public async Task A_definition_is_a_marker_that_reads_back_and_is_not_a_vm()
    {
        var engine = NewEngine();
        await DefineAsync(engine, "p", 2, VmState.Suspended);

        var def = Assert.Single(await PoolCatalog.ListAsync(engine, None));
        Assert.Equal(("p", "fake/image", 2, VmState.Suspended, 3), (def.Name, def.Image, def.Size, def.StagingState, def.Options.StopTimeoutSec));
        Assert.Equal("ci", def.Options.Labels["team"]);
        var marker = engine.Find("dockervm-pool-p")!;
        Assert.Equal("created", marker.Status);
        Assert.False(marker.Labels.ContainsKey(Labels.Managed));
        Assert.Equal(2, Waiting(engine, "p").Count);
        Assert.All(Waiting(engine, "p"), c => Assert.Equal("paused", c.Status));
        Assert.Empty(await VmRegistry.ListAsync(engine, None)); // waiting VMs are nobody's VMs yet
        var described = Assert.Single(await PoolCatalog.DescribeAsync(engine, None));
        Assert.Equal(2, described.Ready);
    }

    [Fact]
    public async Task Every_create_option_round_trips_through_the_marker_and_reaches_each_vm_and_a_cold_take()
    {
        var engine = NewEngine();
        var options = new VmOptions
        {
            ContainerCommand = new[] { "sleep", "1d" },
            CreateArguments = new[] { "--hostname", "h1" },
            Environment = new Dictionary<string, string> { ["MODE"] = "test" },
            Labels = new Dictionary<string, string> { ["team"] = "ci" },
            StopTimeoutSec = 4,
            PollingIntervalMs = 70,
            Ports = new[] { "80", "127.0.0.1::53/udp" },
            Volumes = new[] { "/data" },
            MemoryMB = 64,
            Cpus = 0.5,
            Network = "bridge",
        };
        var pool = await PoolCatalog.DefineAsync(engine, new PoolDefinition { Name = "all", Image = "fake/image", Size = 1, Options = options }, None);
        await PoolFiller.TopUpAsync(engine, pool, Note, None);

        var read = Assert.Single(await PoolCatalog.ListAsync(engine, None)).Options;
        Assert.Equal(
            "sleep,1d | --hostname,h1 | 80,127.0.0.1::53/udp | /data | 64 | 0.5 | bridge | 4 | 70",
            $"{string.Join(",", read.ContainerCommand)} | {string.Join(",", read.CreateArguments)} | {string.Join(",", read.Ports)} | {string.Join(",", read.Volumes)} | {read.MemoryMB} | {read.Cpus} | {read.Network} | {read.StopTimeoutSec} | {read.PollingIntervalMs}");
        Assert.Equal(options.Environment, read.Environment);
        Assert.Equal(options.Labels, read.Labels);

        var waiting = Assert.Single(Waiting(engine, "all"));
        var cold = await PoolTaker.TakeAsync(engine, "all", "job1", false, StartTimeout, Note, None); // takes the waiting one
        var second = await PoolTaker.TakeAsync(engine, "all", "job2", false, StartTimeout, Note, None); // the pool is empty: cold
        Assert.Equal(waiting.Id, cold.ContainerId);
        var specs = engine.Calls.Where(c => c.Operation == "create").Select(c => (CreateSpec)c.Detail!).Where(c => c.Labels.ContainsKey(Labels.Managed)).ToList();
        Assert.Contains(specs, c => c.Name == "job2");
        Assert.All(specs, c => Assert.Equal(
            "80,127.0.0.1::53/udp | /data | 67108864 | 0.5 | bridge | --hostname,h1 | sleep,1d | test",
            $"{string.Join(",", c.Ports)} | {string.Join(",", c.Volumes)} | {c.MemoryBytes} | {c.Cpus} | {c.Network} | {string.Join(",", c.CreateArguments)} | {string.Join(",", c.ContainerCommand)} | {c.Environment["MODE"]}"));
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "all");
    }

    [Theory]
    [InlineData(VmState.Running, "running")]
    [InlineData(VmState.Suspended, "paused")]
    [InlineData(VmState.Stopped, "created")]
    public async Task Waiting_vms_are_kept_in_the_staging_state(VmState staging, string status)
    {
        var engine = NewEngine();
        await DefineAsync(engine, "s", 3, staging);
        Assert.Equal(3, Waiting(engine, "s").Count);
        Assert.All(Waiting(engine, "s"), c => Assert.Equal(status, c.Status));
        Assert.DoesNotContain(engine.Containers, c => c.Name.Contains(".new-") || c.Name.Contains(".rm-"));
    }

    [Theory]
    [InlineData(VmState.Running, false, VmState.Running)]
    [InlineData(VmState.Running, true, VmState.Running)]
    [InlineData(VmState.Suspended, true, VmState.Running)]
    [InlineData(VmState.Suspended, false, VmState.Stopped)]
    [InlineData(VmState.Stopped, false, VmState.Stopped)]
    [InlineData(VmState.Stopped, true, VmState.Running)]
    public async Task Take_renames_a_waiting_vm_and_hands_it_out_in_the_state_asked(VmState staging, bool start, VmState handedOut)
    {
        var engine = NewEngine();
        await DefineAsync(engine, "t", 2, staging);
        var before = Waiting(engine, "t").Select(c => c.Id).ToList();

        var vm = await PoolTaker.TakeAsync(engine, "t", "job1", start, StartTimeout, Note, None);

        Assert.Equal(("job1", handedOut), (vm.Name, vm.State));
        Assert.Contains(vm.ContainerId, before);
        Assert.Equal("t", engine.Find("job1")!.Labels[PoolNames.PoolLabel]);
        Assert.Equal("ci", vm.Labels["team"]);
        Assert.Equal(3, vm.StopTimeoutSec);
        Assert.Contains("job1", (await VmRegistry.ListAsync(engine, None)).Select(v => v.Name)); // a taken VM is a VM
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "t");
        Assert.Equal(2, Waiting(engine, "t").Count); // replenished in the background
    }

    [Fact]
    public async Task A_take_lists_the_definition_and_the_waiting_vms_in_one_listing_and_renames_once()
    {
        var engine = NewEngine();
        await DefineAsync(engine, "one", 2);
        var before = engine.Calls.Count;

        var vm = await PoolTaker.TakeAsync(engine, "one", "job1", start: true, StartTimeout, Note, None);
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "one");

        Assert.Equal(VmState.Running, vm.State);
        var calls = engine.Calls.Skip(before).ToList();
        Assert.Single(calls, c => c.Operation == "ps" && c.Target == PoolNames.PoolLabel + "=one"); // the take's one listing
        Assert.DoesNotContain(calls, c => c.Operation == "ps" && c.Target.Contains(Labels.ManagedFilter)); // no second member listing
        Assert.Single(calls, c => c.Operation == "rename" && c.Target.StartsWith("dockervm-pool-one-", StringComparison.Ordinal));
        Assert.DoesNotContain(calls, c => c.Operation == "start" && c.Target == vm.ContainerId); // it waited Running
    }

    [Fact]
    public async Task A_pool_whose_marker_lacks_the_pool_label_is_still_found()
    {
        // Markers made before they carried dockervm.pool: the take looks the definition up by its own label.
        var engine = NewEngine();
        await DefineAsync(engine, "old", 1);
        engine.Find("dockervm-pool-old")!.Labels.Remove(PoolNames.PoolLabel);

        var vm = await PoolTaker.TakeAsync(engine, "old", "job2", start: true, StartTimeout, Note, None);
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "old");

        Assert.Equal(("job2", VmState.Running), (vm.Name, vm.State));
        Assert.Contains(vm.ContainerId, engine.Containers.Where(c => c.Name == "job2").Select(c => c.Id));
    }

    [Fact]
    public async Task A_lost_rename_race_moves_on_to_the_next_waiting_vm()
    {
        var engine = NewEngine();
        await DefineAsync(engine, "r", 2);
        var first = true;
        string? stolen = null;
        // Another process renames the waiting VM just before ours arrives: ours finds no such name.
        engine.Before("rename", call =>
        {
            if (first && call.Target.StartsWith("dockervm-pool-r-", StringComparison.Ordinal))
            {
                first = false;
                var c = engine.Find(call.Target)!;
                stolen = c.Id;
                c.Name = "other-process";
            }
        });

        var vm = await PoolTaker.TakeAsync(engine, "r", "mine", start: true, StartTimeout, Note, None);

        Assert.NotNull(stolen);
        Assert.NotEqual(stolen, vm.ContainerId);
        Assert.Equal("mine", engine.Find(vm.ContainerId)!.Name);
        Assert.Equal("other-process", engine.Find(stolen!)!.Name);
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "r");
    }

    [Fact]
    public async Task A_claim_renamed_again_after_ours_is_lost_and_the_next_is_taken()
    {
        // Two renames that looked the name up at once can both succeed; the later one holds the container.
        var engine = NewEngine();
        await DefineAsync(engine, "q", 2);
        var first = true;
        engine.Before("inspect", call =>
        {
            if (first && engine.Find(call.Target) is { Name: "mine" } c)
            {
                first = false;
                c.Name = "late-winner";
            }
        });

        var vm = await PoolTaker.TakeAsync(engine, "q", "mine", start: false, StartTimeout, Note, None);

        Assert.Equal("mine", engine.Find(vm.ContainerId)!.Name);
        Assert.NotNull(engine.Find("late-winner"));
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "q");
    }

    [Fact]
    public async Task Concurrent_takers_never_get_the_same_vm()
    {
        var engine = NewEngine();
        await DefineAsync(engine, "c", 4);
        var vms = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            Task.Run(() => PoolTaker.TakeAsync(engine, "c", "job" + i, true, StartTimeout, Note, None))));
        Assert.Equal(4, vms.Select(v => v.ContainerId).Distinct().Count());
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "c");
    }

    [Fact]
    public async Task An_empty_pool_creates_cold_with_the_pools_options()
    {
        var engine = NewEngine();
        await DefineAsync(engine, "e", 0);

        var vm = await PoolTaker.TakeAsync(engine, "e", "cold1", start: true, StartTimeout, Note, None);

        Assert.Equal(VmState.Running, vm.State);
        var c = engine.Find("cold1")!;
        Assert.Equal(("e", "ci"), (c.Labels[PoolNames.PoolLabel], c.Labels["team"]));
        Assert.Contains(Log.ToArray(), l => l.Contains("'e': empty; created 'cold1' cold"));
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "e");
    }

    [Fact]
    public async Task A_missing_pool_is_PoolNotFound_and_nothing_is_created()
    {
        var engine = NewEngine();
        var e = await Assert.ThrowsAsync<DockerVmException>(() => PoolTaker.TakeAsync(engine, "none", "x1", false, StartTimeout, Note, None));
        Assert.Equal(("DockerVmPoolNotFound", DockerVmErrorKind.PoolNotFound), (e.ErrorId, e.Kind));
        Assert.Empty(engine.Containers);
    }

    [Fact]
    public async Task Top_up_grows_shrinks_and_clears_what_a_dead_process_left()
    {
        var engine = NewEngine();
        var pool = await DefineAsync(engine, "u", 2);
        // A replenish whose process died: a staging container of a creator that is gone, and one half way to removal.
        var staging = engine.Add("dockervm-pool-u.new-0badc0de");
        staging.Labels[PoolNames.PoolLabel] = "u";
        staging.Labels[Labels.CreatedBy] = new Creator("someone", Environment.MachineName, 999999, 1).ToString();
        var doomed = engine.Add("dockervm-pool-u.rm-0badc0de", "running");
        doomed.Labels[PoolNames.PoolLabel] = "u";
        // A waiting VM not in the staging state (stopped by hand).
        Waiting(engine, "u")[0].Status = "exited";

        pool = await PoolCatalog.ResizeAsync(engine, pool, 4, None);
        var ready = await PoolFiller.TopUpAsync(engine, pool, Note, None);

        Assert.Equal(4, ready);
        Assert.Equal(4, Waiting(engine, "u").Count);
        Assert.All(Waiting(engine, "u"), c => Assert.Equal("running", c.Status));
        Assert.DoesNotContain(engine.Containers, c => c.Name.Contains(".new-") || c.Name.Contains(".rm-"));
        Assert.Equal(4, (await PoolCatalog.GetAsync(engine, "u", None)).Size);
        Assert.Single(engine.Containers, c => c.Labels.ContainsKey(PoolNames.DefinitionLabel));

        pool = await PoolCatalog.ResizeAsync(engine, pool, 1, None);
        Assert.Equal(1, await PoolFiller.TopUpAsync(engine, pool, Note, None));
        Assert.Single(Waiting(engine, "u"));
    }

    [Fact]
    public async Task Emptying_removes_waiting_vms_and_leaves_taken_ones()
    {
        var engine = NewEngine();
        await DefineAsync(engine, "x", 2);
        var taken = await PoolTaker.TakeAsync(engine, "x", "keep", true, StartTimeout, Note, None);
        Replenisher.WaitAll(TimeSpan.FromSeconds(10), "x");

        await PoolCatalog.RemoveMarkersAsync(engine, "x", null, None);
        var removed = await PoolFiller.EmptyAsync(engine, "x", Note, None);

        Assert.Equal(2, removed);
        Assert.Equal(new[] { "keep" }, engine.Containers.Select(c => c.Name));
        Assert.Equal("running", engine.Find(taken.ContainerId)!.Status);
        Assert.Null(await PoolCatalog.FindAsync(engine, "x", None));
    }
}
