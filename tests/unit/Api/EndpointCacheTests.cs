using DockerVm.Engine;
using DockerVm.Engine.Api;
using DockerVm.Tests.Cmdlets;
using Xunit;

namespace DockerVm.Tests.Api;

/// <summary>
/// Endpoint resolution is cached while the variables and files it read are unchanged: counted through
/// EndpointFiles (every file resolution reads or tests goes through it), never timed. The variables
/// are process-wide, hence the non-parallel collection.
/// </summary>
[Collection(FakeCliCollection.Name)]
public sealed class EndpointCacheTests : IDisposable
{
    private readonly TempDockerConfig _store = new();
    private readonly Dictionary<string, string?> _saved = EndpointCache.Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);

    public EndpointCacheTests()
    {
        foreach (var name in new[] { "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "DOCKER_TLS", Transports.Variable, DockerCli.CliVariable })
        {
            Environment.SetEnvironmentVariable(name, null);
        }
        EndpointCache.Clear();
    }

    public void Dispose()
    {
        _store.Dispose();
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
        EndpointCache.Clear();
    }

    private static (T Value, long Reads) Counted<T>(Func<T> resolve)
    {
        var before = EndpointFiles.Reads;
        var value = resolve();
        return (value, EndpointFiles.Reads - before);
    }

    // A write the stamp sees even within the file system's time resolution: a later time and another length.
    private void Rewrite(string file, string text, int minutes)
    {
        File.WriteAllText(file, text);
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(minutes));
    }

    [Fact]
    public void A_context_is_read_once_and_then_served_from_the_cache()
    {
        _store.Add("one", "unix:///run/one.sock");

        var (first, firstReads) = Counted(() => ApiTarget.Resolve("one"));
        var (again, againReads) = Counted(() => ApiTarget.Resolve("one"));
        var (choice, choiceReads) = Counted(() => Transports.Choose("one"));
        var (choiceAgain, choiceAgainReads) = Counted(() => Transports.Choose("one"));

        Assert.Equal("unix:///run/one.sock", first.Address);
        Assert.True(firstReads > 0);
        Assert.Same(first, again);
        Assert.Equal(0, againReads);
        Assert.Equal(TransportKind.Api, choice.Kind);
        Assert.Equal(0, choiceReads); // its resolution was cached already
        Assert.Equal(choice, choiceAgain);
        Assert.Equal(0, choiceAgainReads);
    }

    [Fact]
    public void A_changed_context_file_is_seen_at_the_next_request()
    {
        _store.Add("one", "unix:///run/one.sock");
        Assert.Equal("unix:///run/one.sock", ApiTarget.Resolve("one").Address);
        Assert.Equal("unix:///run/one.sock", EngineEndpoint.Resolve("one").Host);

        Rewrite(_store.MetaFile("one"), "{\"Name\":\"one\",\"Endpoints\":{\"docker\":{\"Host\":\"unix:///run/one-moved.sock\"}}}", 1);

        var (moved, reads) = Counted(() => ApiTarget.Resolve("one"));
        Assert.Equal("unix:///run/one-moved.sock", moved.Address);
        Assert.True(reads > 0);
        Assert.Equal("unix:///run/one-moved.sock", EngineEndpoint.Resolve("one").Host);
        Assert.Equal(0, Counted(() => ApiTarget.Resolve("one")).Reads);
    }

    [Fact]
    public void A_context_that_appears_or_a_new_current_context_is_seen()
    {
        Assert.Equal("", ApiTarget.Resolve("later").Address); // not in the store (yet)
        _store.Add("later", "unix:///run/later.sock");
        Assert.Equal("unix:///run/later.sock", ApiTarget.Resolve("later").Address);

        Assert.Equal("unix:///var/run/docker.sock", ApiTarget.Resolve(null).Address);
        Rewrite(Path.Combine(_store.Dir, "config.json"), "{\"currentContext\":\"later\"}", 1);
        Assert.Equal("unix:///run/later.sock", ApiTarget.Resolve(null).Address);
        Assert.Equal(0, Counted(() => ApiTarget.Resolve(null)).Reads);
        Rewrite(Path.Combine(_store.Dir, "config.json"), "{\"currentContext\":\"default\"}", 2);
        Assert.Equal("unix:///var/run/docker.sock", ApiTarget.Resolve(null).Address);
    }

    [Fact]
    public void A_changed_variable_is_seen_at_the_next_request()
    {
        _store.Add("one", "unix:///run/one.sock");
        Assert.Equal("unix:///var/run/docker.sock", ApiTarget.Resolve(null).Address);

        Environment.SetEnvironmentVariable("DOCKER_HOST", "unix:///run/host.sock");
        Assert.Equal("unix:///run/host.sock", ApiTarget.Resolve(null).Address);
        Assert.Equal("unix:///run/host.sock", EngineEndpoint.Resolve(null).Host);

        Environment.SetEnvironmentVariable("DOCKER_HOST", null);
        Environment.SetEnvironmentVariable("DOCKER_CONTEXT", "one");
        Assert.Equal("unix:///run/one.sock", ApiTarget.Resolve(null).Address);

        Assert.Equal(TransportKind.Api, Transports.Choose(null).Kind);
        Environment.SetEnvironmentVariable(Transports.Variable, "cli");
        Assert.Equal(TransportKind.Cli, Transports.Choose(null).Kind);
        Environment.SetEnvironmentVariable(Transports.Variable, null);
        Environment.SetEnvironmentVariable(DockerCli.CliVariable, "mydocker");
        Assert.Equal(TransportKind.Cli, Transports.Choose(null).Kind);
        Environment.SetEnvironmentVariable(DockerCli.CliVariable, null);
        Assert.Equal(TransportKind.Api, Transports.Choose(null).Kind);

        var other = Path.Combine(Path.GetTempPath(), "dockervm-config-empty-" + Guid.NewGuid().ToString("N"));
        Environment.SetEnvironmentVariable("DOCKER_CONFIG", other); // another store: "one" is not in it
        Assert.Equal("", ApiTarget.Resolve(null).Address);
    }

    [Fact]
    public void TLS_files_that_appear_for_a_context_are_seen()
    {
        _store.Add("remote", "tcp://engine.example:2376");
        Assert.Null(ApiTarget.Resolve("remote").Tls);

        var id = Path.GetFileName(Path.GetDirectoryName(_store.MetaFile("remote")))!;
        var tls = Path.Combine(_store.Dir, "contexts", "tls", id, "docker");
        Directory.CreateDirectory(tls);
        File.WriteAllText(Path.Combine(tls, "ca.pem"), "not a certificate");

        var target = ApiTarget.Resolve("remote");
        Assert.True(target.Tls is not null || target.Unsupported is not null, "the new TLS material was not looked at");
    }

    [Fact]
    public void Certificates_renewed_in_DOCKER_CERT_PATH_are_seen()
    {
        var certs = Path.Combine(_store.Dir, "certs");
        Directory.CreateDirectory(certs);
        Environment.SetEnvironmentVariable("DOCKER_HOST", "tcp://engine.example:2376");
        Environment.SetEnvironmentVariable("DOCKER_TLS_VERIFY", "1");
        Environment.SetEnvironmentVariable("DOCKER_CERT_PATH", certs);
        foreach (var f in new[] { "ca.pem", "cert.pem", "key.pem" })
        {
            File.WriteAllText(Path.Combine(certs, f), "old");
        }

        ApiTarget.Resolve(null);
        var (_, cachedReads) = Counted(() => ApiTarget.Resolve(null));
        Rewrite(Path.Combine(certs, "cert.pem"), "renewed certificate", minutes: 5);
        var (_, renewedReads) = Counted(() => ApiTarget.Resolve(null));

        Assert.Equal(0, cachedReads);
        Assert.True(renewedReads > 0, "a certificate renewed in place was served from the cache");
    }
}
