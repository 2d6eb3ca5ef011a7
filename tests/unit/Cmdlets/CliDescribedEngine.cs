using DockerVm.Engine;

namespace DockerVm.Tests.Cmdlets;

/// <summary>A FakeEngine that describes requests as the CLI transport does (program "docker"), for -WhatIf checks of arguments.</summary>
internal sealed class CliDescribedEngine : IDockerEngine
{
    private readonly FakeEngine _inner;

    public CliDescribedEngine(FakeEngine inner) => _inner = inner;

    public string Context => _inner.Context;
    public string Transport => _inner.Transport;
    public string Describe(EngineRequest request) => DockerCommands.For(Context, request).Display("docker");
    public Task<string> CreateAsync(CreateSpec spec, CancellationToken ct) => _inner.CreateAsync(spec, ct);
    public Task StartAsync(string target, CancellationToken ct) => _inner.StartAsync(target, ct);
    public Task StopAsync(string target, int graceSec, CancellationToken ct) => _inner.StopAsync(target, graceSec, ct);
    public Task PauseAsync(string target, CancellationToken ct) => _inner.PauseAsync(target, ct);
    public Task UnpauseAsync(string target, CancellationToken ct) => _inner.UnpauseAsync(target, ct);
    public Task RemoveAsync(string target, bool force, CancellationToken ct) => _inner.RemoveAsync(target, force, ct);
    public Task<IReadOnlyList<ContainerInfo>> InspectAsync(IReadOnlyList<string> targets, CancellationToken ct) => _inner.InspectAsync(targets, ct);
    public Task<IReadOnlyList<string>> ListIdsAsync(IReadOnlyList<string> labelFilters, CancellationToken ct) => _inner.ListIdsAsync(labelFilters, ct);
    public Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyList<string> labelFilters, CancellationToken ct) => _inner.ListAsync(labelFilters, ct);
    public Task<ExecOutcome> ExecAsync(string target, ExecSpec spec, IExecObserver? observer, CancellationToken ct) => _inner.ExecAsync(target, spec, observer, ct);
    public Task<int> RunInteractiveAsync(string target, ExecSpec spec, CancellationToken ct) => _inner.RunInteractiveAsync(target, spec, ct);
    public Task<string> LogsAsync(string target, int tail, CancellationToken ct) => _inner.LogsAsync(target, tail, ct);
    public Task StreamLogsAsync(string target, LogRequest request, ILogObserver observer, CancellationToken ct) => _inner.StreamLogsAsync(target, request, observer, ct);
    public Task CopyAsync(string target, CopySpec spec, CancellationToken ct) => _inner.CopyAsync(target, spec, ct);
    public Task<string> CommitAsync(string target, CommitSpec spec, CancellationToken ct) => _inner.CommitAsync(target, spec, ct);
    public Task RemoveImageAsync(string reference, CancellationToken ct) => _inner.RemoveImageAsync(reference, ct);
    public Task RenameAsync(string target, string newName, CancellationToken ct) => _inner.RenameAsync(target, newName, ct);
    public Task<IReadOnlyList<ImageInfo>> ListImagesAsync(IReadOnlyList<string> labelFilters, CancellationToken ct) => _inner.ListImagesAsync(labelFilters, ct);
}
