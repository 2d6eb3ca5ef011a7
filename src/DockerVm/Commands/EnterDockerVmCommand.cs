using System;
using System.Management.Automation;
using DockerVm.Engine;

namespace DockerVm.Commands
{
    /// <summary>
    /// Enter-DockerVm: an interactive shell in the VM on the current console (docker exec -it), like
    /// Enter-PSSession. In a host without a console, a clear error before anything runs.
    /// </summary>
    [Cmdlet(VerbsCommon.Enter, "DockerVm", DefaultParameterSetName = ByObject, HelpUri = HelpLinks.Base + "Enter-DockerVm.md")]
    [OutputType(typeof(void))]
    public sealed class EnterDockerVmCommand : VmTargetCmdlet
    {
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Command { get; set; } = "sh";

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? User { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? WorkingDirectory { get; set; }

        protected override void ProcessVm(DockerVmInstance vm)
        {
            // The console is PowerShell's own: only a console host whose input and output are a terminal.
            if (Host.Name != "ConsoleHost" || Console.IsInputRedirected || Console.IsOutputRedirected)
            {
                throw Failures.NoConsole(Host.Name, vm.Name);
            }
            var exitCode = Await(ct => vm.EnterAsync(new ExecSpec { Command = Command, User = User, WorkingDirectory = WorkingDirectory }, ct));
            SessionState.PSVariable.Set("global:LASTEXITCODE", exitCode);
        }
    }
}
