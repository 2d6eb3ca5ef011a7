using System.Text.RegularExpressions;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>
/// -WhatIf and -Confirm: the message names the VM and shows the action's plan (the engine's own
/// description of each request), and nothing is sent. The messages reach the host UI, which the
/// recording host keeps line by line.
/// </summary>
public class WhatIfTests
{
    public static readonly TheoryData<string, string, string> Actions = new()
    {
        // cmdlet, docker status before, the fake engine's word for the request
        { "Start-DockerVm", "exited", "start" },
        { "Start-DockerVm", "paused", "unpause" },
        { "Stop-DockerVm", "running", "stop" },
        { "Suspend-DockerVm", "running", "pause" },
        { "Resume-DockerVm", "paused", "unpause" },
        { "Remove-DockerVm", "exited", "remove" },
        { "Remove-DockerVm", "paused", "remove" },
    };

    [Theory]
    [MemberData(nameof(Actions))]
    public void WhatIf_names_the_vm_and_its_plan_and_sends_nothing(string cmdlet, string status, string request)
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", status);

        var run = s.Ok($"{cmdlet} -Name a -Context $ctx -WhatIf -PassThru");

        Assert.Equal($"What if: Performing the operation \"fake {request} {a.Id}\" on target \"a\".", Assert.Single(run.WhatIf));
        Assert.Empty(run.Output);
        Assert.Empty(Expect.Changes(s.Fake));
        Assert.Equal(status, a.Status);
    }

    [Fact]
    public void WhatIf_of_Remove_Force_on_a_running_vm_shows_stop_then_rm()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");

        var run = s.Ok("Remove-DockerVm a -Force -Context $ctx -WhatIf");

        Assert.Equal($"What if: Performing the operation \"fake stop {a.Id} && fake remove {a.Id}\" on target \"a\".", Assert.Single(run.WhatIf));
        Assert.Empty(Expect.Changes(s.Fake));
        Assert.Single(s.Fake.Containers);
        Assert.Equal(VmState.Running, Assert.Single(s.Ok("Get-DockerVm a -Context $ctx").Objects<DockerVmInstance>()).State);
    }

    [Fact]
    public void WhatIf_of_Stop_shows_the_grace_it_would_use()
    {
        // The fake's own descriptions omit arguments: describe as the CLI would, over the fake.
        var fake = new FakeEngine(TestEngines.NewContext());
        TestEngines.Register(new CliDescribedEngine(fake));
        using var s = new CmdletSession(fake);
        var a = fake.Add("a", "running");
        a.Labels[DockerVm.Labels.StopTimeout] = "7";
        var c = s.Context;

        var run = s.Ok("""
            Stop-DockerVm a -Context $ctx -WhatIf
            Stop-DockerVm a -TimeoutSec 3 -Context $ctx -WhatIf
            Stop-DockerVm a -Force -Context $ctx -WhatIf
            Remove-DockerVm a -Force -Context $ctx -WhatIf
            """);

        Assert.Equal(new[]
        {
            $"What if: Performing the operation \"docker --context {c} stop --timeout 7 {a.Id}\" on target \"a\".",
            $"What if: Performing the operation \"docker --context {c} stop --timeout 3 {a.Id}\" on target \"a\".",
            $"What if: Performing the operation \"docker --context {c} stop --timeout 0 {a.Id}\" on target \"a\".",
            $"What if: Performing the operation \"docker --context {c} stop --timeout 7 {a.Id} && docker --context {c} rm --force {a.Id}\" on target \"a\".",
        }, run.WhatIf);
        Assert.Empty(Expect.Changes(fake));
    }

    [Fact]
    public void WhatIf_with_a_wildcard_shows_one_message_per_vm()
    {
        using var s = new CmdletSession();
        var w1 = s.Fake.Add("web-1", "running");
        var w2 = s.Fake.Add("web-2", "running");

        var run = s.Ok("Suspend-DockerVm 'web-*' -Context $ctx -WhatIf");

        Assert.Equal(new[]
        {
            $"What if: Performing the operation \"fake pause {w1.Id}\" on target \"web-1\".",
            $"What if: Performing the operation \"fake pause {w2.Id}\" on target \"web-2\".",
        }, run.WhatIf);
        Assert.Empty(Expect.Changes(s.Fake));
    }

    [Fact]
    public void WhatIfPreference_acts_as_WhatIf()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "exited");

        var run = s.Ok("$WhatIfPreference = $true; Remove-DockerVm a -Context $ctx; $WhatIfPreference = $false");

        Assert.Equal($"What if: Performing the operation \"fake remove {a.Id}\" on target \"a\".", Assert.Single(run.WhatIf));
        Assert.Empty(Expect.Changes(s.Fake));
    }

    [Fact]
    public void New_WhatIf_shows_create_and_start_and_creates_nothing()
    {
        using var s = new CmdletSession();

        var run = s.Ok("New-DockerVm -Image fake/img -Name n1 -Start -Context $ctx -WhatIf; New-DockerVm fake/img n2 -Context $ctx -WhatIf");

        Assert.Equal(new[]
        {
            "What if: Performing the operation \"fake create n1 && fake start n1\" on target \"n1\".",
            "What if: Performing the operation \"fake create n2\" on target \"n2\".",
        }, run.WhatIf);
        Assert.Empty(run.Output);
        Assert.Empty(s.Fake.Calls);
        Assert.Empty(s.Fake.Containers);
    }

    [Fact]
    public void Confirm_answered_No_sends_nothing_and_the_prompt_names_vm_and_plan()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        s.Host.ConfirmAnswer = "No";

        var run = s.Ok("Stop-DockerVm a -Context $ctx -Confirm -PassThru");

        var prompt = Assert.Single(s.Host.Prompts);
        Assert.Contains($"\"fake stop {a.Id}\"", prompt.Message);
        Assert.Contains("on target \"a\"", prompt.Message);
        Assert.Empty(run.Output);
        Assert.Empty(Expect.Changes(s.Fake));
        Assert.Equal("running", a.Status);
    }

    [Fact]
    public void Confirm_answered_Yes_acts()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        s.Host.ConfirmAnswer = "Yes";

        var vm = Assert.Single(s.Ok("Stop-DockerVm a -Context $ctx -Confirm -PassThru").Objects<DockerVmInstance>());

        Assert.Single(s.Host.Prompts);
        Assert.Equal(VmState.Stopped, vm.State);
        Assert.Equal(new[] { new FakeCall("stop", a.Id, 10) }, Expect.Changes(s.Fake));
    }

    [Fact]
    public void Remove_and_Stop_ask_for_confirmation_at_ConfirmPreference_Medium_but_Start_does_not()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "exited");
        var b = s.Fake.Add("b", "exited");
        s.Host.ConfirmAnswer = "No";

        s.Ok("$ConfirmPreference = 'Medium'; Remove-DockerVm a -Context $ctx; Start-DockerVm b -Context $ctx; $ConfirmPreference = 'High'");

        Assert.Single(s.Host.Prompts);
        Assert.Equal(new[] { new FakeCall("start", b.Id) }, Expect.Changes(s.Fake));
        Assert.Equal("exited", a.Status);
    }
}

/// <summary>
/// New-DockerVm -WhatIf on the real CLI transport: the message is the docker command line the
/// VM would run, with the program from $env:DOCKERVM_CLI, every dockervm.* label, the user's
/// labels and the environment masked. Nothing runs (the program does not exist). In the fake-CLI
/// collection: it sets a process-wide environment variable.
/// </summary>
[Collection(FakeCliCollection.Name)]
public class CliWhatIfTests
{
    [Fact]
    public void New_WhatIf_shows_the_cli_command_with_every_label_and_masked_environment()
    {
        var engine = TestEngines.Register(new DockerCli(TestEngines.NewContext()));
        using var s = new CmdletSession(TestEngines.NewFake());
        s.Set("cli", engine.Context);
        var saved = Environment.GetEnvironmentVariable(DockerCli.CliVariable);
        RunResult run;
        try
        {
            run = s.Ok("""
                $env:DOCKERVM_CLI = '/opt/x/mydocker'
                New-DockerVm -Image 'reg.example/img:1' -Name web1 -Context $cli -Start -WhatIf `
                    -Label @{ team = 'blue'; 'com.example.tier' = 'front end' } `
                    -Environment @{ SECRET = 'hunter2'; PLAIN = 'visible?' } `
                    -StopTimeoutSec 7 -PollingIntervalMs 50 -ContainerCommand sh, -c, 'sleep 1' -CreateArgument '--memory', '64m'
                """);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DockerCli.CliVariable, saved);
        }

        var line = Assert.Single(run.WhatIf);
        var c = engine.Context;
        Assert.StartsWith($"What if: Performing the operation \"/opt/x/mydocker --context {c} create --init --name web1 --label ", line);
        Assert.EndsWith($" && /opt/x/mydocker --context {c} start web1\" on target \"web1\".", line);
        Assert.Contains("--label dockervm.managed=true ", line);
        Assert.Contains("--label dockervm.image=reg.example/img:1 ", line);
        Assert.Contains("--label dockervm.stop-timeout=7 ", line);
        Assert.Contains("--label dockervm.polling-interval=50 ", line);
        Assert.Contains("--label 'dockervm.command=[\"sh\",\"-c\",\"sleep 1\"]' ", line);
        Assert.Matches(new Regex("--label dockervm\\.create-token=[0-9a-f]{32} "), line);
        Assert.Contains("--label team=blue ", line);
        Assert.Contains("--label 'com.example.tier=front end' ", line);
        Assert.Contains("--env PLAIN=*** --env SECRET=*** ", line);
        Assert.DoesNotContain("hunter2", line);
        Assert.DoesNotContain("visible", line);
        Assert.Contains(" --memory 64m -- reg.example/img:1 sh -c 'sleep 1' && ", line);
        Assert.Empty(run.Output);
    }

    [Fact]
    public void Without_DOCKERVM_CLI_the_program_is_docker()
    {
        var engine = TestEngines.Register(new DockerCli(TestEngines.NewContext()));
        using var s = new CmdletSession(TestEngines.NewFake());
        s.Set("cli", engine.Context);
        var saved = Environment.GetEnvironmentVariable(DockerCli.CliVariable);
        RunResult run;
        try
        {
            Environment.SetEnvironmentVariable(DockerCli.CliVariable, null);
            run = s.Ok("New-DockerVm busybox b1 -Context $cli -WhatIf");
        }
        finally
        {
            Environment.SetEnvironmentVariable(DockerCli.CliVariable, saved);
        }

        var line = Assert.Single(run.WhatIf);
        Assert.StartsWith($"What if: Performing the operation \"docker --context {engine.Context} create --init --name b1 ", line);
        Assert.EndsWith(" busybox tail -f /dev/null\" on target \"b1\".", line);
    }
}

/// <summary>-Verbose leaves DockerVm's own labels out of the ShouldProcess line; -WhatIf and -Confirm show them.</summary>
public class VerboseHidesInternalsTests
{
    private static CmdletSession CliDescribed()
    {
        var fake = new FakeEngine(TestEngines.NewContext());
        TestEngines.Register(new CliDescribedEngine(fake));
        return new CmdletSession(fake);
    }

    [Fact]
    public void New_Verbose_shows_the_docker_command_with_the_users_labels_only()
    {
        using var s = CliDescribed();

        var run = s.Ok("New-DockerVm fake/img web1 -Label @{ team = 'blue'; 'dockervm.test' = 'r1' } -Environment @{ K = 'secret' } -Context $ctx -Verbose");

        var line = Assert.Single(run.Verbose, v => v.Contains(" create --init --name web1 "));
        Assert.Contains("--label dockervm.test=r1 --label team=blue --env K=*** -- fake/img tail -f /dev/null", line);
        foreach (var v in run.Verbose)
        {
            Assert.DoesNotContain("dockervm.managed", v);
            Assert.DoesNotContain("dockervm.create-token", v);
            Assert.DoesNotContain("secret", v);
        }
        Assert.Equal("true", s.Fake.Containers.Single().Labels["dockervm.managed"]); // still created with them
    }

    [Fact]
    public void WhatIf_and_Confirm_still_show_every_label_even_with_Verbose()
    {
        using var s = CliDescribed();

        var whatIf = s.Ok("New-DockerVm fake/img web1 -Context $ctx -Verbose -WhatIf");
        var confirm = s.Ok("New-DockerVm fake/img web2 -Context $ctx -Verbose -Confirm");
        var preference = s.Ok("$WhatIfPreference = $true; New-DockerVm fake/img web3 -Context $ctx; $WhatIfPreference = $false");

        Assert.Contains("--label dockervm.managed=true", Assert.Single(whatIf.WhatIf));
        Assert.Contains("--label dockervm.managed=true", Assert.Single(preference.WhatIf));
        Assert.Contains(s.Host.Prompts, p => p.Message.Contains("--label dockervm.managed=true") && p.Message.Contains("web2"));
        Assert.Empty(s.Fake.Containers);
    }
}
