# Many engines (contract part 2 §10) on real engines: the main one, a second dockerd of the suite's
# own (SecondEngine.ps1), a context whose socket nobody listens on (dead) and one that accepts and
# never answers (hung). The contexts live in a temporary DOCKER_CONFIG: the user's ~/.docker is never
# touched. -Context * lists every engine in parallel, an unreachable one is one non-terminating
# DockerEngineUnavailable, and a pipeline acts on each VM on its own engine.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    . $PSScriptRoot/SecondEngine.ps1
    . $PSScriptRoot/Faults.ps1
    Assert-Engine

    $script:SavedConfig = $env:DOCKER_CONFIG
    $script:Config = Join-Path ([IO.Path]::GetTempPath()) ('dvt-config-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Config | Out-Null
    $env:DOCKER_CONFIG = $script:Config

    $script:E2WasRunning = Test-E2Engine
    Initialize-E2Engine # creates the context $E2Context, in the temporary store
    $script:Dead = 'dvt-dead-' + [Guid]::NewGuid().ToString('N').Substring(0, 8)
    & docker context create $script:Dead --docker "host=unix://$script:Config/nobody-listens.sock" *> $null
    if ($LASTEXITCODE -ne 0) { throw "docker context create $script:Dead failed" }

    function Get-Status([string] $Name, [switch] $E2) {
        # The engine's own view of a container: status, or 'absent'.
        $s = if ($E2) { Invoke-E2Docker inspect --type container --format '{{.State.Status}}' $Name 2>$null }
             else { & docker inspect --type container --format '{{.State.Status}}' $Name 2>$null }
        if ($LASTEXITCODE -ne 0) { return 'absent' }
        return $s
    }

    function Get-Listing([string] $Script) {
        # Runs a listing with -ErrorAction SilentlyContinue: its output and the errors it wrote.
        & ([scriptblock]::Create("`$out = @($Script -ErrorAction SilentlyContinue -ErrorVariable errs); [pscustomobject]@{ Output = `$out; Errors = @(`$errs) }"))
    }

    function Assert-OneUnavailable($Errors, [string] $Context) {
        $Errors | Should -HaveCount 1
        $Errors[0].FullyQualifiedErrorId | Should -BeLike 'DockerEngineUnavailable,*'
        $Errors[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $Errors[0].TargetObject | Should -Be $Context
        $Errors[0].ErrorDetails.Message | Should -BeLike "*Context '$Context'*"
    }
}

AfterAll {
    $label = "label=dockervm.test=$TestRun"
    foreach ($engine in @('main', 'e2')) {
        if ($engine -eq 'e2' -and -not (Test-E2Engine)) { continue }
        $d = if ($engine -eq 'e2') { { Invoke-E2Docker @args } } else { { & docker @args } }
        $left = & $d ps -aq --filter $label
        if ($left) { & $d rm -f @left *> $null }
        $refs = & $d images --filter $label --format '{{.Repository}}:{{.Tag}}' | Where-Object { $_ -notlike '*<none>*' }
        if ($refs) { & $d rmi -f @refs *> $null }
    }
    if (-not $script:E2WasRunning) { Remove-E2Engine }
    & docker context rm -f $script:Dead $E2Context *> $null
    $env:DOCKER_CONFIG = $script:SavedConfig
    Remove-Item -LiteralPath $script:Config -Recurse -Force -ErrorAction Ignore
}

# NotPodman (build.ps1 Podman): starts a second dockerd of its own beside the engine under test.
Describe 'Many engines' -Tag 'E2E', 'ManyEngines', 'NotPodman' {
    It 'lists the VMs of every engine with -Context *, and the dead one is one non-terminating DockerEngineUnavailable' {
        $name = New-TestName 'me'
        $main = New-TestVm -Parameters @{ Name = $name; Start = $true }
        $other = New-TestVm -Parameters @{ Name = $name; Context = $E2Context }
        try {
            $got = Get-Listing 'Get-DockerVm -Context * -Label $TestLabel'
            $got.Output | ForEach-Object { "$($_.Context)/$($_.Name)/$($_.State)" } | Sort-Object |
                Should -Be "/$name/Running", "$E2Context/$name/Stopped"
            Assert-OneUnavailable $got.Errors $Dead
            $got.Output | Where-Object Context -eq '' | ForEach-Object { $_ | Should -Be $main -Because 'the default engine is the same session object as without -Context' }

            $got = Get-Listing "Get-DockerVm -Context 'dvt-nomatch-*'"
            $got.Output | Should -BeNullOrEmpty
            $got.Errors | Should -BeNullOrEmpty -Because 'a wildcard that matches no context is no error'

            $got = Get-Listing "Get-DockerVm -Context 'dvt-no-such-context'"
            $got.Errors | Should -HaveCount 1
            $got.Errors[0].FullyQualifiedErrorId | Should -BeLike 'DockerEngineUnavailable,*'
        }
        finally {
            $main, $other | Remove-DockerVm -Force
        }
    }

    It 'acts on each VM on its own engine from a -Context * pipeline (Stop, then Remove)' {
        $name = New-TestName 'me'
        $null = New-TestVm -Parameters @{ Name = $name; Start = $true }
        $null = New-TestVm -Parameters @{ Name = $name; Context = $E2Context; Start = $true }
        Get-Status $name | Should -Be 'running'
        Get-Status $name -E2 | Should -Be 'running'

        $stopped = Get-DockerVm $name -Context * -ErrorAction SilentlyContinue | Stop-DockerVm -PassThru
        $stopped | ForEach-Object { "$($_.Context)/$($_.State)" } | Sort-Object | Should -Be '/Stopped', "$E2Context/Stopped"
        Get-Status $name | Should -Be 'exited'
        Get-Status $name -E2 | Should -Be 'exited'

        Get-DockerVm $name -Context * -ErrorAction SilentlyContinue | Remove-DockerVm -Force
        Get-Status $name | Should -Be 'absent'
        Get-Status $name -E2 | Should -Be 'absent'
    }

    It 'lists the pools of every engine with -Context *, and removes each on its own engine' {
        $pool = New-TestName 'mep'
        $p = @{ Name = $pool; Image = $TestImage; Label = $TestLabel; Size = 1; StagingState = 'Stopped' }
        New-DockerVmPool @p
        New-DockerVmPool @p -Context $E2Context
        $got = Get-Listing "Get-DockerVmPool -Context *"
        $got.Output | Where-Object Name -eq $pool | ForEach-Object { "$($_.Context)/$($_.Ready)" } | Sort-Object |
            Should -Be '/1', "$E2Context/1"
        Assert-OneUnavailable $got.Errors $Dead

        Get-DockerVmPool $pool -Context * -ErrorAction SilentlyContinue | Remove-DockerVmPool -Confirm:$false
        & docker ps -aq --filter "label=dockervm.pool=$pool" | Should -BeNullOrEmpty
        Invoke-E2Docker ps -aq --filter "label=dockervm.pool=$pool" | Should -BeNullOrEmpty
    }

    It 'lists the checkpoints of every engine with -Context *, and removes each on its own engine' {
        $name = New-TestName 'mec'
        $vms = @(New-TestVm -Parameters @{ Name = $name }; New-TestVm -Parameters @{ Name = $name; Context = $E2Context })
        try {
            $vms | Checkpoint-DockerVm -CheckpointName 'v1'
            $got = Get-Listing "Get-DockerVmCheckpoint $name -Context *"
            $got.Output | ForEach-Object { "$($_.Context)/$($_.VMName)/$($_.Name)" } | Sort-Object |
                Should -Be "/$name/v1", "$E2Context/$name/v1"
            Assert-OneUnavailable $got.Errors $Dead

            Get-DockerVmCheckpoint $name -Context * -ErrorAction SilentlyContinue | Remove-DockerVmCheckpoint -Confirm:$false
            & docker images -q --filter "label=dockervm.test=$TestRun" --filter "label=dockervm.checkpoint.vm=$name" | Should -BeNullOrEmpty
            Get-DockerVmCheckpoint $name -Context '', $E2Context | Should -BeNullOrEmpty
        }
        finally { $vms | Remove-DockerVm -Force }
    }

    It 'reports an engine that never answers within seconds, and the engines before it are written out at once' {
        $name = New-TestName 'meh'
        $vm = New-TestVm -Parameters @{ Name = $name; Context = $E2Context }
        $hung = Start-HungEngine -Context ('dvt-hung-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $errors = $null
            $arrived = $null
            Get-DockerVm -Context $E2Context, $hung.Context -Label $TestLabel -ErrorAction SilentlyContinue -ErrorVariable errors |
                ForEach-Object { if ($_.Name -eq $name) { $arrived = $clock.Elapsed.TotalSeconds } }
            $total = $clock.Elapsed.TotalSeconds
            Assert-OneUnavailable @($errors) $hung.Context
            $total | Should -BeLessThan 20 -Because 'the liveness probe reports a dead engine within about 10 s'
            $arrived | Should -Not -BeNullOrEmpty
            $arrived | Should -BeLessThan ($total - 3) -Because 'the live engine is written out as soon as it answers'
        }
        finally {
            Stop-FaultEngine $hung
            $vm | Remove-DockerVm -Force
        }
    }
}
