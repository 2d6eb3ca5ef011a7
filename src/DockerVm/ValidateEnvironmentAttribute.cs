using System;
using System.Collections;
using System.Management.Automation;

namespace DockerVm.Commands
{
    /// <summary>
    /// Refuses, at parameter binding, an -Environment key that is not a variable name
    /// (ParameterArgumentValidationError, naming the key and the rule): the error is about the key,
    /// before anything is created or run.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class ValidateEnvironmentAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            if ((arguments is PSObject p ? p.BaseObject : arguments) is not IDictionary table)
            {
                return;
            }
            foreach (var key in table.Keys)
            {
                var name = (key is PSObject k ? k.BaseObject : key)?.ToString() ?? "";
                if (!InputRules.IsEnvironmentName(name))
                {
                    throw new ValidationMetadataException(Failures.InvalidEnvironmentKey(name, null).Message);
                }
            }
        }
    }
}
