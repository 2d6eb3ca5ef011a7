using System.Management.Automation;
using System.Text.Json;

namespace Neighbour
{
    /// <summary>Serializes a value with whichever System.Text.Json this process gave the neighbour module.</summary>
    [Cmdlet(VerbsCommon.Get, "NeighbourJson")]
    public sealed class GetNeighbourJsonCommand : PSCmdlet
    {
        [Parameter(Position = 0)]
        public string Value { get; set; } = "neighbour";

        protected override void ProcessRecord()
        {
            var json = JsonSerializer.Serialize(new[] { Value });
            WriteObject(new PSObject(new { Json = json, JsonVersion = typeof(JsonSerializer).Assembly.GetName().Version!.ToString() }));
        }
    }
}
