using System.Collections.Generic;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests;

/// <summary>The shown command line can be pasted into a POSIX shell; the real argv is never joined.</summary>
public class CliArgumentsTests
{
    [Theory]
    [InlineData("plain-name_1.2", "plain-name_1.2")]
    [InlineData("a|b", "'a|b'")]
    [InlineData("x && rm -rf /", "'x && rm -rf /'")]
    [InlineData("<in>", "'<in>'")]
    [InlineData("(sub)", "'(sub)'")]
    [InlineData("hi!", "'hi!'")]
    [InlineData("`cmd`", "'`cmd`'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    public void Display_quotes_what_a_shell_would_interpret(string argument, string shown)
    {
        var args = new CliArguments().Add("exec").Add(argument);

        Assert.Equal($"docker exec {shown}", args.Display("docker"));
        Assert.Equal(new[] { "exec", argument }, args.Actual);
    }

    [Fact]
    public void Display_masks_secret_values_and_leaves_the_mask_readable()
    {
        var args = new CliArguments().AddPairs("--env", new Dictionary<string, string> { ["TOKEN"] = "s3cr3t|x" }, secret: true);

        Assert.Equal("docker --env TOKEN=***", args.Display("docker"));
        Assert.Equal(new[] { "--env", "TOKEN=s3cr3t|x" }, args.Actual);
    }
}
