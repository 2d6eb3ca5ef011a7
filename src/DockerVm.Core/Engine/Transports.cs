using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine.Api;

namespace DockerVm.Engine
{
    /// <summary>The two ways to reach an engine.</summary>
    public enum TransportKind
    {
        /// <summary>The Docker Engine API, in process (<see cref="DockerApi"/>).</summary>
        Api,
        /// <summary>One docker CLI command per request (<see cref="DockerCli"/>).</summary>
        Cli,
    }

    /// <summary>
    /// Which transport serves an engine: $env:DOCKERVM_TRANSPORT = auto (default) | api | cli. auto
    /// takes the CLI whenever $env:DOCKERVM_CLI names one, and for engines the API transport does not
    /// dial (ssh://, an address that cannot be resolved, TLS files this runtime cannot read); the
    /// Engine API for unix sockets, named pipes and tcp. Both variables are read at each request, as
    /// the CLI transport reads DOCKERVM_CLI at each command, so a change in the session takes effect
    /// at once.
    /// </summary>
    public static class Transports
    {
        public const string Variable = "DOCKERVM_TRANSPORT";

        /// <summary>The engine for <paramref name="context"/>: each request goes to the transport chosen at that moment.</summary>
        public static IDockerEngine For(string? context) => new TransportRouter(context ?? "");

        /// <summary>The transport that serves <paramref name="context"/> now, and why. An invalid DOCKERVM_TRANSPORT throws.</summary>
        public static (TransportKind Kind, string Reason) Choose(string? context) =>
            EndpointCache.Get("transport|" + (context ?? ""), () => ChooseNow(context));

        private static (TransportKind Kind, string Reason) ChooseNow(string? context)
        {
            var raw = Environment.GetEnvironmentVariable(Variable);
            switch ((raw ?? "").Trim().ToLowerInvariant())
            {
                case "":
                case "auto":
                    break;
                case "api":
                    return (TransportKind.Api, Variable + "=api");
                case "cli":
                    return (TransportKind.Cli, Variable + "=cli");
                default:
                    throw Failures.InvalidTransport(Variable, raw!);
            }
            if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(DockerCli.CliVariable)))
            {
                return (TransportKind.Cli, DockerCli.CliVariable + " is set");
            }
            ApiTarget target;
            try
            {
                target = ApiTarget.Resolve(context);
            }
            catch (Exception e)
            {
                return (TransportKind.Cli, "the engine's address cannot be resolved: " + e.Message);
            }
            return target.Unsupported is { } why ? (TransportKind.Cli, why) : (TransportKind.Api, target.ToString());
        }
    }

    /// <summary>One context's engine, routing each request to the transport <see cref="Transports.Choose"/> picks.</summary>
    internal sealed class TransportRouter : IDockerEngine, IImageCatalog
    {
        private readonly Lazy<DockerApi> _api;
        private readonly Lazy<DockerCli> _cli;

        public TransportRouter(string context)
        {
            Context = context;
            _api = new Lazy<DockerApi>(() => new DockerApi(context), LazyThreadSafetyMode.ExecutionAndPublication);
            _cli = new Lazy<DockerCli>(() => new DockerCli(context), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public string Context { get; }

        public string Transport
        {
            get
            {
                try
                {
                    return Pick().Transport;
                }
                catch (DockerVmException e)
                {
                    return "none: " + e.Message;
                }
            }
        }

        private IDockerEngine Pick() => Transports.Choose(Context).Kind == TransportKind.Api ? _api.Value : _cli.Value;

        // Both transports describe a request as the same docker command.
        public string Describe(EngineRequest request) => _cli.Value.Describe(request);

        public Task<string> CreateAsync(CreateSpec spec, CancellationToken ct) => Pick().CreateAsync(spec, ct);
        public Task StartAsync(string target, CancellationToken ct) => Pick().StartAsync(target, ct);
        public Task StopAsync(string target, int graceSec, CancellationToken ct) => Pick().StopAsync(target, graceSec, ct);
        public Task PauseAsync(string target, CancellationToken ct) => Pick().PauseAsync(target, ct);
        public Task UnpauseAsync(string target, CancellationToken ct) => Pick().UnpauseAsync(target, ct);
        public Task RemoveAsync(string target, bool force, CancellationToken ct) => Pick().RemoveAsync(target, force, ct);
        public Task<IReadOnlyList<ContainerInfo>> InspectAsync(IReadOnlyList<string> targets, CancellationToken ct) => Pick().InspectAsync(targets, ct);
        public Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyList<string> labelFilters, CancellationToken ct) => Pick().ListAsync(labelFilters, ct);
        public Task<IReadOnlyList<string>> ListIdsAsync(IReadOnlyList<string> labelFilters, CancellationToken ct) => Pick().ListIdsAsync(labelFilters, ct);
        public Task<ExecOutcome> ExecAsync(string target, ExecSpec spec, IExecObserver? observer, CancellationToken ct) => Pick().ExecAsync(target, spec, observer, ct);
        public Task<string> LogsAsync(string target, int tail, CancellationToken ct) => Pick().LogsAsync(target, tail, ct);
        public Task<int> RunInteractiveAsync(string target, ExecSpec spec, CancellationToken ct) => Pick().RunInteractiveAsync(target, spec, ct);
        public Task StreamLogsAsync(string target, LogRequest request, ILogObserver observer, CancellationToken ct) => Pick().StreamLogsAsync(target, request, observer, ct);
        public Task CopyAsync(string target, CopySpec spec, CancellationToken ct) => Pick().CopyAsync(target, spec, ct);
        public Task<string> CommitAsync(string target, CommitSpec spec, CancellationToken ct) => Pick().CommitAsync(target, spec, ct);
        public Task RemoveImageAsync(string reference, CancellationToken ct) => Pick().RemoveImageAsync(reference, ct);
        public Task RenameAsync(string target, string newName, CancellationToken ct) => Pick().RenameAsync(target, newName, ct);
        public Task<IReadOnlyList<ImageInfo>> ListImagesAsync(IReadOnlyList<string> labelFilters, CancellationToken ct) => Pick().ListImagesAsync(labelFilters, ct);

        public Task<IReadOnlyList<string>> ListImagesAsync(CancellationToken ct) => ((IImageCatalog)Pick()).ListImagesAsync(ct);
    }
}
