namespace DockerVm
{
    /// <summary>The lifecycle states of a VM, in the contract's order.</summary>
    public enum VmState
    {
        Initial,
        Cloning,
        Starting,
        Running,
        Stopping,
        Stopped,
        Suspending,
        Suspended,
        Deleting,
        Deleted,
        ErrorUnknown,
    }

    /// <summary>The actions a VM accepts, in the contract's order.</summary>
    public enum VmAction
    {
        None,
        Clone,
        Start,
        Stop,
        Suspend,
        Delete,
    }
}
