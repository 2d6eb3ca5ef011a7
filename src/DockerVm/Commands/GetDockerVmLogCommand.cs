using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Commands
{
    /// <summary>
    /// Get-DockerVmLog: a VM's log as typed lines (DockerVmLogLine: Name, Stream, Timestamp, Text),
    /// written to the pipeline as they come, in constant memory. -Follow keeps streaming until the
    /// container stops, Ctrl+C, or the pipeline has enough (Select-Object -First): the engine
    /// command ends with it. With -Follow, every VM named (or piped) is followed at once.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "DockerVmLog", DefaultParameterSetName = ByObject, HelpUri = HelpLinks.Base + "Get-DockerVmLog.md")]
    [OutputType(typeof(DockerVmLogLine))]
    public sealed class GetDockerVmLogCommand : VmTargetCmdlet
    {
        /// <summary>The type name whose view shows each line's timestamp (-Timestamps).</summary>
        public const string TimestampsView = "DockerVm.DockerVmLogLine#Timestamps";

        private readonly List<DockerVmInstance> _following = new();

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int Tail { get; set; }

        [Parameter]
        public DateTime Since { get; set; }

        [Parameter]
        public SwitchParameter Follow { get; set; }

        [Parameter]
        public SwitchParameter Timestamps { get; set; }

        private LogRequest Request => new()
        {
            Tail = MyInvocation.BoundParameters.ContainsKey(nameof(Tail)) ? Tail : null,
            Since = MyInvocation.BoundParameters.ContainsKey(nameof(Since)) ? Since : null,
            Follow = Follow,
        };

        protected override void ProcessRecord()
        {
            if (!Follow)
            {
                base.ProcessRecord(); // one VM after the other, each log whole
                return;
            }
            // Followed logs never end by themselves: gather every VM, then follow them all at once.
            _following.AddRange(ResolveTargets());
        }

        protected override void ProcessVm(DockerVmInstance vm) =>
            Await(ct => vm.StreamLogsAsync(Request, new LineWriter(this, vm.Name), ct));

        protected override void EndProcessing()
        {
            var vms = _following.Distinct().ToList();
            if (vms.Count == 0)
            {
                return;
            }
            var request = Request;
            Try(null, () => Await(ct => Task.WhenAll(vms.Select(vm => FollowOneAsync(vm, request, ct)))));
        }

        // One VM's followed log; its failure is reported (from the pipeline thread) and the others go on.
        private async Task FollowOneAsync(DockerVmInstance vm, LogRequest request, CancellationToken ct)
        {
            try
            {
                await vm.StreamLogsAsync(request, new LineWriter(this, vm.Name), ct).ConfigureAwait(false);
            }
            catch (DockerVmException e)
            {
                Post(() => Report(e, vm));
            }
        }

        private void Emit(DockerVmLogLine line)
        {
            if (!Timestamps)
            {
                WriteObject(line);
                return;
            }
            var shown = new PSObject(line);
            shown.TypeNames.Insert(0, TimestampsView);
            WriteObject(shown);
        }

        // Called on the transport's reader threads: only queue (waiting for room), the pipeline thread writes.
        private sealed class LineWriter : ILogObserver
        {
            private readonly GetDockerVmLogCommand _cmdlet;
            private readonly string _name;

            public LineWriter(GetDockerVmLogCommand cmdlet, string name)
            {
                _cmdlet = cmdlet;
                _name = name;
            }

            public void OnLine(LogStream stream, DateTime? timestamp, string text)
            {
                var line = DockerVmLogLine.From(_name, stream, timestamp, text);
                _cmdlet.PostStreamed(() => _cmdlet.Emit(line));
            }
        }
    }
}
