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

        /// <summary>The equivalent docker commands, as a user would type them, secrets masked (what -WhatIf shows).</summary>
        public override string ToString() => ToString(whole: true);

        /// <summary>
        /// The docker commands, whole (every label: -WhatIf, -Confirm) or as the trace shows them
        /// (<see cref="TraceView"/>: without DockerVm's own labels, for -Verbose).
        /// </summary>
        public string ToString(bool whole) =>
            Requests.Count == 0 ? "(no engine request)" : string.Join(" && ", Requests.Select(r => Engine.Describe(whole ? r : TraceView.Of(r))));
    }
}

namespace DockerVm.Engine
{
    // ---- the machine toolkit: copy, checkpoints ------------------------------------------------

    /// <summary>Which way a copy goes.</summary>
    public enum CopyDirection
    {
        /// <summary>From the host into the container.</summary>
        ToContainer,
        /// <summary>From the container to the host.</summary>
        FromContainer,
    }

    /// <summary>
    /// What a copy asks (docker cp semantics, any container status): a file or a folder, a source
    /// ending in <c>/.</c> copies a folder's contents, a destination that is an existing folder
    /// receives the source under its own name.
    /// </summary>
    public sealed class CopySpec
    {
        public CopyDirection Direction { get; init; }
        /// <summary>The path on the host: absolute, resolved by the caller.</summary>
        public string HostPath { get; init; } = "";
        /// <summary>The path in the container (absolute; relative to its root otherwise).</summary>
        public string ContainerPath { get; init; } = "";

        public string Source => Direction == CopyDirection.ToContainer ? HostPath : ContainerPath;
        public string Destination => Direction == CopyDirection.ToContainer ? ContainerPath : HostPath;
    }

    /// <summary>
    /// What a commit asks: the container's filesystem (and config: command, environment, labels) as
    /// a local image tagged <see cref="Repository"/>:<see cref="Tag"/>, with <see cref="Labels"/> set
    /// over the container's own. The engine cannot delete a label on commit: an empty value is how a
    /// label the container carries is blanked.
    /// </summary>
    public sealed class CommitSpec
    {
        public string Repository { get; init; } = "";
        public string Tag { get; init; } = "";
        private IReadOnlyDictionary<string, string> _labels = new Dictionary<string, string>();
        public IReadOnlyDictionary<string, string> Labels { get => _labels; init => _labels = value; }
        /// <summary>Pause a running container while its filesystem is read (docker's default).</summary>
        public bool Pause { get; init; } = true;

        /// <summary>repository:tag.</summary>
        public string Reference => Repository + ":" + Tag;

        /// <summary>The same spec with other labels.</summary>
        public CommitSpec WithLabels(IReadOnlyDictionary<string, string> labels)
        {
            var copy = (CommitSpec)MemberwiseClone();
            copy._labels = labels;
            return copy;
        }
    }

    /// <summary>docker cp between the host and a container.</summary>
    public sealed class CopyRequest : EngineRequest
    {
        public CopyRequest(string target, CopySpec spec) : base(target) => Spec = spec;
        public CopySpec Spec { get; }
        public override Task SendAsync(IDockerEngine engine, CancellationToken ct) => engine.CopyAsync(Target, Spec, ct);
    }

    /// <summary>docker commit: a container's filesystem as a tagged local image.</summary>
    public sealed class CommitRequest : EngineRequest
    {
        public CommitRequest(string target, CommitSpec spec) : base(target) => Spec = spec;
        public CommitSpec Spec { get; }
        /// <summary>The new image's id (sha256:...), once sent.</summary>
        public string? ImageId { get; private set; }
        public override async Task SendAsync(IDockerEngine engine, CancellationToken ct) =>
            ImageId = await engine.CommitAsync(Target, Spec, ct).ConfigureAwait(false);
    }

    /// <summary>docker rmi of one image reference (repository:tag, or an id): untags it; the image goes when nothing else needs it.</summary>
    public sealed class RemoveImageRequest : EngineRequest
    {
        public RemoveImageRequest(string reference) : base(reference) { }
        public override Task SendAsync(IDockerEngine engine, CancellationToken ct) => engine.RemoveImageAsync(Target, ct);
    }

    /// <summary>docker rename: gives a container another name.</summary>
    public sealed class RenameRequest : EngineRequest
    {
        public RenameRequest(string target, string newName) : base(target) => NewName = newName;
        public string NewName { get; }
        public override Task SendAsync(IDockerEngine engine, CancellationToken ct) => engine.RenameAsync(Target, NewName, ct);
    }
}
