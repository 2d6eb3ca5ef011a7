using System.Text.RegularExpressions;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// The machine toolkit in the Core: checkpoint names, tags and labels, and copy, checkpoint and
/// restore on a DockerVmInstance against the in-memory engine.
/// </summary>
public class ToolkitInstanceTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTime When = new(2026, 11, 30, 12, 45, 0, DateTimeKind.Utc);
    private static readonly Regex DockerTag = new(@"\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z");

    /// <summary>A managed VM found on the engine (its options read back from its labels), in <paramref name="status"/>.</summary>
    private static async Task<(FakeEngine Engine, FakeContainer Container, DockerVmInstance Vm)> VmAsync(string status, string name = "web1")
    {
        var engine = new FakeEngine();
        var c = engine.Add(name, status, image: "fake/base");
        c.Labels[Labels.StopTimeout] = "3";
        c.Labels[Labels.PollingInterval] = "10";
        c.Labels[Labels.Command] = Labels.EncodeCommand(new[] { "sleep", "1d" });
        c.Labels["team"] = "qa";
        c.Labels["dockervm.test"] = "run-1";
        c.Command.AddRange(new[] { "sleep", "1d" });
        var info = Assert.Single(await engine.InspectAsync(new[] { c.Id }, None));
        return (engine, c, DockerVmInstance.FromContainer(engine, info));
    }

    private static string[] ChangesOf(FakeEngine engine, int skip = 0) =>
        engine.Calls.Skip(skip).Select(c => c.Operation).Where(o => o is not ("inspect" or "ps" or "images")).ToArray();

    // ---- names, tags, labels ----------------------------------------------------------------

    [Fact]
    public void The_default_name_is_the_time_to_the_second()
    {
        Assert.Equal("20261130-124500", Checkpoints.DefaultName(When));
    }

    [Theory]
    [InlineData("v1", true)]
    [InlineData("before upgrade (2)", true)]
    [InlineData("日本語", true)]
    [InlineData("", false)]
    [InlineData(" padded", false)]
    [InlineData("padded ", false)]
    [InlineData("line\nbreak", false)]
    [InlineData("star*", false)]
    [InlineData("q?", false)]
    [InlineData("[a]", false)]
    public void Checkpoint_names(string name, bool valid)
    {
        Assert.Equal(valid, Checkpoints.IsValidName(name));
        if (!valid)
        {
            var e = Assert.Throws<DockerVmException>(() => Checkpoints.ValidateName(name, "web1"));
            Assert.Equal("DockerVmInvalidName", e.ErrorId);
        }
        Assert.False(Checkpoints.IsValidName(new string('a', 129)));
        Assert.True(Checkpoints.IsValidName(new string('a', 128)));
    }

    [Theory]
    [InlineData("web1", "v1")]
    [InlineData("Web.1_x-y", "before upgrade (2) 日本")]
    [InlineData("a", "$(rm -rf /);`\"'")]
    public void A_tag_is_a_valid_docker_tag_naming_vm_and_checkpoint(string vm, string name)
    {
        var tag = Checkpoints.Tag(vm, name);

        Assert.Matches(DockerTag, tag);
        Assert.StartsWith(Regex.Replace(vm, "[^A-Za-z0-9_.-]", "-") + "_", tag);
        Assert.Equal(tag, Checkpoints.Tag(vm, name)); // stable
    }

    [Fact]
    public void Tags_never_collide_and_stay_within_128_characters()
    {
        Assert.NotEqual(Checkpoints.Tag("a_b", "c"), Checkpoints.Tag("a", "b_c"));
        Assert.NotEqual(Checkpoints.Tag("a", "x y"), Checkpoints.Tag("a", "x-y"));
        var longTag = Checkpoints.Tag(new string('v', 200), new string('n', 128));
        Assert.Matches(DockerTag, longTag);
        Assert.Equal(128, longTag.Length);
        Assert.NotEqual(longTag, Checkpoints.Tag(new string('v', 200), new string('n', 127)));
    }

    [Fact]
    public void A_checkpoint_image_blanks_every_label_of_a_managed_vm_and_carries_its_own()
    {
        var labels = Checkpoints.ImageLabels("web1", "v1", When, "ctx", "fake/base", "abc");

        foreach (var reserved in Labels.Reserved)
        {
            Assert.Equal("", labels[reserved]);
        }
        Assert.Equal("true", labels["dockervm.checkpoint"]);
        Assert.Equal("web1", labels["dockervm.checkpoint.vm"]);
        Assert.Equal("v1", labels["dockervm.checkpoint.name"]);
        Assert.Equal("2026-11-30T12:45:00.0000000Z", labels["dockervm.checkpoint.created"]);
        Assert.Equal("ctx", labels["dockervm.checkpoint.context"]);
        Assert.Equal("fake/base", labels["dockervm.checkpoint.image"]);
        Assert.Equal("abc", labels["dockervm.checkpoint.container"]);
    }

    [Fact]
    public void An_image_is_a_checkpoint_only_with_its_labels()
    {
        var labels = new Dictionary<string, string>
        {
            ["dockervm.checkpoint"] = "true", ["dockervm.checkpoint.vm"] = "web1", ["dockervm.checkpoint.name"] = "v1",
            ["dockervm.checkpoint.created"] = "2026-11-30T12:45:00.0000000Z", ["dockervm.checkpoint.image"] = "fake/base",
        };
        var image = new ImageInfo { Id = "sha256:1", RepoTags = new[] { "other:x", "dockervm-checkpoint:web1_v1_00000000" }, Labels = labels };

        var cp = Checkpoints.From(image, "ctx")!;

        Assert.Equal(("web1", "v1", "sha256:1", When, "ctx", "dockervm-checkpoint:web1_v1_00000000", "fake/base"),
            (cp.VMName, cp.Name, cp.ImageId, cp.CreatedAt, cp.Context, cp.ImageReference, cp.SourceImage));
        Assert.Equal(DateTimeKind.Utc, cp.CreatedAt.Kind);
        Assert.Equal("v1", cp.ToString());
        Assert.Equal("sha256:1", Checkpoints.From(new ImageInfo { Id = "sha256:1", Labels = labels }, "")!.ImageReference);
        Assert.Null(Checkpoints.From(new ImageInfo { Id = "sha256:2" }, ""));
        Assert.Null(Checkpoints.From(new ImageInfo { Id = "sha256:3", Labels = new Dictionary<string, string>(labels) { ["dockervm.checkpoint"] = "" } }, ""));
    }

    // ---- copy -----------------------------------------------------------------------------

    [Fact]
    public async Task A_missing_host_source_is_PathNotFound_before_any_engine_call()
    {
        var (engine, _, vm) = await VmAsync("running");
        var mark = engine.Calls.Count;

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.CopyAsync(new CopySpec
        {
            Direction = CopyDirection.ToContainer, HostPath = "/nonexistent-" + Guid.NewGuid().ToString("N"), ContainerPath = "/tmp",
        }, None));
        var folder = await Assert.ThrowsAsync<DockerVmException>(() => vm.CopyAsync(new CopySpec
        {
            Direction = CopyDirection.ToContainer, HostPath = "/nonexistent-" + Guid.NewGuid().ToString("N") + "/.", ContainerPath = "/tmp",
        }, None));
        var outTo = await Assert.ThrowsAsync<DockerVmException>(() => vm.CopyAsync(new CopySpec
        {
            Direction = CopyDirection.FromContainer, HostPath = "/nonexistent-" + Guid.NewGuid().ToString("N") + "/f", ContainerPath = "/etc/hosts",
        }, None));

        Assert.All(new[] { e, folder, outTo }, x => Assert.Equal(DockerVmErrorKind.PathNotFound, x.Kind));
        Assert.Contains("does not exist on the host", e.Message);
        Assert.Equal(mark, engine.Calls.Count);
    }

    [Fact]
    public async Task A_path_missing_in_the_vm_is_PathNotFound_naming_the_vm_and_path()
    {
        var (engine, c, vm) = await VmAsync("exited");

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.CopyAsync(new CopySpec
        {
            Direction = CopyDirection.FromContainer, HostPath = Path.GetTempPath(), ContainerPath = "/nope",
        }, None));

        Assert.Equal(DockerVmErrorKind.PathNotFound, e.Kind);
        Assert.Equal("web1", e.VmName);
        Assert.Contains("'/nope'", e.Message);
        Assert.Contains("VM 'web1'", e.Message);
        Assert.Equal(("cp", c.Id), (engine.Calls.Last().Operation, engine.Calls.Last().Target));
        Assert.Equal(VmState.Stopped, vm.State);
    }

    [Fact]
    public async Task A_copy_to_a_vm_whose_container_is_gone_is_NotFound_and_the_vm_Deleted()
    {
        var (engine, c, vm) = await VmAsync("running");
        engine.Containers.Remove(c);
        var file = Path.GetTempFileName();
        try
        {
            var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.CopyAsync(new CopySpec
            {
                Direction = CopyDirection.ToContainer, HostPath = file, ContainerPath = "/tmp/",
            }, None));

            Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
            Assert.Equal(VmState.Deleted, vm.State);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("exited")]
    [InlineData("running")]
    [InlineData("paused")]
    public async Task Copy_works_in_any_state_with_a_container_and_leaves_the_state(string status)
    {
        var (engine, c, vm) = await VmAsync(status);
        var before = vm.State;
        var file = Path.GetTempFileName();
        File.WriteAllBytes(file, new byte[] { 0, 1, 2, 255 });
        try
        {
            await vm.CopyAsync(new CopySpec { Direction = CopyDirection.ToContainer, HostPath = file, ContainerPath = "/tmp/" }, None);

            Assert.Equal(new byte[] { 0, 1, 2, 255 }, c.Files["/tmp/" + Path.GetFileName(file)]);
            Assert.Equal(before, vm.State);
        }
        finally
        {
            File.Delete(file);
        }
    }

    // ---- checkpoint -------------------------------------------------------------------------

    [Theory]
    [InlineData("running", VmState.Running)]
    [InlineData("exited", VmState.Stopped)]
    [InlineData("paused", VmState.Suspended)]
    public async Task Checkpoint_commits_the_container_by_id_and_leaves_the_state(string status, VmState state)
    {
        var (engine, c, vm) = await VmAsync(status);

        var cp = await vm.CheckpointAsync("v1", When, nextFreeName: false, None);

        Assert.Equal(state, vm.State);
        var image = Assert.Single(engine.LocalImages);
        Assert.Equal(("web1", "v1", image.Id, When, "", "dockervm-checkpoint:" + Checkpoints.Tag("web1", "v1"), "fake/base"),
            (cp.VMName, cp.Name, cp.ImageId, cp.CreatedAt, cp.Context, cp.ImageReference, cp.SourceImage));
        var commit = engine.Calls.Single(x => x.Operation == "commit");
        Assert.Equal(c.Id, commit.Target);
        Assert.True(((CommitSpec)commit.Detail!).Pause);
        // Not a managed VM's image: every reserved label blank; the user's labels stay.
        Assert.Equal("", image.Labels[Labels.Managed]);
        Assert.Equal("qa", image.Labels["team"]);
        Assert.Equal("run-1", image.Labels["dockervm.test"]);
        Assert.Equal(cp.ImageId, Assert.Single(await Checkpoints.ListAsync(engine, "web1", None)).ImageId);
    }

    [Fact]
    public async Task A_name_taken_is_NameConflict_and_a_default_name_taken_gets_a_suffix()
    {
        var (engine, _, vm) = await VmAsync("running");
        await vm.CheckpointAsync("v1", When, nextFreeName: false, None);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.CheckpointAsync("v1", When, nextFreeName: false, None));
        var second = await vm.CheckpointAsync("v1", When, nextFreeName: true, None);
        var third = await vm.CheckpointAsync("v1", When, nextFreeName: true, None);

        Assert.Equal("DockerVmNameConflict", e.ErrorId);
        Assert.Equal(("v1-2", "v1-3"), (second.Name, third.Name));
        Assert.Equal(3, engine.LocalImages.Count);
    }

    [Fact]
    public async Task Checkpoint_of_a_vm_whose_container_is_gone_is_NotFound()
    {
        var (engine, c, vm) = await VmAsync("running");
        engine.Containers.Remove(c);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.CheckpointAsync("v1", When, false, None));

        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
        Assert.Equal(VmState.Deleted, vm.State);
        Assert.Empty(engine.LocalImages);
    }

    [Fact]
    public async Task Checkpoints_of_a_deleted_vm_are_still_listed()
    {
        var (engine, c, vm) = await VmAsync("exited");
        await vm.CheckpointAsync("v1", When, false, None);
        await vm.DeleteAsync(force: true, None);

        var cp = Assert.Single(await Checkpoints.ListAsync(engine, null, None));

        Assert.Equal(("web1", "v1"), (cp.VMName, cp.Name));
        Assert.Equal(cp.ImageId, (await Checkpoints.FindAsync(engine, "web1", "v1", None)).ImageId);
        var missing = await Assert.ThrowsAsync<DockerVmException>(() => Checkpoints.FindAsync(engine, "web1", "v2", None));
        Assert.Equal("DockerVmCheckpointNotFound", missing.ErrorId);
    }

    // ---- restore ----------------------------------------------------------------------------

    [Theory]
    [InlineData("exited", new[] { "create", "rm", "rename" })]
    [InlineData("paused", new[] { "create", "rm", "rename" })]
    [InlineData("running", new[] { "create", "stop", "rm", "rename" })]
    public async Task Restore_replaces_the_container_keeping_name_and_options_and_ends_Stopped(string status, string[] operations)
    {
        var (engine, old, vm) = await VmAsync(status);
        old.Files["/root/state"] = new byte[] { 1 };
        var cp = await vm.CheckpointAsync("v1", When, false, None);
        old.Files["/root/state"] = new byte[] { 2 };
        var mark = engine.Calls.Count;

        await vm.RestoreAsync(cp, None);

        Assert.Equal(operations, ChangesOf(engine, mark));
        var now = Assert.Single(engine.Containers);
        Assert.NotEqual(old.Id, now.Id);
        Assert.Equal(("web1", VmState.Stopped, now.Id, cp.ImageReference), (now.Name, vm.State, vm.ContainerId, vm.Image));
        Assert.Equal(cp.ImageReference, now.Image);
        // The options its labels recorded, and the managed labels over the image's blank ones.
        Assert.Equal("true", now.Labels[Labels.Managed]);
        Assert.Equal("3", now.Labels[Labels.StopTimeout]);
        Assert.Equal("10", now.Labels[Labels.PollingInterval]);
        Assert.Equal(cp.ImageReference, now.Labels[Labels.Image]);
        Assert.Equal("qa", now.Labels["team"]);
        Assert.Equal(new[] { "sleep", "1d" }, now.Command);
        var create = (CreateSpec)engine.Calls.Skip(mark).First(x => x.Operation == "create").Detail!;
        Assert.Equal(vm.RestoringName, create.Name);
        Assert.Equal(new FakeCall("rename", now.Id, "web1"), engine.Calls.Last(x => x.Operation == "rename"));
    }

    [Fact]
    public async Task The_restore_plan_is_what_runs()
    {
        var (engine, old, vm) = await VmAsync("running");
        var cp = await vm.CheckpointAsync("v1", When, false, None);

        var plan = vm.PlanRestore(cp);

        Assert.Equal(new[] { "CreateRequest", "StopRequest", "RemoveRequest", "RenameRequest" }, plan.Requests.Select(r => r.GetType().Name));
        Assert.Equal(vm.RestoringName, ((CreateRequest)plan.Requests[0]).Spec.Name);
        Assert.Equal(cp.ImageReference, ((CreateRequest)plan.Requests[0]).Spec.Image);
        Assert.Equal(old.Id, plan.Requests[1].Target);
        Assert.True(((RemoveRequest)plan.Requests[2]).Force);
        Assert.Equal(("web1-restoring", "web1"), (plan.Requests[3].Target, ((RenameRequest)plan.Requests[3]).NewName));
    }

    [Fact]
    public async Task A_failed_create_leaves_the_vm_as_it_was_and_nothing_behind()
    {
        var (engine, old, vm) = await VmAsync("running");
        var cp = await vm.CheckpointAsync("v1", When, false, None);
        engine.Fail("create", Failures.FromEngine(DockerVmErrorKind.CommandFailed, "web1-restoring", "fake create", 125, "boom"));
        // The failed create made its container all the same: the restore removes it (by its create token).
        engine.Before("create", call =>
        {
            var spec = (CreateSpec)call.Detail!;
            engine.Add(spec.Name).Labels[Labels.CreateToken] = spec.Labels[Labels.CreateToken];
        });

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.RestoreAsync(cp, None));

        Assert.Contains("boom", e.Message);
        Assert.Equal(old.Id, Assert.Single(engine.Containers).Id);
        Assert.Equal(("running", VmState.Running, old.Id), (old.Status, vm.State, vm.ContainerId));
    }

    [Fact]
    public async Task A_checkpoint_gone_before_the_create_is_CheckpointNotFound()
    {
        var (engine, old, vm) = await VmAsync("exited");
        var cp = await vm.CheckpointAsync("v1", When, false, None);
        engine.LocalImages.Clear();
        engine.Images = new HashSet<string>();

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.RestoreAsync(cp, None));

        Assert.Equal("DockerVmCheckpointNotFound", e.ErrorId);
        Assert.Equal(old.Id, Assert.Single(engine.Containers).Id);
        Assert.Equal(VmState.Stopped, vm.State);
    }

    [Fact]
    public async Task A_failed_removal_of_the_old_container_removes_the_new_one_again()
    {
        var (engine, old, vm) = await VmAsync("exited");
        var cp = await vm.CheckpointAsync("v1", When, false, None);
        engine.Fail("rm", Failures.FromEngine(DockerVmErrorKind.CommandFailed, old.Id, "fake rm", 1, "device busy"));

        await Assert.ThrowsAsync<DockerVmException>(() => vm.RestoreAsync(cp, None));

        Assert.Equal(old.Id, Assert.Single(engine.Containers).Id);
        Assert.Equal(VmState.Stopped, vm.State);
        Assert.Equal(old.Id, vm.ContainerId);
    }

    [Fact]
    public async Task Restore_of_a_vm_that_no_longer_exists_says_how_to_recreate_it()
    {
        var (engine, old, vm) = await VmAsync("exited");
        var cp = await vm.CheckpointAsync("v1", When, false, None);
        engine.Containers.Remove(old);
        var mark = engine.Calls.Count;

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.RestoreAsync(cp, None));

        Assert.Equal("DockerVmNotFound", e.ErrorId);
        Assert.Contains("New-DockerVm -Checkpoint", e.RecommendedAction);
        Assert.Empty(ChangesOf(engine, mark));
        Assert.Equal(VmState.Deleted, vm.State);
    }

    [Fact]
    public async Task Restore_is_refused_in_a_transient_state_before_any_change()
    {
        var (engine, c, vm) = await VmAsync("restarting");
        var cp = new DockerVmCheckpoint { VMName = "web1", Name = "v1", ImageReference = "dockervm-checkpoint:x", ImageId = "sha256:x" };
        var mark = engine.Calls.Count;

        var e = await Assert.ThrowsAsync<DockerVmException>(() => vm.RestoreAsync(cp, None));

        Assert.Equal("DockerVmInvalidTransition", e.ErrorId);
        Assert.Empty(ChangesOf(engine, mark));
    }

    [Fact]
    public async Task A_checkpoint_a_vm_was_restored_from_cannot_be_removed_until_the_vm_goes()
    {
        var (engine, _, vm) = await VmAsync("exited");
        var cp = await vm.CheckpointAsync("v1", When, false, None);
        await vm.RestoreAsync(cp, None);

        var inUse = await Assert.ThrowsAsync<DockerVmException>(() => Checkpoints.RemoveAsync(engine, cp, None));
        await vm.DeleteAsync(force: true, None);
        await Checkpoints.RemoveAsync(engine, cp, None);
        var gone = await Assert.ThrowsAsync<DockerVmException>(() => Checkpoints.RemoveAsync(engine, cp, None));

        Assert.Contains("still uses it", inUse.Message);
        Assert.Empty(engine.LocalImages);
        Assert.Equal("DockerVmCheckpointNotFound", gone.ErrorId);
        Assert.Contains("VM 'web1' has no checkpoint named 'v1'", gone.Message);
    }
}
