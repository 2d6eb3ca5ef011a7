using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests.Api;

/// <summary>
/// $env:DOCKERVM_TRANSPORT and the CLI fallback of a create. In the fake CLI's collection: these
/// tests set process-wide environment variables and start processes, one at a time.
/// </summary>
[Collection(FakeCliCollection.Name)]
public class TransportSelectionTests
{
    private static void With(Dictionary<string, string?> variables, Action body)
    {
        var saved = variables.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var kv in variables)
            {
                Environment.SetEnvironmentVariable(kv.Key, kv.Value);
            }
            body();
        }
        finally
        {
            foreach (var kv in saved)
            {
                Environment.SetEnvironmentVariable(kv.Key, kv.Value);
            }
        }
    }

    [Theory]
    [InlineData(null, null, "unix:///var/run/docker.sock", TransportKind.Api)]
    [InlineData("auto", null, "unix:///var/run/docker.sock", TransportKind.Api)]
    [InlineData("AUTO", null, "tcp://127.0.0.1:2375", TransportKind.Api)]
    [InlineData("auto", "/usr/bin/podman", "unix:///var/run/docker.sock", TransportKind.Cli)]
    [InlineData(null, null, "ssh://me@host", TransportKind.Cli)]
    [InlineData("api", null, "ssh://me@host", TransportKind.Api)]
    [InlineData("api", "/usr/bin/podman", "unix:///var/run/docker.sock", TransportKind.Api)]
    [InlineData("cli", null, "unix:///var/run/docker.sock", TransportKind.Cli)]
    public void Selection_follows_the_variables_and_the_endpoint(string? transport, string? cli, string host, TransportKind expected) =>
        With(new() { [Transports.Variable] = transport, [DockerCli.CliVariable] = cli, ["DOCKER_HOST"] = host, ["DOCKER_TLS_VERIFY"] = null, ["DOCKER_TLS"] = null },
            () => Assert.Equal(expected, Transports.Choose(null).Kind));

    [Fact]
    public void An_unknown_transport_is_a_clear_error_when_the_engine_is_used()
    {
        With(new() { [Transports.Variable] = "grpc" }, () =>
        {
            var engine = Transports.For("");
            var e = Assert.Throws<DockerVmException>(() => Transports.Choose(null));
            Assert.Contains("'grpc'", e.Message);
            Assert.Contains("auto, api or cli", e.RecommendedAction);
            Assert.Throws<DockerVmException>(() => { _ = engine.StartAsync("x", default); });
            Assert.StartsWith("none:", engine.Transport);
            Assert.StartsWith("docker start", engine.Describe(new StartRequest("x"))); // -WhatIf still works
        });
    }

    [Fact]
    public void The_engine_names_the_transport_in_use()
    {
        With(new() { [Transports.Variable] = "cli", [DockerCli.CliVariable] = null }, () => Assert.Equal("cli: docker", Transports.For("").Transport));
        With(new() { [Transports.Variable] = "api", ["DOCKER_HOST"] = "unix:///run/x.sock" }, () => Assert.Equal("api: unix:///run/x.sock", Transports.For("").Transport));
    }

    [Fact]
    public async Task An_untranslated_flag_goes_through_the_cli_for_that_one_create()
    {
        using var fake = new FakeDocker();
        fake.On("create", stdout: DockerApiTests.Id + "\n");
        using var server = new FakeApiServer();
        var id = await server.Engine(fake.Cli()).CreateAsync(DockerApiTests.Spec("vm1", "--memory", "64m", "--device", "/dev/fuse"), default);
        Assert.Equal(DockerApiTests.Id, id);
        var call = fake.SingleCall();
        Assert.Equal("create", call[Array.IndexOf(call, "create")]);
        Assert.Contains("--device", call);
        Assert.Empty(server.Seen);
    }
}
