using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// VmRegistry against the in-memory engine. The registry is process-wide, so each test uses an
/// engine under a context of its own: (Context, Name) keys never collide between tests, and the
/// tests run in parallel with everything else.
/// </summary>
public class RegistryTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static FakeEngine NewEngine() => new("unit-" + Guid.NewGuid().ToString("N").Substring(0, 8));

    [Fact]
    public async Task Listing_makes_one_ps_and_one_inspect_however_many_vms()
    {
        var engine = NewEngine();
        var statuses = new[] { "created", "running", "paused", "exited", "dead", "restarting", "created", "running" };
        for (var i = 0; i < statuses.Length; i++)
        {
            engine.Add($"vm{i}", statuses[i]);
        }
        engine.Add("not-ours", "running", managed: false);

        var vms = await VmRegistry.ListAsync(engine, None);

        Assert.Equal(statuses.Select((_, i) => $"vm{i}"), vms.Select(v => v.Name));
        Assert.Equal(new[]
        {
            VmState.Stopped, VmState.Running, VmState.Suspended, VmState.Stopped,
            VmState.ErrorUnknown, VmState.Starting, VmState.Stopped, VmState.Running,
        }, vms.Select(v => v.State));
        Assert.All(vms, v => Assert.Equal(engine.Context, v.Context));
        Assert.Equal(engine.Containers.Where(c => c.Name != "not-ours").Select(c => c.Id).OrderBy(x => x),
            vms.Select(v => v.ContainerId).OrderBy(x => x));
        Assert.Equal(new[] { "ps", "inspect" }, engine.Operations);
        Assert.Equal(Labels.ManagedFilter, engine.Calls[0].Target);
    }

    [Fact]
    public async Task An_engine_with_no_vms_lists_none()
    {
        var engine = NewEngine();

        Assert.Empty(await VmRegistry.ListAsync(engine, None));
    }

    [Fact]
    public async Task Containers_not_managed_by_DockerVm_are_left_out()
    {
        var engine = NewEngine();
        var c = engine.Add("half-ours", "created", managed: false);
        c.Labels[Labels.Managed] = "false"; // the ps filter would not even select it; the listing checks again

        Assert.Empty(await VmRegistry.ListAsync(engine, None));
        Assert.Empty(await VmRegistry.FindAsync(engine, new[] { "half-ours" }, None));
    }

    [Fact]
    public async Task The_same_vm_is_the_same_object_updated_to_the_engines_latest_word()
    {
        var engine = NewEngine();
        var c = engine.Add("vm1", "running");

        var first = Assert.Single(await VmRegistry.ListAsync(engine, None));
        c.Status = "paused"; // paused elsewhere
        var second = Assert.Single(await VmRegistry.ListAsync(engine, None));
        var found = Assert.Single(await VmRegistry.FindAsync(engine, new[] { "vm1" }, None));

        Assert.Same(first, second);
        Assert.Same(first, found);
        Assert.Equal(VmState.Suspended, first.State);
    }

    [Fact]
    public async Task A_vm_cloned_in_this_session_is_the_object_the_listing_returns()
    {
        var engine = NewEngine();
        var vm = VmRegistry.Track(new DockerVmInstance(engine, "made-here", "fake/image"));
        await vm.CloneAsync(None);

        Assert.Same(vm, Assert.Single(await VmRegistry.ListAsync(engine, None)));
        Assert.Same(vm, Assert.Single(await VmRegistry.FindAsync(engine, new[] { "made-here" }, None)));
    }

    [Fact]
    public async Task The_same_name_on_two_contexts_is_two_vms()
    {
        var a = NewEngine();
        var b = NewEngine();
        a.Add("vm1", "running");
        b.Add("vm1", "created");

        var onA = Assert.Single(await VmRegistry.ListAsync(a, None));
        var onB = Assert.Single(await VmRegistry.ListAsync(b, None));

        Assert.NotSame(onA, onB);
        Assert.Equal((VmState.Running, a.Context), (onA.State, onA.Context));
        Assert.Equal((VmState.Stopped, b.Context), (onB.State, onB.Context));
    }

    [Fact]
    public async Task Find_uses_one_inspect_and_marks_vanished_vms_Deleted()
    {
        var engine = NewEngine();
        engine.Add("vm-running", "running");
        var doomed = engine.Add("vm-gone", "created");
        var gone = Assert.Single(await VmRegistry.FindAsync(engine, new[] { "vm-gone" }, None));
        engine.Containers.Remove(doomed); // removed elsewhere
        var mark = engine.Calls.Count;

        var found = await VmRegistry.FindAsync(engine, new[] { "vm-running", "vm-gone" }, None);

        Assert.Equal("vm-running", Assert.Single(found).Name);
        Assert.Equal(VmState.Deleted, gone.State);
        Assert.Equal(new[] { new FakeCall("inspect", "vm-running,vm-gone") }, engine.Calls.Skip(mark));
    }

    [Fact]
    public async Task Find_marks_a_known_vm_Deleted_when_its_name_now_belongs_to_a_container_DockerVm_does_not_manage()
    {
        var engine = NewEngine();
        var old = engine.Add("vm1", "running");
        var known = Assert.Single(await VmRegistry.ListAsync(engine, None));
        engine.Containers.Remove(old);
        var stranger = engine.Add("vm1", "running", managed: false);

        Assert.Empty(await VmRegistry.FindAsync(engine, new[] { "vm1" }, None));

        Assert.Equal(VmState.Deleted, known.State);
        Assert.Equal(old.Id, known.ContainerId); // still its own container, not the stranger's
        Assert.Equal("running", stranger.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_new_container_under_a_known_name_replaces_the_known_vm(bool byFind)
    {
        var engine = NewEngine();
        var old = engine.Add("vm1", "running");
        var known = Assert.Single(await VmRegistry.ListAsync(engine, None));
        engine.Containers.Remove(old);
        var reborn = engine.Add("vm1", "created");

        var now = Assert.Single(byFind
            ? await VmRegistry.FindAsync(engine, new[] { "vm1" }, None)
            : await VmRegistry.ListAsync(engine, None));

        Assert.NotSame(known, now);
        Assert.Equal(reborn.Id, now.ContainerId);
        Assert.Equal(VmState.Stopped, now.State);
        Assert.Equal(old.Id, known.ContainerId); // the old object still means the old container
        Assert.Same(now, Assert.Single(await VmRegistry.ListAsync(engine, None)));
    }

    [Fact]
    public async Task A_listing_during_an_action_never_overwrites_it()
    {
        var engine = NewEngine();
        var c = engine.Add("vm1", "running");
        var vm = Assert.Single(await VmRegistry.ListAsync(engine, None));
        VmState? listedDuring = null;
        VmState? stateDuring = null;
        engine.Before("stop", _ =>
        {
            // another runspace lists while the stop is in flight: the engine still says running
            var listed = Task.Run(() => VmRegistry.ListAsync(engine, None)).GetAwaiter().GetResult();
            listedDuring = Assert.Single(listed).State;
            stateDuring = vm.State;
        });

        await vm.StopAsync(null, None);

        Assert.Equal(VmState.Stopping, listedDuring);
        Assert.Equal(VmState.Stopping, stateDuring);
        Assert.Equal(VmState.Stopped, vm.State);
        Assert.Equal("exited", c.Status);
    }

    [Fact]
    public async Task A_read_made_before_an_action_is_not_applied_after_it()
    {
        var engine = NewEngine();
        var c = engine.Add("vm1", "running");
        var vm = Assert.Single(await VmRegistry.ListAsync(engine, None));
        // a listing reads the engine (running) ...
        var epochs = new Dictionary<string, long> { ["vm1"] = vm.Epoch };
        var stale = Assert.Single(await engine.InspectAsync(new[] { c.Id }, None));
        // ... an action runs to its end ...
        await vm.SuspendAsync(None);
        // ... and only then does the listing take what it read.
        var same = VmRegistry.FromContainer(engine, stale, epochs);

        Assert.Same(vm, same);
        Assert.Equal(VmState.Suspended, vm.State);
        // the next listing reads afresh and is taken
        c.Status = "running"; // resumed elsewhere
        Assert.Equal(VmState.Running, Assert.Single(await VmRegistry.ListAsync(engine, None)).State);
    }
}
