using System;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>
    /// What each action sends, decided from what is known of the VM (<see cref="Observation"/>):
    /// the one description that runs and that -WhatIf, -Confirm and -Verbose show. Requests target
    /// the container's id once it has one.
    /// </summary>
    internal static class Plans
    {
        private static string Target(string name, Observation seen) => seen.ContainerId.Length > 0 ? seen.ContainerId : name;

        public static ActionPlan Clone(IDockerEngine engine, string name, VmOptions options, Observation seen) =>
            new(VmAction.Clone, name, engine, new CreateRequest(new CreateSpec
            {
                Name = name,
                Image = seen.Image,
                Labels = Labels.For(seen.Image, options, Guid.NewGuid().ToString("N")),
                Environment = options.Environment,
                CreateArguments = options.CreateArguments,
                ContainerCommand = options.ContainerCommand,
                Ports = options.Ports,
                Volumes = options.Volumes,
                MemoryBytes = options.MemoryMB * 1024L * 1024L,
                Cpus = options.Cpus,
                Network = options.Network,
            }));

        /// <summary>start, or unpause from Suspended.</summary>
        public static ActionPlan Start(IDockerEngine engine, string name, Observation seen) =>
            new(VmAction.Start, name, engine, seen.State == VmState.Suspended ? new UnpauseRequest(Target(name, seen)) : new StartRequest(Target(name, seen)));

        public static ActionPlan Resume(IDockerEngine engine, string name, Observation seen) =>
            new(VmAction.Start, name, engine, new UnpauseRequest(Target(name, seen)));

        public static ActionPlan Stop(IDockerEngine engine, string name, Observation seen, int graceSec) =>
            new(VmAction.Stop, name, engine, new StopRequest(Target(name, seen), graceSec));

        public static ActionPlan Suspend(IDockerEngine engine, string name, Observation seen) =>
            new(VmAction.Suspend, name, engine, new PauseRequest(Target(name, seen)));

        /// <summary>
        /// A plain rm of a Stopped container (the engine itself refuses a running one), rm --force of
        /// a Suspended one; with <paramref name="force"/> a Running VM is stopped first. A VM never
        /// created has nothing to remove.
        /// </summary>
        public static ActionPlan Delete(IDockerEngine engine, string name, Observation seen, bool force, int stopGraceSec)
        {
            if (seen.ContainerId.Length == 0)
            {
                return new ActionPlan(VmAction.Delete, name, engine);
            }
            var remove = new RemoveRequest(seen.ContainerId, force || seen.State == VmState.Suspended);
            return force && seen.State == VmState.Running
                ? new ActionPlan(VmAction.Delete, name, engine, new StopRequest(seen.ContainerId, stopGraceSec), remove)
                : new ActionPlan(VmAction.Delete, name, engine, remove);
        }
    }
}
