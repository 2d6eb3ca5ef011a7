namespace DockerVm
{
    /// <summary>A warm pool as Get-DockerVmPool reports it.</summary>
    public sealed class DockerVmPool
    {
        public string Name { get; init; } = "";
        public string Image { get; init; } = "";
        /// <summary>How many VMs the pool keeps waiting.</summary>
        public int Size { get; init; }
        public VmState StagingState { get; init; }
        /// <summary>VMs waiting now, ready to be taken.</summary>
        public int Ready { get; init; }
        public string Context { get; init; } = "";

        public override string ToString() => Name;
    }
}
