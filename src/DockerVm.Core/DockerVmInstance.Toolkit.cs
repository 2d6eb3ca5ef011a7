using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>The machine toolkit on one VM: copy, checkpoint, restore.</summary>
    public sealed partial class DockerVmInstance
    {
        // ---- copy -----------------------------------------------------------------------------

        /// <summary>docker cp between the host and the VM's container (by id).</summary>
        public ActionPlan PlanCopy(CopySpec spec) => new(VmAction.None, Name, _engine, new CopyRequest(Target, spec));

        /// <summary>
        /// Copies a file or folder between the host and the VM (docker cp semantics; Stopped, Running
        /// or Suspended). A missing source is PathNotFound: on the host found before any engine call,
        /// in the VM as the engine reports it.
        /// </summary>
        public async Task CopyAsync(CopySpec spec, CancellationToken ct)
        {
            InputRules.NoNul("Path", Name, new[] { spec.HostPath, spec.ContainerPath });
            CheckHostSide(spec);
            if (ContainerId.Length == 0)
            {
                throw Failures.NotFound(Name, Context);
            }
            try
            {
                await PlanCopy(spec).SendAsync(ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
            {
                await TryReadBackAsync().ConfigureAwait(false);
                throw Failures.NotFound(Name, Context, e);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.PathNotFound)
            {
                throw Failures.PathNotFoundInVm(Name, spec, e);
            }
        }

        // The host's side of a copy exists: the source going in, the folder receiving what comes out.
        private void CheckHostSide(CopySpec spec)
        {
            if (spec.Direction == CopyDirection.ToContainer)
            {
                var source = ContentsOf(spec.HostPath) ?? spec.HostPath;
                if (!File.Exists(source) && !Directory.Exists(source))
                {
                    throw Failures.HostPathNotFound(spec.HostPath, Name);
                }
                return;
            }
            var destination = spec.HostPath;
            if (Directory.Exists(destination))
            {
                return;
            }
            var folder = Path.GetDirectoryName(destination.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            {
                throw Failures.HostFolderNotFound(destination, folder!, Name);
            }
        }

        /// <summary>The folder of a path that ends in /. (docker cp: its contents); null for any other path.</summary>
        public static string? ContentsOf(string path) =>
            path.EndsWith("/.", StringComparison.Ordinal) || path.EndsWith("\\.", StringComparison.Ordinal) ? path.Substring(0, path.Length - 2) : null;

        // ---- checkpoints ----------------------------------------------------------------------

        /// <summary>docker commit of the VM's container as checkpoint <paramref name="checkpointName"/>, taken at <paramref name="createdUtc"/>.</summary>
        public ActionPlan PlanCheckpoint(string checkpointName, DateTime createdUtc)
        {
            Checkpoints.ValidateName(checkpointName, Name);
            return new ActionPlan(VmAction.None, Name, _engine, new CommitRequest(Target, new CommitSpec
            {
                Repository = Checkpoints.Repository,
                Tag = Checkpoints.Tag(Name, checkpointName),
                Labels = Checkpoints.ImageLabels(Name, checkpointName, createdUtc, Context, Image, ContainerId),
            }));
        }

        /// <summary>
        /// Snapshots the VM's filesystem as checkpoint <paramref name="checkpointName"/> (docker commit;
        /// a Running VM is paused meanwhile), in any state with a container; the state does not change.
        /// A name the VM has a checkpoint of already is NameConflict, unless <paramref name="nextFreeName"/>
        /// (a default name): then -2, -3 ... is appended.
        /// </summary>
        public async Task<DockerVmCheckpoint> CheckpointAsync(string checkpointName, DateTime createdUtc, bool nextFreeName, CancellationToken ct)
        {
            Checkpoints.ValidateName(checkpointName, Name);
            DockerVmCheckpoint? made = null;
            await _t.LockedAsync(async () =>
            {
                if (ContainerId.Length == 0)
                {
                    throw Failures.NotFound(Name, Context);
                }
                var taken = (await Checkpoints.ListAsync(_engine, Name, ct).ConfigureAwait(false)).Select(c => c.Name).ToList();
                var name = checkpointName;
                for (var n = 2; taken.Contains(name); n++)
                {
                    if (!nextFreeName)
                    {
                        throw Failures.CheckpointExists(Name, checkpointName, Context);
                    }
                    name = checkpointName + "-" + n;
                }
                var plan = PlanCheckpoint(name, createdUtc);
                try
                {
                    await plan.SendAsync(ct).ConfigureAwait(false);
                }
                catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
                {
                    await TryReadBackAsync().ConfigureAwait(false);
                    throw Failures.NotFound(Name, Context, e);
                }
                var commit = (CommitRequest)plan.Requests[0];
                made = new DockerVmCheckpoint
                {
                    VMName = Name,
                    Name = name,
                    ImageId = commit.ImageId!,
                    CreatedAt = createdUtc.ToUniversalTime(),
                    Context = Context,
                    ImageReference = commit.Spec.Reference,
                    SourceImage = Image,
                };
            }, ct).ConfigureAwait(false);
            return made!;
        }

        /// <summary>The temporary name of the container a restore creates before the VM's own goes.</summary>
        public string RestoringName => Name + "-restoring";

        /// <summary>
        /// Restore: docker create from the checkpoint under <see cref="RestoringName"/>, then the VM's
        /// container removed (stopped first when Running), then the new one renamed to the VM's name.
        /// </summary>
        public ActionPlan PlanRestore(DockerVmCheckpoint checkpoint) => PlanRestore(checkpoint, _options);

        private ActionPlan PlanRestore(DockerVmCheckpoint checkpoint, VmOptions options) =>
            new(VmAction.Clone, Name, _engine,
                new EngineRequest[] { RestoreCreate(checkpoint, options) }
                    .Concat(PlanDelete(force: true).Requests)
                    .Concat(new EngineRequest[] { new RenameRequest(RestoringName, Name) })
                    .ToArray());

        // The create of a restore: as the VM's own clone, from the checkpoint's image, under the temporary name.
        private CreateRequest RestoreCreate(DockerVmCheckpoint checkpoint, VmOptions options) =>
            (CreateRequest)Plans.Clone(_engine, RestoringName, options, Observation.Initial(checkpoint.ImageReference)).Requests[0];

        /// <summary>
        /// Replaces the VM's container by one created from <paramref name="checkpoint"/>, with the same
        /// name and the options its labels record. The VM ends Stopped. Until the new container exists
        /// nothing of the VM changes; a failure after that removes the new container again.
        /// Through the table: [Running → Stop →] Stopped → Delete → Deleted → Clone → Stopped.
        /// </summary>
        public Task RestoreAsync(DockerVmCheckpoint checkpoint, CancellationToken ct) => _t.LockedAsync(async () =>
        {
            var info = ContainerId.Length == 0 ? null : await InspectAsync(ct).ConfigureAwait(false);
            if (info is null)
            {
                if (ContainerId.Length > 0)
                {
                    _t.Apply(null);
                }
                throw Failures.RestoreNeedsVm(Name, checkpoint.Name, Context);
            }
            _t.Apply(info);
            if (!StateMachine.Allowed(State, VmAction.Delete) && State != VmState.Running)
            {
                throw Failures.InvalidTransition(State, VmAction.Delete, Name, "restore a checkpoint of");
            }
            // The options as the container's labels record them (another process may have made it).
            var (_, options) = DockerVm.Labels.Read(info);
            var create = RestoreCreate(checkpoint, options);
            try
            {
                await create.SendAsync(_engine, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException || (e is DockerVmException d && d.Kind != DockerVmErrorKind.NameConflict && !d.IsFatal))
            {
                await Cleanup.RemoveByTokenAsync(_engine, create.Spec.Labels[DockerVm.Labels.CreateToken]).ConfigureAwait(false);
                if (e is DockerVmException { Kind: DockerVmErrorKind.ImageNotFound } missing)
                {
                    throw Failures.CheckpointNotFound(Name, checkpoint.Name, Context, missing);
                }
                throw;
            }
            var newId = create.CreatedId!;
            try
            {
                foreach (var request in PlanDelete(force: true).Requests)
                {
                    try
                    {
                        await _t.StepAsync(request is StopRequest ? VmAction.Stop : VmAction.Delete, async _ =>
                        {
                            await request.SendAsync(_engine, ct).ConfigureAwait(false);
                            return null;
                        }, ct).ConfigureAwait(false);
                    }
                    catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound && State == VmState.Deleted)
                    {
                        break; // gone already: what the removal was for
                    }
                }
                // Past the old container's removal the restore finishes, Ctrl+C or not: a VM is never lost half-way.
                using var finish = new CancellationTokenSource(ReadBackTimeout);
                await _t.StepAsync(VmAction.Clone, async _ =>
                {
                    await _engine.RenameAsync(newId, Name, finish.Token).ConfigureAwait(false);
                    return new Observation(VmState.Stopped, "", newId, DateTime.UtcNow, checkpoint.ImageReference);
                }, finish.Token, settleOnFailure: false).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Nothing half-made is left: the new container goes (the VM keeps the state the table left it in).
                await DiscardContainerAsync(newId).ConfigureAwait(false);
                throw;
            }
        }, ct);

        private async Task DiscardContainerAsync(string id)
        {
            try
            {
                using var cts = new CancellationTokenSource(ReadBackTimeout);
                await _engine.RemoveAsync(id, force: true, cts.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // best effort: the failure being reported matters more
            }
        }
    }

    /// <summary>What Copy-DockerVmItem -ToVM -PassThru reports: a host file or folder copied into a VM.</summary>
    public sealed class DockerVmCopyResult
    {
        public string VMName { get; init; } = "";
        /// <summary>The host path copied (absolute).</summary>
        public string Source { get; init; } = "";
        /// <summary>The destination in the VM, as given (docker cp: into it when it is a folder).</summary>
        public string Destination { get; init; } = "";
        public string Context { get; init; } = "";
    }
}
