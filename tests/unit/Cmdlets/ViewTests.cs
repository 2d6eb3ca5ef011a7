using System.Text.RegularExpressions;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>
/// The table views (module/DockerVm.format.ps1xml) never cut a VM's name or an image: at 120 and
/// at 80 columns, with names and images as long as real ones. (tests/Views.Tests.ps1 checks the
/// same on the real engine.)
/// </summary>
public class ViewTests
{
    private const string LongName = "eco-integration-test-runner-01";
    private const string LongerName = "eco-integration-test-runner-02";
    private const string LongImage = "registry.local:5000/eco/runner:2024.11";

    public static readonly TheoryData<int> Widths = new() { 120, 80 };

    private static IReadOnlyList<string> Table(CmdletSession s, string script, int width)
    {
        var text = string.Concat(s.Ok($"{script} | Out-String -Width {width}").Strings);
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r', ' ')).Where(l => l.Length > 0).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= width, $"longer than {width}: {l}"));
        return lines;
    }

    private static void AssertWhole(IReadOnlyList<string> lines, string name, string image)
    {
        Assert.Contains(lines, l => Regex.IsMatch(l, $@"^{Regex.Escape(name)}\s+{Regex.Escape(image)}(\s|$)"));
    }

    [Fact]
    public void Name_and_image_are_sized_by_the_table_not_fixed()
    {
        Assert.NotNull(CmdletSession.FormatFile);
        using var s = new CmdletSession();
        foreach (var type in new[] { "DockerVm.DockerVmInstance", "DockerVm.DockerVmProperties", "DockerVm.DockerVmExecResult" })
        {
            var widths = s.Ok($"(Get-FormatData -TypeName {type}).FormatViewDefinition.Control.Headers | " +
                              "Where-Object Label -in 'Name', 'Image' | ForEach-Object { $_.Label + '=' + $_.Width }").Strings;
            Assert.NotEmpty(widths);
            Assert.All(widths, w => Assert.EndsWith("=0", w, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void The_instance_table_shows_whole_names_and_images(int width)
    {
        using var s = new CmdletSession();
        s.Fake.Add(LongName, "running", image: "dockervm/busybox:latest");
        s.Fake.Add(LongerName, "paused", image: LongImage);

        var lines = Table(s, "Get-DockerVm -Context $ctx", width);

        Assert.Matches(@"^Name\s+Image\s+State", lines[0]);
        AssertWhole(lines, LongName, "dockervm/busybox:latest");
        AssertWhole(lines, LongerName, LongImage);
        if (width >= 120)
        {
            Assert.Matches(@"^Name\s+Image\s+State\s+IPAddress$", lines[0]);
            Assert.Contains(lines, l => Regex.IsMatch(l, $@"^{LongName}\s+\S+\s+Running\s+\d+\.\d+\.\d+\.\d+$"));
            // Wide enough for every column whole; narrower, the trailing ones give way first.
            Assert.Contains(lines, l => Regex.IsMatch(l, $@"^{LongerName}\s+\S+\s+Suspended$"));
            Assert.DoesNotContain(lines, l => l.Contains('…'));
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void The_properties_table_shows_whole_names_and_images(int width)
    {
        using var s = new CmdletSession();
        s.Fake.Add(LongName, "running", image: "dockervm/busybox:latest");
        s.Fake.Add(LongerName, "exited", image: LongImage);

        var lines = Table(s, "Get-DockerVmProperties -Context $ctx -Name eco-*", width);

        Assert.StartsWith("Name", lines[0], StringComparison.Ordinal);
        AssertWhole(lines, LongName, "dockervm/busybox:latest");
        AssertWhole(lines, LongerName, LongImage);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void The_exec_result_table_shows_whole_names(int width)
    {
        using var s = new CmdletSession();
        s.Fake.Add(LongName, "running");

        var lines = Table(s, $"Invoke-DockerVmExec -Context $ctx -Name {LongName} -Command echo -ArgumentList hi -AsResult", width);

        Assert.Matches(@"^Name\s+ExitCode\s+Duration\s+Command", lines[0]);
        Assert.Matches($@"^{LongName}\s+0\s+\d+ ms\s+echo hi", lines[2]);
    }
}
