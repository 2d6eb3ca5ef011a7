using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// dockerd may handle containerd's event of a pause after the unpause that followed it has
/// returned, and report "paused" for some milliseconds more (seen in the E2E suite on the API
/// transport, where pause and unpause come milliseconds apart). A resume must not fail on that.
/// </summary>
public class LatePauseEventTests
{
    private static async Task<(FakeEngine Engine, FakeContainer Container, DockerVmInstance Vm)> PausedAsync()
    {
        var engine = new FakeEngine();
        var container = engine.Add("late1", "paused");
        var info = (await engine.InspectAsync(new[] { container.Id }, default)).Single();
        return (engine, container, DockerVmInstance.FromContainer(engine, info));
    }

    [Fact]
    public async Task A_resume_waits_out_a_stale_paused_status()
    {
        var (engine, container, vm) = await PausedAsync();
        var looks = 0;
        engine.Before("inspect", _ => container.Status = ++looks <= 2 ? "paused" : "running");

        await vm.ResumeAsync(TimeSpan.FromMinutes(1), default);

        Assert.Equal(VmState.Running, vm.State);
        Assert.Equal(3, looks);
    }

    [Fact]
    public async Task A_pause_that_lasts_still_fails_the_resume()
    {
        var (engine, container, vm) = await PausedAsync();
        engine.Before("inspect", _ => container.Status = "paused"); // somebody paused it again, for good

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.ResumeAsync(TimeSpan.FromMinutes(1), default));

        Assert.Equal(DockerVmErrorKind.StartFailed, e.Kind);
        Assert.Contains("paused", e.Message);
    }
}
