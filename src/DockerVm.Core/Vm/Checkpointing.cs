using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Vm
{
    /// <summary>
    /// A VM's checkpoints: taking one (docker commit of its container) and restoring one (its
    /// container replaced by one created from the checkpoint's image). Both run under the VM's lock.
    /// </summary>
    internal static class Checkpointing
    {
        public static string RestoringName(DockerVmInstance vm) => vm.Name + "-restoring";

        public static ActionPlan PlanCheckpoint(DockerVmInstance vm, string checkpointName, DateTime createdUtc)
        {
            Checkpoints.ValidateName(checkpointName, vm.Name);
            return new ActionPlan(VmAction.None, vm.Name, vm.Engine, new CommitRequest(vm.Target, new CommitSpec
            {
                Repository = Checkpoints.Repository,
                Tag = Checkpoints.Tag(vm.Name, checkpointName),
                Labels = Checkpoints.ImageLabels(vm.Name, checkpointName, createdUtc, vm.Context, vm.Image, vm.ContainerId),
            }));
        }

        public static async Task<DockerVmCheckpoint> CheckpointAsync(DockerVmInstance vm, string checkpointName, DateTime createdUtc, bool nextFreeName, CancellationToken ct)
        {
            Checkpoints.ValidateName(checkpointName, vm.Name);
            DockerVmCheckpoint? made = null;
            await vm.Transitions.LockedAsync(async () =>
            {
                vm.RequireContainer();
                var taken = (await Checkpoints.ListAsync(vm.Engine, vm.Name, ct).ConfigureAwait(false)).Select(c => c.Name).ToList();
                var name = checkpointName;
                for (var n = 2; taken.Contains(name); n++)
                {
                    if (!nextFreeName)
                    {
                        throw Failures.CheckpointExists(vm.Name, checkpointName, vm.Context);
                    }
                    name = checkpointName + "-" + n;
                }
                var plan = PlanCheckpoint(vm, name, createdUtc);
                try
                {
                    await plan.SendAsync(ct).ConfigureAwait(false);
                }
                catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound)
                {
                    throw await vm.GoneAsync(e).ConfigureAwait(false);
                }
                var commit = (CommitRequest)plan.Requests[0];
                made = new DockerVmCheckpoint
                {
                    VMName = vm.Name,
                    Name = name,
                    ImageId = commit.ImageId!,
                    CreatedAt = createdUtc.ToUniversalTime(),
                    Context = vm.Context,
                    ImageReference = commit.Spec.Reference,
                    SourceImage = vm.Image,
                };
            }, ct).ConfigureAwait(false);
            return made!;
        }

        public static ActionPlan PlanRestore(DockerVmInstance vm, DockerVmCheckpoint checkpoint) =>
            new(VmAction.Clone, vm.Name, vm.Engine,
                new EngineRequest[] { RestoreCreate(vm, checkpoint, vm.Options) }
                    .Concat(vm.PlanDelete(force: true).Requests)
                    .Concat(new EngineRequest[] { new RenameRequest(RestoringName(vm), vm.Name) })
                    .ToArray());

        // The create of a restore: as the VM's own clone, from the checkpoint's image, under the temporary name.
        private static CreateRequest RestoreCreate(DockerVmInstance vm, DockerVmCheckpoint checkpoint, VmOptions options) =>
            (CreateRequest)Plans.Clone(vm.Engine, RestoringName(vm), options, Observation.Initial(checkpoint.ImageReference)).Requests[0];

        // Until the new container exists nothing of the VM changes; a failure after that removes the new container again.
        public static Task RestoreAsync(DockerVmInstance vm, DockerVmCheckpoint checkpoint, CancellationToken ct) => vm.Transitions.LockedAsync(async () =>
        {
            var t = vm.Transitions;
            var info = vm.ContainerId.Length == 0 ? null : await vm.InspectAsync(ct).ConfigureAwait(false);
            if (info is null)
            {
                if (vm.ContainerId.Length > 0)
                {
                    t.Apply(null);
                }
                throw Failures.RestoreNeedsVm(vm.Name, checkpoint.Name, vm.Context);
            }
            t.Apply(info);
            if (!StateMachine.Allowed(vm.State, VmAction.Delete) && vm.State != VmState.Running)
            {
                throw Failures.InvalidTransition(vm.State, VmAction.Delete, vm.Name, "restore a checkpoint of");
            }
            // The options as the container's labels record them (another process may have made it).
            var (_, options) = Labels.Read(info);
            var create = RestoreCreate(vm, checkpoint, options);
            try
            {
                await Cleanup.CreateAsync(vm.Engine, create, ct).ConfigureAwait(false);
            }
            catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.ImageNotFound)
            {
                throw Failures.CheckpointNotFound(vm.Name, checkpoint.Name, vm.Context, e);
            }
            var newId = create.CreatedId!;
            try
            {
                foreach (var request in vm.PlanDelete(force: true).Requests)
                {
                    try
                    {
                        await vm.RemovalStepAsync(request, ct).ConfigureAwait(false);
                    }
                    catch (DockerVmException e) when (e.Kind == DockerVmErrorKind.NotFound && vm.State == VmState.Deleted)
                    {
                        break; // gone already: what the removal was for
                    }
                }
                // Past the old container's removal the restore finishes, Ctrl+C or not: a VM is never lost half-way.
                using var finish = new CancellationTokenSource(Timeouts.Cleanup);
                await t.StepAsync(VmAction.Clone, async _ =>
                {
                    await vm.Engine.RenameAsync(newId, vm.Name, finish.Token).ConfigureAwait(false);
                    return new Observation(VmState.Stopped, "", newId, DateTime.UtcNow, checkpoint.ImageReference);
                }, finish.Token, settleOnFailure: false).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Nothing half-made is left: the new container goes (the VM keeps the state the table left it in).
                await Cleanup.RemoveContainerAsync(vm.Engine, newId).ConfigureAwait(false);
                throw;
            }
        }, ct);
    }
}
