using System;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace DockerVm.Commands
{
    /// <summary>Refuses, at parameter binding, a string that is not a valid .NET regular expression.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class ValidateRegexAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var text = arguments is PSObject p ? p.BaseObject : arguments;
            if (text is not string pattern)
            {
                return;
            }
            try
            {
                _ = new Regex(pattern);
            }
            catch (ArgumentException e)
            {
                throw new ValidationMetadataException($"'{pattern}' is not a valid regular expression: {e.Message}");
            }
        }
    }
}
