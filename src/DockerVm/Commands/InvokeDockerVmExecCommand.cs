using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using DockerVm.Engine;

namespace DockerVm.Commands
{
    /// <summary>
    /// Invoke-DockerVmExec: docker exec. stdout lines stream to the pipeline as they come, stderr
    /// lines go to the information stream (tagged stderr, shown on the host); a non-zero exit is one
    /// DockerVmExecFailed error, and $LASTEXITCODE is set. -AsResult emits one DockerVmExecResult instead.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "DockerVmExec", DefaultParameterSetName = ByObject, HelpUri = HelpLinks.Base + "Invoke-DockerVmExec.md")]
    [OutputType(typeof(string), typeof(DockerVmExecResult))]
    public sealed class InvokeDockerVmExecCommand : VmTargetCmdlet
    {
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Command { get; set; } = "";

        [Parameter(Position = 2, ValueFromRemainingArguments = true)]
        [AllowEmptyString]
        [AllowEmptyCollection]
        public string[] ArgumentList { get; set; } = Array.Empty<string>();

        [Parameter]
        [ValidateEnvironment]
        public Hashtable? Environment { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? WorkingDirectory { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? User { get; set; }

        [Parameter]
        [AllowEmptyString]
        public string? StandardInput { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int TimeoutSec { get; set; }

        [Parameter]
        public SwitchParameter AsResult { get; set; }

        protected override void ProcessVm(DockerVmInstance vm)
        {
            var spec = new ExecSpec
            {
                Command = Command,
                Arguments = ArgumentList ?? Array.Empty<string>(),
                Environment = Hashtables.ToStrings(Environment, nameof(Environment)),
                WorkingDirectory = WorkingDirectory,
                User = User,
                StandardInput = StandardInput,
            };
            var observer = AsResult ? null : new Streamer(this);
            var outcome = Await(ct => vm.ExecAsync(spec, observer, MyInvocation.BoundParameters.ContainsKey(nameof(TimeoutSec)) ? Seconds(TimeoutSec) : null, ct));
            SessionState.PSVariable.Set("global:LASTEXITCODE", outcome.ExitCode);
            if (AsResult)
            {
                WriteObject(new DockerVmExecResult
                {
                    Name = vm.Name,
                    Command = Command,
                    Arguments = spec.Arguments is string[] a ? a : new List<string>(spec.Arguments).ToArray(),
                    ExitCode = outcome.ExitCode,
                    StandardOutput = outcome.StandardOutput,
                    StandardError = outcome.StandardError,
                    Duration = outcome.Duration,
                });
            }
            else if (outcome.ExitCode != 0)
            {
                throw Failures.ExecFailed(vm.Name, Command, outcome.ExitCode, outcome.StandardError);
            }
        }

        // Called on the transport's reader threads: only queue (waiting for room), the pipeline thread writes.
        private sealed class Streamer : IExecObserver
        {
            private static readonly string[] StderrTags = { "stderr", "PSHOST" };
            private readonly InvokeDockerVmExecCommand _cmdlet;

            public Streamer(InvokeDockerVmExecCommand cmdlet) => _cmdlet = cmdlet;

            public void OnStandardOutput(string line) => _cmdlet.PostStreamed(() => _cmdlet.WriteObject(line));

            public void OnStandardError(string line) => _cmdlet.PostStreamed(() =>
                _cmdlet.WriteInformation(new HostInformationMessage { Message = line }, StderrTags));
        }
    }
}
