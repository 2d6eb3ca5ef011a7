using System;
using DockerVm.Engine;

namespace DockerVm
{
    /// <summary>
    /// What DockerVm last knew of a VM's container: immutable, replaced whole. A read of the engine
    /// makes one (<see cref="From"/>); an action's end makes one from the table (<see cref="In"/>).
    /// </summary>
    public sealed class Observation
    {
        public Observation(VmState state, string ipAddress, string containerId, DateTime? createdAt, string image)
        {
            State = state;
            // Only a Running VM has an address.
            IPAddress = state == VmState.Running ? ipAddress : "";
            ContainerId = containerId;
            CreatedAt = createdAt;
            Image = image;
        }

        public VmState State { get; }
        public string IPAddress { get; }
        /// <summary>The container's full id; empty before it is created.</summary>
        public string ContainerId { get; }
        public DateTime? CreatedAt { get; }
        public string Image { get; }

        /// <summary>A VM not yet created.</summary>
        public static Observation Initial(string image) => new(VmState.Initial, "", "", null, image);

        /// <summary>The engine's view of the container.</summary>
        public Observation From(ContainerInfo info) => new(
            info.VmState, info.IPAddress, info.Id, info.Created ?? CreatedAt,
            info.Labels.TryGetValue(Labels.Image, out var image) && image.Length > 0 ? image : Image);

        /// <summary>The same container in another state.</summary>
        public Observation In(VmState state) => new(state, IPAddress, ContainerId, CreatedAt, Image);

        /// <summary>A container just created.</summary>
        public Observation Created(string containerId) => new(VmState.Stopped, "", containerId, DateTime.UtcNow, Image);

        /// <summary>The container is gone: Deleted (Initial if it was never created).</summary>
        public Observation Gone() => In(State == VmState.Initial && ContainerId.Length == 0 ? VmState.Initial : VmState.Deleted);
    }
}
