using System;
using System.Management.Automation;
using System.Runtime.CompilerServices;

namespace DockerVm.Commands
{
    /// <summary>
    /// Lets a DockerVmInstance parameter take a VM's name as well (Copy-DockerVmItem -ToVM web1). The
    /// binder cannot see -Context yet, so a name becomes a placeholder that the cmdlet resolves
    /// (<see cref="TryGetName"/>) among the managed VMs of its -Context before any use.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class VmByNameAttribute : ArgumentTransformationAttribute
    {
        private static readonly ConditionalWeakTable<DockerVmInstance, string> Names = new();

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject p ? p.BaseObject : inputData;
            // One VM in an array (@($vm), a one-row result) is that VM.
            if (value is System.Collections.IList { Count: 1 } one)
            {
                value = one[0] is PSObject q ? q.BaseObject : one[0];
                inputData = value!;
            }
            if (value is string name)
            {
                // Never a VM of its own, never registered nor sent anything: it only carries the name to the cmdlet.
                var placeholder = new DockerVmInstance(new Engine.DockerCli(), name, "");
                Names.Add(placeholder, name);
                return placeholder;
            }
            return inputData; // a DockerVmInstance, or something the binder refuses
        }

        /// <summary>True when <paramref name="vm"/> stands for a name given on the command line.</summary>
        public static bool TryGetName(DockerVmInstance vm, out string name)
        {
            if (Names.TryGetValue(vm, out var n))
            {
                name = n;
                return true;
            }
            name = "";
            return false;
        }
    }
}
