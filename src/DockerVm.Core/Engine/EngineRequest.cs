using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace DockerVm.Engine
{
    /// <summary>
    /// One change an action asks of the engine. Requests are data: the instance plans them, a
    /// transport describes them (for -WhatIf, -Confirm and -Verbose) and sends them.
    /// </summary>
    public abstract class EngineRequest
    {
        protected EngineRequest(string target) => Target = target;

        /// <summary>The container's id, or its name before it has one.</summary>
        public string Target { get; }

        /// <summary>Sends the request through <paramref name="engine"/>.</summary>
        public abstract Task SendAsync(IDockerEngine engine, CancellationToken ct);
    }

    public sealed class CreateRequest : EngineRequest
    {
        public CreateRequest(CreateSpec spec) : base(spec.Name) => Spec = spec;
        public CreateSpec Spec { get; }
        /// <summary>The id the engine gave the container, once sent.</summary>
        public string? CreatedId { get; private set; }
        public override async Task SendAsync(IDockerEngine engine, CancellationToken ct) =>
            CreatedId = await engine.CreateAsync(Spec, ct).ConfigureAwait(false);
    }

    public sealed class StartRequest : EngineRequest
    {
        public StartRequest(string target) : base(target) { }
        public override Task SendAsync(IDockerEngine engine, CancellationToken ct) => engine.StartAsync(Target, ct);
    }

    public sealed class StopRequest : EngineRequest
    {
        public StopRequest(string target, int graceSec) : base(target) => GraceSec = Math.Max(0, graceSec);
        /// <summary>Seconds before SIGKILL; 0 kills at once.</summary>
        public int GraceSec { get; }
        public override Task SendAsync(IDockerEngine engine, CancellationToken ct) => engine.StopAsync(Target, GraceSec, ct);
    }

    public sealed class PauseRequest : EngineRequest
    {
        public PauseRequest(string target) : base(target) { }
        public override Task SendAsync(IDockerEngine engine, CancellationToken ct) => engine.PauseAsync(Target, ct);
    }

    public sealed class UnpauseRequest : EngineRequest
    {
        public UnpauseRequest(string target) : base(target) { }
        public override Task SendAsync(IDockerEngine engine, CancellationToken ct) => engine.UnpauseAsync(Target, ct);
    }

    public sealed class RemoveRequest : EngineRequest
    {
        public RemoveRequest(string target, bool force) : base(target) => Force = force;
        /// <summary>Remove even a running or paused container.</summary>
        public bool Force { get; }
        public override Task SendAsync(IDockerEngine engine, CancellationToken ct) => engine.RemoveAsync(Target, Force, ct);
    }

    /// <summary>
    /// One action described once: the requests it sends, in order, to one engine. The instance
    /// runs exactly these; -WhatIf, -Confirm and -Verbose show them.
    /// </summary>
    public sealed class ActionPlan
    {
        public ActionPlan(VmAction action, string vmName, IDockerEngine engine, params EngineRequest[] requests)
        {
            Action = action;
            VmName = vmName;
            Engine = engine;
            Requests = requests;
        }

        public VmAction Action { get; }
        public string VmName { get; }
        public IDockerEngine Engine { get; }
        public IReadOnlyList<EngineRequest> Requests { get; }

        /// <summary>Sends every request in order.</summary>
        public async Task SendAsync(CancellationToken ct)
        {
            foreach (var request in Requests)
            {
                await request.SendAsync(Engine, ct).ConfigureAwait(false);
            }
        }

        /// <summary>Another plan's requests after this one's (New-DockerVm -Start).</summary>
        public ActionPlan Then(ActionPlan next) => new(Action, VmName, Engine, Requests.Concat(next.Requests).ToArray());

        /// <summary>The equivalent docker commands, as a user would type them, secrets masked.</summary>
        public override string ToString() =>
            Requests.Count == 0 ? "(no engine request)" : string.Join(" && ", Requests.Select(Engine.Describe));
    }
}
