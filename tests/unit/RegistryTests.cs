using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// VmRegistry through the fake CLI. The registry is process-wide, so each test uses a context
/// of its own: (Context, Name) keys never collide between tests.
/// </summary>
[Collection(FakeCliCollection.Name)]
public class RegistryTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static string NewContext() => "unit-" + Guid.NewGuid().ToString("N").Substring(0, 8);

    [Fact]
    public async Task Listing_makes_one_ps_and_one_inspect_however_many_vms()
    {
        using var fake = new FakeDocker();
        var context = NewContext();
        fake.On("ps", stdout: "173d9d4326ab\n44908395aad7\n").OnInspect("two.json");
        var engine = fake.Cli(context);

        var vms = await VmRegistry.ListAsync(engine, None);

        Assert.Equal(new[] { "unitfix-exited", "unitfix-running" }, vms.Select(v => v.Name));
        Assert.Equal(new[] { VmState.Stopped, VmState.Running }, vms.Select(v => v.State));
        Assert.All(vms, v => Assert.Equal(context, v.Context));
        Assert.Equal(new[]
        {
            new[] { "--context", context, "ps", "--all", "--quiet", "--no-trunc", "--filter", "label=dockervm.managed=true" },
            new[] { "--context", context, "inspect", "--type", "container", "173d9d4326ab", "44908395aad7" },
        }, fake.Calls());
    }

    [Fact]
    public async Task The_same_vm_is_the_same_object()
    {
        using var fake = new FakeDocker();
        var pausedLater = Fixtures.Read("running.json")
            .Replace("\"Status\": \"running\"", "\"Status\": \"paused\"").Replace("\"Paused\": false", "\"Paused\": true");
        fake.On("ps", stdout: "173d9d4326ab\n").OnInspect("running.json", call: 1).On("inspect", stdout: pausedLater, call: 2);
        var engine = fake.Cli(NewContext());

        var first = Assert.Single(await VmRegistry.ListAsync(engine, None));
        var second = Assert.Single(await VmRegistry.ListAsync(engine, None));

        Assert.Same(first, second);
        Assert.Equal("unitfix-running", first.Name);
        Assert.Equal(VmState.Suspended, first.State); // updated to the engine's latest word
    }

    [Fact]
    public async Task Containers_not_managed_by_DockerVm_are_left_out()
    {
        using var fake = new FakeDocker();
        fake.On("ps", stdout: "3bf128544b8c\n")
            .On("inspect", stdout: Fixtures.Read("created.json").Replace("\"dockervm.managed\": \"true\"", "\"dockervm.managed\": \"false\""));

        Assert.Empty(await VmRegistry.ListAsync(fake.Cli(NewContext()), None));
    }

    [Fact]
    public async Task Find_uses_one_inspect_and_marks_vanished_vms_Deleted()
    {
        using var fake = new FakeDocker();
        var engine = fake.Cli(NewContext());
        var gone = new DockerVmInstance(engine, "unitfix-nosuch", "img");
        gone.Apply(DockerVm.Engine.ContainerInfo.ParseArray(Fixtures.Read("created.json")).Single());
        VmRegistry.Track(gone);
        fake.On("inspect", stdout: Fixtures.Read("partial.json"), stderr: "Error response from daemon: No such container: unitfix-nosuch\n", exit: 1);

        var found = await VmRegistry.FindAsync(engine, new[] { "unitfix-running", "unitfix-nosuch" }, None);

        Assert.Equal("unitfix-running", Assert.Single(found).Name);
        Assert.Equal(VmState.Deleted, gone.State);
        Assert.Equal(new[] { "inspect", "--type", "container", "unitfix-running", "unitfix-nosuch" }, fake.SingleCall().Skip(2));
    }
}
