using System.Collections;
using System.Management.Automation;
using DockerVm.Commands;
using DockerVm.Engine;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>
/// Copy-DockerVmItem, Checkpoint-DockerVm, Get-/Restore-/Remove-DockerVmCheckpoint and
/// New-DockerVm -Checkpoint in-process: binding, pipeline, -WhatIf, -PassThru, error records.
/// </summary>
public sealed class ToolkitCmdletTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dockervm-cmdlet-" + Guid.NewGuid().ToString("N"));

    public ToolkitCmdletTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string HostFile(string name, byte[] content)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>A session over a FakeEngine that describes requests as the CLI does, for -WhatIf checks.</summary>
    private static CmdletSession CliDescribed()
    {
        var fake = new FakeEngine(TestEngines.NewContext());
        TestEngines.Register(new CliDescribedEngine(fake));
        return new CmdletSession(fake);
    }

    // ---- Copy-DockerVmItem ----------------------------------------------------------------

    [Fact]
    public void Copy_ToVM_by_name_resolves_among_managed_vms_of_the_context_and_PassThru_reports_it()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        var file = HostFile("data.bin", new byte[] { 0, 200, 10, 13 });
        s.Set("dir", _dir);

        var run = s.Ok("Set-Location $dir; Copy-DockerVmItem data.bin -ToVM a -Context $ctx -Destination /tmp/ -PassThru");

        Assert.Equal(new byte[] { 0, 200, 10, 13 }, a.Files["/tmp/data.bin"]);
        var result = Assert.Single(run.Objects<DockerVmCopyResult>());
        Assert.Equal(("a", file, "/tmp/", s.Context), (result.VMName, result.Source, result.Destination, result.Context));
        Assert.Equal(new[] { new FakeCall("cp", a.Id, s.Fake.Calls.Last().Detail) }, Expect.Changes(s.Fake));
    }

    [Fact]
    public void Copy_takes_a_vm_object_and_paths_from_the_pipeline_by_value_and_from_Get_ChildItem()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "exited");
        HostFile("one.txt", "1"u8.ToArray());
        HostFile("two.txt", "2"u8.ToArray());
        s.Set("dir", _dir);

        s.Ok("$vm = Get-DockerVm a -Context $ctx; Get-ChildItem $dir -Filter *.txt | Copy-DockerVmItem -ToVM $vm -Destination /tmp");
        s.Ok("$vm = Get-DockerVm a -Context $ctx; Join-Path $dir one.txt | Copy-DockerVmItem -ToVM $vm -Destination /etc/renamed.txt");

        var files = s.Fake.Find("a")!.Files;
        Assert.Equal("1"u8.ToArray(), files["/tmp/one.txt"]);
        Assert.Equal("2"u8.ToArray(), files["/tmp/two.txt"]);
        Assert.Equal("1"u8.ToArray(), files["/etc/renamed.txt"]);
    }

    [Fact]
    public void Copy_FromVM_writes_to_the_host_relative_to_the_location_and_PassThru_emits_the_file_item()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");
        a.Files["/var/data/x.bin"] = new byte[] { 1, 2, 3 };
        a.Files["/var/data/sub/y.txt"] = "y"u8.ToArray();
        Directory.CreateDirectory(Path.Combine(_dir, "into"));
        s.Set("dir", _dir);

        var file = s.Ok("Set-Location $dir; Copy-DockerVmItem /var/data/x.bin -FromVM a -Context $ctx -Destination into -PassThru");
        var folder = s.Ok("Set-Location $dir; Copy-DockerVmItem /var/data -FromVM a -Context $ctx -Destination copy -PassThru");
        var contents = s.Ok("Set-Location $dir; Copy-DockerVmItem /var/data/. -FromVM a -Context $ctx -Destination into -PassThru");

        var info = Assert.IsType<FileInfo>(Assert.Single(file.Output).BaseObject);
        Assert.Equal(Path.Combine(_dir, "into", "x.bin"), info.FullName);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(info.FullName));
        Assert.NotNull(Assert.Single(file.Output).Properties["PSPath"]);
        Assert.Equal(Path.Combine(_dir, "copy"), Assert.IsType<DirectoryInfo>(Assert.Single(folder.Output).BaseObject).FullName);
        Assert.Equal("y"u8.ToArray(), File.ReadAllBytes(Path.Combine(_dir, "copy", "sub", "y.txt")));
        Assert.Equal(Path.Combine(_dir, "into"), Assert.IsType<DirectoryInfo>(Assert.Single(contents.Output).BaseObject).FullName);
        Assert.True(File.Exists(Path.Combine(_dir, "into", "sub", "y.txt")));
    }

    [Fact]
    public void A_missing_host_source_is_DockerVmPathNotFound_before_any_engine_change()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "running");
        s.Set("dir", _dir);

        var run = s.Run("Set-Location $dir; Copy-DockerVmItem nope.txt, also-nope -ToVM a -Context $ctx -Destination /tmp");

        Assert.Equal(2, run.Errors.Count);
        var e = Expect.Error(run.Errors[0], "DockerVmPathNotFound", "CopyDockerVmItemCommand", ErrorCategory.ObjectNotFound);
        Expect.TargetVm(e, "a");
        Assert.Contains(Path.Combine(_dir, "nope.txt"), e.Exception.Message);
        Assert.Empty(Expect.Changes(s.Fake));
    }

    [Fact]
    public void A_missing_source_in_the_vm_is_DockerVmPathNotFound_and_the_next_path_goes_on()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "exited");
        a.Files["/etc/ok"] = "ok"u8.ToArray();
        s.Set("dir", _dir);

        var run = s.Run("Copy-DockerVmItem /nope, /etc/ok -FromVM a -Context $ctx -Destination $dir");

        var e = Expect.OnlyError(run, "DockerVmPathNotFound", "CopyDockerVmItemCommand", ErrorCategory.ObjectNotFound);
        Assert.Contains("'/nope'", e.Exception.Message);
        Assert.True(File.Exists(Path.Combine(_dir, "ok")));
    }

    [Fact]
    public void ToVM_takes_a_vm_in_a_one_element_array_and_an_empty_name_is_DockerVmNotFound()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("web1", "exited");
        var file = HostFile("one.txt", new byte[] { 7 });
        s.Set("file", file);

        s.Ok("Copy-DockerVmItem $file -ToVM @(Get-DockerVm web1 -Context $ctx) -Destination /tmp/");
        var empty = s.Run("Copy-DockerVmItem $file -ToVM '' -Context $ctx -Destination /tmp/");

        Assert.Equal(new byte[] { 7 }, a.Files["/tmp/one.txt"]);
        Expect.OnlyError(empty, "DockerVmNotFound", "CopyDockerVmItemCommand", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void A_vm_name_that_matches_nothing_is_DockerVmNotFound_once()
    {
        using var s = new CmdletSession();
        s.Fake.Add("unmanaged", "running", managed: false);
        var file = HostFile("f", new byte[] { 1 });
        s.Set("file", file);

        var run = s.Run("$file, $file | Copy-DockerVmItem -ToVM unmanaged -Context $ctx -Destination /tmp");

        var e = Expect.OnlyError(run, "DockerVmNotFound", "CopyDockerVmItemCommand", ErrorCategory.ObjectNotFound);
        Assert.Contains("unmanaged", e.Exception.Message);
        Assert.Empty(Expect.Changes(s.Fake));
    }

    [Fact]
    public void Copy_WhatIf_shows_the_docker_cp_command_on_the_container_id_and_copies_nothing()
    {
        using var s = CliDescribed();
        var a = s.Fake.Add("a", "running");
        var file = HostFile("my file.txt", new byte[] { 1 });
        s.Set("file", file);
        s.Set("dir", _dir);

        var run = s.Ok("""
            Copy-DockerVmItem $file -ToVM a -Context $ctx -Destination /tmp/ -WhatIf
            Copy-DockerVmItem /etc/x -FromVM a -Context $ctx -Destination $dir -WhatIf
            """);

        Assert.Equal(new[]
        {
            $"What if: Performing the operation \"docker --context {s.Context} cp '{file}' {a.Id}:/tmp/\" on target \"a\".",
            $"What if: Performing the operation \"docker --context {s.Context} cp {a.Id}:/etc/x {_dir}\" on target \"a\".",
        }, run.WhatIf);
        Assert.Empty(Expect.Changes(s.Fake));
    }

    [Fact]
    public void Copy_keeps_the_ends_docker_cp_reads_of_host_paths()
    {
        using var s = CliDescribed();
        var a = s.Fake.Add("a", "running");
        HostFile("folder/f", new byte[] { 1 });
        s.Set("dir", _dir);

        var run = s.Ok("Set-Location $dir; Copy-DockerVmItem folder/. -ToVM a -Context $ctx -Destination /srv -WhatIf; Copy-DockerVmItem /srv -FromVM a -Context $ctx -Destination folder/ -WhatIf");

        Assert.Contains($"cp {_dir}/folder/. {a.Id}:/srv\"", run.WhatIf[0]);
        Assert.Contains($"cp {a.Id}:/srv {_dir}/folder/\"", run.WhatIf[1]);
    }

    [Fact]
    public void ToVM_and_FromVM_take_a_DockerVmInstance_and_are_in_separate_sets()
    {
        using var s = new CmdletSession();
        var info = Assert.IsType<CmdletInfo>(Assert.Single(s.Ok("Get-Command Copy-DockerVmItem").Output).BaseObject);

        Assert.Equal(typeof(DockerVmInstance), info.Parameters["ToVM"].ParameterType);
        Assert.Equal(typeof(DockerVmInstance), info.Parameters["FromVM"].ParameterType);
        Assert.Equal(new[] { "FromVM", "ToVM" }, info.ParameterSets.Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal("ToVM", Assert.Single(info.Parameters["ToVM"].ParameterSets).Key);
        var run = s.Run("Copy-DockerVmItem x -ToVM a -FromVM b -Destination y");
        Assert.NotNull(run.Terminating);
    }

    // ---- Checkpoint-DockerVm / Get-DockerVmCheckpoint ---------------------------------------

    [Fact]
    public void Checkpoint_PassThru_emits_the_checkpoint_and_without_it_nothing()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("a", "running");

        var quiet = s.Ok("Checkpoint-DockerVm a v1 -Context $ctx");
        var loud = s.Ok("Get-DockerVm a -Context $ctx | Checkpoint-DockerVm -CheckpointName v2 -PassThru");

        Assert.Empty(quiet.Output);
        var cp = Assert.Single(loud.Objects<DockerVmCheckpoint>());
        Assert.Equal(("a", "v2", s.Context), (cp.VMName, cp.Name, cp.Context));
        Assert.Equal(2, s.Fake.LocalImages.Count);
        Assert.Equal(new[] { "commit", "commit" }, Expect.Changes(s.Fake).Select(c => c.Operation));
        Assert.All(Expect.Changes(s.Fake), c => Assert.Equal(a.Id, c.Target));
        Assert.Equal("running", a.Status);
    }

    [Fact]
    public void The_default_checkpoint_name_is_a_timestamp_and_never_taken()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "exited");

        var cps = s.Ok("1..3 | ForEach-Object { Checkpoint-DockerVm a -Context $ctx -PassThru }").Objects<DockerVmCheckpoint>();

        Assert.Equal(3, cps.Select(c => c.Name).Distinct().Count());
        Assert.All(cps, c => Assert.Matches(@"^\d{8}-\d{6}(-\d+)?$", c.Name));
    }

    [Fact]
    public void Checkpoint_WhatIf_shows_the_docker_commit_on_the_container_id()
    {
        using var s = CliDescribed();
        var a = s.Fake.Add("a", "running");

        var run = s.Ok("Checkpoint-DockerVm a v1 -Context $ctx -WhatIf");

        var line = Assert.Single(run.WhatIf);
        Assert.StartsWith($"What if: Performing the operation \"docker --context {s.Context} commit --change 'LABEL ", line);
        Assert.Contains("\"dockervm.managed\"=\"\"", line);
        Assert.Contains("\"dockervm.checkpoint.name\"=\"v1\"", line);
        Assert.EndsWith($"' {a.Id} dockervm-checkpoint:{Checkpoints.Tag("a", "v1")}\" on target \"a\".", line);
        Assert.Empty(Expect.Changes(s.Fake));
    }

    [Fact]
    public void An_invalid_or_taken_checkpoint_name_is_an_error_for_that_vm()
    {
        using var s = new CmdletSession();
        s.Fake.Add("a", "exited");
        s.Ok("Checkpoint-DockerVm a v1 -Context $ctx");

        var bad = s.Run("Checkpoint-DockerVm a 'x*' -Context $ctx");
        var taken = s.Run("Checkpoint-DockerVm a v1 -Context $ctx");

        Expect.OnlyError(bad, "DockerVmInvalidName", "CheckpointDockerVmCommand", ErrorCategory.InvalidArgument);
        Expect.OnlyError(taken, "DockerVmNameConflict", "CheckpointDockerVmCommand", ErrorCategory.ResourceExists);
        Assert.Single(s.Fake.LocalImages);
    }

    [Fact]
    public void Get_lists_checkpoints_by_vm_and_name_with_wildcards_those_of_deleted_vms_too()
    {
        using var s = new CmdletSession();
        s.Fake.Add("web1", "exited");
        s.Fake.Add("web2", "running");
        s.Fake.Add("db", "running");
        s.Ok("""
            Checkpoint-DockerVm web1 v1 -Context $ctx; Checkpoint-DockerVm web1 v2 -Context $ctx
            Checkpoint-DockerVm web2 v1 -Context $ctx; Checkpoint-DockerVm db base -Context $ctx
            Remove-DockerVm web1 -Context $ctx
            """);

        string Names(string script) => string.Join(" ", s.Ok(script).Objects<DockerVmCheckpoint>().Select(c => c.VMName + "/" + c.Name));

        Assert.Equal("db/base web1/v1 web1/v2 web2/v1", Names("Get-DockerVmCheckpoint -Context $ctx"));
        Assert.Equal("web1/v1 web1/v2 web2/v1", Names("Get-DockerVmCheckpoint web* -Context $ctx"));
        Assert.Equal("web1/v2", Names("Get-DockerVmCheckpoint web1 v2 -Context $ctx"));
        Assert.Equal("web1/v1 web2/v1", Names("Get-DockerVmCheckpoint -Name v1 -Context $ctx"));
        Assert.Equal("db/base web2/v1", Names("Get-DockerVm web2, db -Context $ctx | Get-DockerVmCheckpoint"));
        Assert.Equal("web1/v1", Names("'web1' | Get-DockerVmCheckpoint -Name v1 -Context $ctx"));
        Assert.Equal("", Names("Get-DockerVmCheckpoint nosuchvm -Context $ctx"));
    }

    [Fact]
    public void Get_with_a_literal_name_that_matches_nothing_is_DockerVmCheckpointNotFound()
    {
        using var s = new CmdletSession();
        s.Fake.Add("web1", "exited");
        s.Ok("Checkpoint-DockerVm web1 v1 -Context $ctx");

        var run = s.Run("Get-DockerVmCheckpoint web1 v1, nope, no* -Context $ctx");

        var e = Expect.OnlyError(run, "DockerVmCheckpointNotFound", "GetDockerVmCheckpointCommand", ErrorCategory.ObjectNotFound);
        Assert.Contains("'nope'", e.Exception.Message);
        Assert.Equal("v1", Assert.Single(run.Objects<DockerVmCheckpoint>()).Name);
    }

    [Fact]
    public void Checkpoint_names_complete_from_the_engine_for_the_vm_given()
    {
        using var s = new CmdletSession();
        s.Fake.Add("web1", "exited");
        s.Fake.Add("web2", "exited");
        s.Ok("Checkpoint-DockerVm web1 v1 -Context $ctx; Checkpoint-DockerVm web1 'before upgrade' -Context $ctx; Checkpoint-DockerVm web2 v9 -Context $ctx");
        var completer = new CheckpointNameCompleter();

        IEnumerable<string> Complete(string word, Hashtable bound) =>
            completer.CompleteArgument("Get-DockerVmCheckpoint", "Name", word, null!, bound).Select(r => r.CompletionText);

        Assert.Equal(new[] { "v1", "v9" }, Complete("v", new Hashtable { ["Context"] = s.Context }).OrderBy(x => x));
        Assert.Equal(new[] { "v1" }, Complete("v", new Hashtable { ["Context"] = s.Context, ["VMName"] = "web1" }));
        Assert.Equal(new[] { "'before upgrade'" }, Complete("'bef", new Hashtable { ["Context"] = s.Context, ["VMName"] = new[] { "web*" } }));
    }

    // ---- Restore / Remove / New -Checkpoint --------------------------------------------------

    [Fact]
    public void Restore_by_object_or_by_names_replaces_the_container_and_PassThru_emits_the_same_vm()
    {
        using var s = new CmdletSession();
        var old = s.Fake.Add("web1", "running");

        var run = s.Ok("""
            $vm = Get-DockerVm web1 -Context $ctx
            $cp = Checkpoint-DockerVm $vm v1 -PassThru
            $back = $cp | Restore-DockerVmCheckpoint -PassThru
            [object]::ReferenceEquals($vm, $back)
            Restore-DockerVmCheckpoint -VMName web1 -Name v1 -Context $ctx -Start -PassThru
            """);

        Assert.Equal(2, run.Output.Count);
        Assert.True((bool)run.Output[0].BaseObject);
        var vm = Assert.IsType<DockerVmInstance>(run.Output[1].BaseObject);
        Assert.Equal(VmState.Running, vm.State);
        var now = Assert.Single(s.Fake.Containers);
        Assert.Equal(("web1", now.Id, "running"), (now.Name, vm.ContainerId, now.Status));
        Assert.NotEqual(old.Id, now.Id);
    }

    [Fact]
    public void Restore_WhatIf_shows_create_remove_and_rename_and_changes_nothing()
    {
        using var s = CliDescribed();
        var a = s.Fake.Add("web1", "exited");
        s.Ok("Checkpoint-DockerVm web1 v1 -Context $ctx");
        var mark = Expect.Changes(s.Fake).Count;

        var run = s.Ok("Restore-DockerVmCheckpoint -VMName web1 -Name v1 -Context $ctx -WhatIf");

        var line = Assert.Single(run.WhatIf);
        Assert.Contains($"docker --context {s.Context} create --init --name web1-restoring ", line);
        Assert.Contains($" && docker --context {s.Context} rm --force {a.Id} && docker --context {s.Context} rename web1-restoring web1\" on target \"web1\".", line);
        Assert.Equal(mark, Expect.Changes(s.Fake).Count);
    }

    [Fact]
    public void Restore_of_a_missing_checkpoint_is_DockerVmCheckpointNotFound_and_changes_nothing()
    {
        using var s = new CmdletSession();
        s.Fake.Add("web1", "exited");

        var byName = s.Run("Restore-DockerVmCheckpoint -VMName web1 -Name nope -Context $ctx");
        var gone = s.Run("$cp = Checkpoint-DockerVm web1 v1 -Context $ctx -PassThru; Remove-DockerVmCheckpoint $cp; $cp | Restore-DockerVmCheckpoint");

        Expect.OnlyError(byName, "DockerVmCheckpointNotFound", "RestoreDockerVmCheckpointCommand", ErrorCategory.ObjectNotFound);
        Expect.OnlyError(gone, "DockerVmCheckpointNotFound", "RestoreDockerVmCheckpointCommand", ErrorCategory.ObjectNotFound);
        Assert.DoesNotContain(Expect.Changes(s.Fake), c => c.Operation is "create" or "rm" or "rename");
    }

    [Fact]
    public void Restore_for_a_deleted_vm_is_DockerVmNotFound_saying_how_to_recreate_it()
    {
        using var s = new CmdletSession();
        s.Fake.Add("web1", "exited");

        var run = s.Run("$cp = Checkpoint-DockerVm web1 v1 -Context $ctx -PassThru; Remove-DockerVm web1 -Context $ctx; $cp | Restore-DockerVmCheckpoint");

        var e = Expect.OnlyError(run, "DockerVmNotFound", "RestoreDockerVmCheckpointCommand", ErrorCategory.ObjectNotFound);
        Assert.Contains("New-DockerVm -Checkpoint", e.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void Remove_by_pipeline_and_by_names_with_WhatIf_and_an_in_use_checkpoint_refused()
    {
        using var s = CliDescribed();
        s.Fake.Add("web1", "exited");
        s.Fake.Add("web2", "exited");
        s.Ok("Checkpoint-DockerVm web1 v1 -Context $ctx; Checkpoint-DockerVm web1 v2 -Context $ctx; Checkpoint-DockerVm web2 v1 -Context $ctx");

        var whatIf = s.Ok("Get-DockerVmCheckpoint web1 -Context $ctx | Remove-DockerVmCheckpoint -WhatIf");
        Assert.Equal(new[]
        {
            $"What if: Performing the operation \"docker --context {s.Context} rmi dockervm-checkpoint:{Checkpoints.Tag("web1", "v1")}\" on target \"checkpoint 'v1' of VM 'web1'\".",
            $"What if: Performing the operation \"docker --context {s.Context} rmi dockervm-checkpoint:{Checkpoints.Tag("web1", "v2")}\" on target \"checkpoint 'v2' of VM 'web1'\".",
        }, whatIf.WhatIf);
        Assert.Equal(3, s.Fake.LocalImages.Count);

        s.Ok("Restore-DockerVmCheckpoint -VMName web2 -Name v1 -Context $ctx");
        var inUse = s.Run("Remove-DockerVmCheckpoint -VMName web* -Name v1 -Context $ctx");
        var missing = s.Run("Remove-DockerVmCheckpoint -VMName web1 -Name nope -Context $ctx");

        Expect.OnlyError(inUse, "DockerCommandFailed", "RemoveDockerVmCheckpointCommand", ErrorCategory.NotSpecified);
        Expect.OnlyError(missing, "DockerVmCheckpointNotFound", "RemoveDockerVmCheckpointCommand", ErrorCategory.ObjectNotFound);
        Assert.Equal(new[] { "web1/v2", "web2/v1" }, s.Ok("Get-DockerVmCheckpoint -Context $ctx").Objects<DockerVmCheckpoint>().Select(c => c.VMName + "/" + c.Name));
    }

    [Fact]
    public void New_from_a_checkpoint_runs_its_command_with_its_files_and_a_missing_one_creates_nothing()
    {
        using var s = new CmdletSession();
        var a = s.Fake.Add("web1", "running");
        a.Command.AddRange(new[] { "sleep", "1d" });

        var run = s.Ok("$cp = Checkpoint-DockerVm web1 v1 -Context $ctx -PassThru; New-DockerVm -Checkpoint $cp -Name web2 -Start");
        var vm = Assert.Single(run.Objects<DockerVmInstance>());
        var web2 = s.Fake.Find("web2")!;
        Assert.Equal((VmState.Running, "dockervm-checkpoint:" + Checkpoints.Tag("web1", "v1")), (vm.State, vm.Image));
        Assert.Equal(new[] { "sleep", "1d" }, web2.Command);
        Assert.Equal("true", web2.Labels[DockerVm.Labels.Managed]);

        var missing = s.Run("$cp = Get-DockerVmCheckpoint web1 v1 -Context $ctx; Remove-DockerVm web2 -Force -Context $ctx; Remove-DockerVmCheckpoint $cp; New-DockerVm -Checkpoint $cp -Name web3");
        Expect.OnlyError(missing, "DockerVmCheckpointNotFound", "NewDockerVmCommand", ErrorCategory.ObjectNotFound);
        Assert.Null(s.Fake.Find("web3"));
    }

    [Fact]
    public void New_takes_Image_or_Checkpoint_never_both()
    {
        using var s = new CmdletSession();
        var info = Assert.IsType<CmdletInfo>(Assert.Single(s.Ok("Get-Command New-DockerVm").Output).BaseObject);

        Assert.Equal(typeof(DockerVmCheckpoint), info.Parameters["Checkpoint"].ParameterType);
        Assert.Equal("FromCheckpoint", Assert.Single(info.Parameters["Checkpoint"].ParameterSets).Key);
        Assert.DoesNotContain("FromCheckpoint", info.Parameters["Image"].ParameterSets.Keys);
        Assert.NotNull(s.Run("New-DockerVm -Image x -Checkpoint ([DockerVm.DockerVmCheckpoint]::new()) -WhatIf").Terminating);
    }

    [Fact]
    public void The_checkpoint_table_view_never_cuts_a_name()
    {
        using var s = new CmdletSession();
        var name = "accb5140b-fmt-4650-a-very-long-vm-name";
        s.Fake.Add(name, "exited");
        s.Ok($"Checkpoint-DockerVm {name} 'a checkpoint name that is rather long too' -Context $ctx");

        var text = string.Join("\n", s.Ok("Get-DockerVmCheckpoint -Context $ctx | Format-Table | Out-String -Width 80").Strings);

        Assert.Contains(name, text);
        Assert.Contains("a checkpoint name that is rather long too", text);
    }
}
