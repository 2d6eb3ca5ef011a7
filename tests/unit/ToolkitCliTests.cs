using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// The CLI transport of the machine toolkit: docker cp, commit, rmi, rename and the image listing,
/// argv read back from the fake CLI, and docker's answers (captured from docker 28.2.2 against
/// engine 20.10 on this machine, and the newer wording of "No such container:path") mapped to the
/// contract's errors.
/// </summary>
[Collection(FakeCliCollection.Name)]
public class ToolkitCliTests
{
    private const string Id = "0b40024d453a0d8d5bba48939105d18722c254ad3338dcd81050dd23ea4ce228";
    private const string ImageId = "sha256:fc1c5e99c346705818d4abce7acebd30f21425ef2a0e28fbeb0fade9494e560d";
    private static readonly CancellationToken None = CancellationToken.None;

    private static CopySpec Into(string host, string inVm) => new() { Direction = CopyDirection.ToContainer, HostPath = host, ContainerPath = inVm };
    private static CopySpec OutOf(string inVm, string host) => new() { Direction = CopyDirection.FromContainer, HostPath = host, ContainerPath = inVm };

    [Fact]
    public async Task Copy_into_and_out_of_a_container_names_it_by_id_and_keeps_paths_verbatim()
    {
        using var fake = new FakeDocker();
        var cli = fake.Cli("ctx1");

        await cli.CopyAsync(Id, Into("/host/dir with space/名前.txt", "/tmp/"), None);
        await cli.CopyAsync(Id, OutOf("/var/log/.", "/host/out"), None);

        Assert.Equal(new[]
        {
            new[] { "--context", "ctx1", "cp", "/host/dir with space/名前.txt", Id + ":/tmp/" },
            new[] { "--context", "ctx1", "cp", Id + ":/var/log/.", "/host/out" },
        }, fake.Calls());
    }

    [Theory]
    [InlineData("Error response from daemon: Could not find the file /nope in container " + Id + "\n")]
    [InlineData("Error: No such container:path: " + Id + ":/nope\n")]
    [InlineData("time=\"2026-11-30T12:44:13Z\" level=error msg=\"Can't close tar writer: io: read/write on closed pipe\"\nError response from daemon: Could not find the file /nonexist/x in container " + Id + "\n")]
    [InlineData("no such directory\n")]
    [InlineData("invalid output path: directory \"/nonexist/dir\" does not exist\n")]
    [InlineData("lstat //nope: no such file or directory\n")]
    public async Task A_missing_path_of_a_copy_is_PathNotFound_not_a_missing_container(string stderr)
    {
        using var fake = new FakeDocker();
        fake.On("cp", stderr: stderr, exit: 1);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().CopyAsync(Id, OutOf("/nope", "/tmp/x"), None));

        Assert.Equal(DockerVmErrorKind.PathNotFound, e.Kind);
        Assert.Equal("DockerVmPathNotFound", e.ErrorId);
        Assert.Equal(stderr, e.StandardError);
        Assert.Contains("cp", e.CommandLine);
    }

    [Fact]
    public async Task A_copy_to_a_missing_container_is_NotFound()
    {
        using var fake = new FakeDocker();
        fake.On("cp", stderr: "Error response from daemon: No such container: " + Id + "\n", exit: 1);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().CopyAsync(Id, Into("/etc/hostname", "/tmp"), None));

        Assert.Equal(DockerVmErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task Commit_sets_the_labels_in_one_LABEL_instruction_quoted_for_docker_and_returns_the_image_id()
    {
        using var fake = new FakeDocker();
        fake.On("commit", stdout: ImageId + "\n");
        var spec = new CommitSpec
        {
            Repository = "dockervm-checkpoint",
            Tag = "web1_v1_0a1b2c3d",
            Labels = new Dictionary<string, string> { ["b"] = "say \"hi\" $HOME \\ ok", ["a"] = "", ["é"] = "日本" },
        };

        var id = await fake.Cli().CommitAsync(Id, spec, None);

        Assert.Equal(ImageId, id);
        Assert.Equal(new[]
        {
            "commit", "--change", "LABEL \"a\"=\"\" \"b\"=\"say \\\"hi\\\" \\$HOME \\\\ ok\" \"é\"=\"日本\"", Id, "dockervm-checkpoint:web1_v1_0a1b2c3d",
        }, fake.SingleCall());
    }

    [Fact]
    public async Task Commit_without_pause_and_without_labels()
    {
        using var fake = new FakeDocker();
        fake.On("commit", stdout: ImageId + "\n");

        await fake.Cli().CommitAsync(Id, new CommitSpec { Repository = "r", Tag = "t", Pause = false }, None);

        Assert.Equal(new[] { "commit", "--pause=false", Id, "r:t" }, fake.SingleCall());
    }

    [Fact]
    public async Task Commit_of_a_missing_container_is_NotFound_and_one_that_prints_no_id_is_unreadable()
    {
        using var fake = new FakeDocker();
        fake.On("commit", stderr: "Error response from daemon: No such container: nosuchctr\n", exit: 1, call: 1);
        fake.On("commit", stdout: "\n", call: 2);
        var spec = new CommitSpec { Repository = "r", Tag = "t" };

        Assert.Equal(DockerVmErrorKind.NotFound, (await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().CommitAsync("nosuchctr", spec, None))).Kind);
        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().CommitAsync(Id, spec, None));
        Assert.Equal(DockerVmErrorKind.CommandFailed, e.Kind);
        Assert.Contains("printed no image id", e.Message);
    }

    [Fact]
    public async Task Rmi_removes_the_reference_given()
    {
        using var fake = new FakeDocker();
        fake.On("rmi", stdout: "Untagged: dockervm-checkpoint:web1_v1_0a1b2c3d\nDeleted: " + ImageId + "\n");

        await fake.Cli().RemoveImageAsync("dockervm-checkpoint:web1_v1_0a1b2c3d", None);

        Assert.Equal(new[] { "rmi", "dockervm-checkpoint:web1_v1_0a1b2c3d" }, fake.SingleCall());
    }

    [Fact]
    public async Task Rmi_of_a_missing_image_is_CheckpointNotFound()
    {
        using var fake = new FakeDocker();
        fake.On("rmi", stderr: "Error response from daemon: No such image: dockervm-checkpoint:nosuch\n", exit: 1);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().RemoveImageAsync("dockervm-checkpoint:nosuch", None));

        Assert.Equal(DockerVmErrorKind.CheckpointNotFound, e.Kind);
        Assert.Equal("DockerVmCheckpointNotFound", e.ErrorId);
        Assert.Contains("dockervm-checkpoint:nosuch", e.Message);
    }

    [Theory]
    [InlineData("Error response from daemon: conflict: unable to remove repository reference \"dockervm-checkpoint:h8exp1\" (must force) - container 7b498e04a0aa is using its referenced image cb1f4aeb9ebc\n")]
    [InlineData("Error response from daemon: conflict: unable to delete cb1f4aeb9ebc (must be forced) - image is being used by stopped container 7b498e04a0aa\n")]
    public async Task Rmi_of_an_image_a_container_uses_is_refused_with_what_to_do(string stderr)
    {
        using var fake = new FakeDocker();
        fake.On("rmi", stderr: stderr, exit: 1);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().RemoveImageAsync("dockervm-checkpoint:h8exp1", None));

        Assert.Equal(DockerVmErrorKind.CommandFailed, e.Kind);
        Assert.Contains("a container still uses it", e.Message);
        Assert.Contains("Remove the VMs created or restored from this checkpoint", e.RecommendedAction);
        Assert.Equal(stderr, e.StandardError);
    }

    [Fact]
    public async Task Rename_and_its_conflict_and_a_missing_container()
    {
        using var fake = new FakeDocker();
        fake.On("rename", call: 1);
        fake.On("rename", stderr: "Error response from daemon: Error when allocating new name: Conflict. The container name \"/web1\" is already in use by container \"edf512917dbe\". You have to remove (or rename) that container to be able to reuse that name.\nError: failed to rename container named web1-restoring\n", exit: 1, call: 2);
        fake.On("rename", stderr: "Error response from daemon: No such container: nosuchctr\nError: failed to rename container named nosuchctr\n", exit: 1, call: 3);
        var cli = fake.Cli();

        await cli.RenameAsync(Id, "web1", None);
        var conflict = await Assert.ThrowsAsync<DockerVmException>(() => cli.RenameAsync(Id, "web1", None));
        var missing = await Assert.ThrowsAsync<DockerVmException>(() => cli.RenameAsync("nosuchctr", "web1", None));

        Assert.Equal(new[] { "rename", Id, "web1" }, fake.Calls()[0]);
        Assert.Equal(DockerVmErrorKind.NameConflict, conflict.Kind);
        Assert.Equal(DockerVmErrorKind.NotFound, missing.Kind);
    }

    private const string ImageA = """
          {
            "Id": "sha256:fc1c5e99c346705818d4abce7acebd30f21425ef2a0e28fbeb0fade9494e560d",
            "RepoTags": ["dockervm-checkpoint:h8-play1_v1_11539a68", "mine:latest"],
            "Created": "2026-11-30T12:44:19.9612345Z",
            "Size": 1980000,
            "Config": { "Labels": { "dockervm.checkpoint": "true", "dockervm.checkpoint.vm": "h8-play1", "dockervm.checkpoint.name": "v1",
                                    "dockervm.checkpoint.created": "2026-11-30T12:44:19.9538792Z", "dockervm.managed": "" } }
          }
        """;

    private const string ImageB = """
          {
            "Id": "sha256:f4b6bd2ee15efbb7542d30825e250a26d1f6d3b4764ddb1ddfe48625fa4dc5b3",
            "RepoTags": [],
            "Created": "2026-11-30T12:44:20.1Z",
            "Config": { "Labels": null }
          }
        """;

    private const string TwoImages = "[" + ImageA + "," + ImageB + "]";

    [Fact]
    public async Task Images_are_listed_in_two_commands_whatever_their_number()
    {
        using var fake = new FakeDocker();
        // An image with two tags is listed twice by `docker images`.
        fake.On("images", stdout: "sha256:fc1c5e99c346705818d4abce7acebd30f21425ef2a0e28fbeb0fade9494e560d\nsha256:fc1c5e99c346705818d4abce7acebd30f21425ef2a0e28fbeb0fade9494e560d\nsha256:f4b6bd2ee15efbb7542d30825e250a26d1f6d3b4764ddb1ddfe48625fa4dc5b3\n");
        fake.On("image", stdout: TwoImages);

        var images = await fake.Cli().ListImagesAsync(new[] { "dockervm.checkpoint=true", "dockervm.checkpoint.vm=h8-play1" }, None);

        Assert.Equal(new[]
        {
            new[] { "images", "--quiet", "--no-trunc", "--filter", "label=dockervm.checkpoint=true", "--filter", "label=dockervm.checkpoint.vm=h8-play1" },
            new[] { "image", "inspect", "sha256:fc1c5e99c346705818d4abce7acebd30f21425ef2a0e28fbeb0fade9494e560d", "sha256:f4b6bd2ee15efbb7542d30825e250a26d1f6d3b4764ddb1ddfe48625fa4dc5b3" },
        }, fake.Calls());
        Assert.Equal(2, images.Count);
        Assert.Equal(ImageId, images[0].Id);
        Assert.Equal(new[] { "dockervm-checkpoint:h8-play1_v1_11539a68", "mine:latest" }, images[0].RepoTags);
        Assert.Equal("v1", images[0].Labels["dockervm.checkpoint.name"]);
        Assert.Equal("", images[0].Labels["dockervm.managed"]);
        Assert.Equal(new DateTime(2026, 11, 30, 12, 44, 19, DateTimeKind.Utc), images[0].Created!.Value.AddTicks(-(images[0].Created!.Value.Ticks % TimeSpan.TicksPerSecond)));
        Assert.Equal(1980000, images[0].Size);
        Assert.Empty(images[1].RepoTags);
        Assert.Empty(images[1].Labels);
    }

    [Fact]
    public async Task No_image_is_one_command_and_an_image_gone_between_the_two_is_left_out()
    {
        using var fake = new FakeDocker();
        fake.On("images", stdout: "", call: 1);
        fake.On("images", stdout: ImageId + "\nsha256:0000000000000000000000000000000000000000000000000000000000000000\n", call: 2);
        fake.On("image", stdout: "[" + ImageA + "]",
            stderr: "Error response from daemon: no such image: sha256:0000000000000000000000000000000000000000000000000000000000000000: No such image: sha256:0000000000000000000000000000000000000000000000000000000000000000\n", exit: 1);
        var cli = fake.Cli();

        Assert.Empty(await cli.ListImagesAsync(new[] { "dockervm.checkpoint=true" }, None));
        Assert.Single(fake.Calls());
        var one = Assert.Single(await cli.ListImagesAsync(new[] { "dockervm.checkpoint=true" }, None));
        Assert.Equal(ImageId, one.Id);
    }

    [Fact]
    public async Task An_image_inspect_that_fails_otherwise_is_an_error()
    {
        using var fake = new FakeDocker();
        fake.On("images", stdout: ImageId + "\n");
        fake.On("image", stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n", exit: 1);

        var e = await Assert.ThrowsAsync<DockerVmException>(() => fake.Cli().ListImagesAsync(new[] { "dockervm.checkpoint=true" }, None));

        Assert.Equal(DockerVmErrorKind.EngineUnavailable, e.Kind);
    }

    [Fact]
    public void Describe_shows_each_toolkit_request_as_the_docker_command()
    {
        var cli = new DockerCli("ctx1", program: "docker");
        var spec = new CommitSpec { Repository = "dockervm-checkpoint", Tag = "t1", Labels = new Dictionary<string, string> { ["k"] = "v" } };

        Assert.Equal($"docker --context ctx1 cp /host/a {Id}:/tmp/", cli.Describe(new CopyRequest(Id, Into("/host/a", "/tmp/"))));
        Assert.Equal($"docker --context ctx1 cp {Id}:/etc/x '/host/my dir/x'", cli.Describe(new CopyRequest(Id, OutOf("/etc/x", "/host/my dir/x"))));
        Assert.Equal($"docker --context ctx1 commit --change 'LABEL \"k\"=\"v\"' {Id} dockervm-checkpoint:t1", cli.Describe(new CommitRequest(Id, spec)));
        Assert.Equal("docker --context ctx1 rmi dockervm-checkpoint:t1", cli.Describe(new RemoveImageRequest("dockervm-checkpoint:t1")));
        Assert.Equal($"docker --context ctx1 rename {Id} web1", cli.Describe(new RenameRequest(Id, "web1")));
    }
}
