# Hardening on the real engine: never the wrong container, bounded time on a sick engine.
# The faults are real sockets (Faults.ps1): a hung engine that accepts and never answers, a proxy
# in front of the engine's socket that answers every request late.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    . $PSScriptRoot/Faults.ps1
    Assert-Engine

    function Measure-Failure([scriptblock] $Failing) {
        # Runs an action that must fail; returns the first error record and the seconds it took.
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $err = $null
        try { & $Failing } catch { $err = $_ }
        $sw.Stop()
        [pscustomobject]@{ Error = $err; Seconds = $sw.Elapsed.TotalSeconds }
    }

    function Use-DockerHost([string] $DockerHost, [scriptblock] $Body) {
        # The module, like the CLI, reads DOCKER_HOST at each engine command.
        $saved = $env:DOCKER_HOST
        $env:DOCKER_HOST = $DockerHost
        try { & $Body } finally { $env:DOCKER_HOST = $saved }
    }
}

AfterAll {
    Stop-FaultEngine -All
    Remove-TestContainers
}

Describe 'Never the wrong container' -Tag 'E2E', 'Hardening' {
    It 'Remove without -Force of a stale Stopped object whose container was started elsewhere is refused; the container survives' {
        $vm = New-TestVm 'stale'
        try {
            $vm.State | Should -Be 'Stopped'
            & docker start $vm.Name | Out-Null
            { Remove-DockerVm -VM $vm -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmInvalidTransition,*'
            Get-DockerStatus $vm.Name | Should -Be 'running'
            $vm.State | Should -Be 'Running' -Because 'the engine was read before removing'
            Remove-DockerVm -VM $vm -Force
            Get-DockerStatus $vm.Name | Should -Be 'absent'
        }
        finally { & docker rm -f $vm.Name *> $null }
    }

    It 'a VM whose name was reused by a container DockerVm does not manage never touches that container' {
        $vm = New-TestVm 'reuse' -Parameters @{ Start = $true }
        $name = $vm.Name
        try {
            & docker rm -f $name | Out-Null
            $other = & docker run -d --init --name $name --label "dockervm.test=$TestRun" $TestImage tail -f /dev/null
            { Invoke-DockerVmExec -VM $vm -Command true -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotFound,*'
            { Suspend-DockerVm -VM $vm -ErrorAction Stop } | Should -Throw
            { Remove-DockerVm -VM $vm -Force -ErrorAction Stop } | Should -Throw
            $vm.State | Should -Be 'Deleted'
            (Get-DockerInspect $name).Id | Should -Be $other
            Get-DockerStatus $name | Should -Be 'running' -Because 'the unmanaged container was neither paused nor removed'
            Get-DockerVm -Name $name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        finally { & docker rm -f $name *> $null }
    }
}

Describe 'Bounded time on a sick engine' -Tag 'E2E', 'Hardening', 'Faults' {
    BeforeAll {
        $script:hung = Start-HungEngine
    }
    AfterAll {
        Stop-FaultEngine $script:hung
    }

    It '<Cmdlet> reports DockerEngineUnavailable within seconds when the engine never answers' -ForEach @(
        @{ Cmdlet = 'Get-DockerVm'; Action = { Get-DockerVm -ErrorAction Stop } }
        @{ Cmdlet = 'New-DockerVm'; Action = { New-DockerVm -Image $TestImage -Name (New-TestName 'hung') -Label $TestLabel -ErrorAction Stop } }
        @{ Cmdlet = 'Stop-DockerVm'; Action = { Stop-DockerVm -Name 'dvt-hung-any' -ErrorAction Stop } }
    ) {
        $r = Use-DockerHost $script:hung.DockerHost { Measure-Failure $Action }
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'DockerEngineUnavailable,*'
        $r.Error.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $r.Seconds | Should -BeLessThan 20 -Because 'a dead engine is reported within ~10 s (probe after 2 s, ping deadline 8 s)'
    }

    It 'an exec on a VM whose engine stops answering ends with DockerEngineUnavailable, not a hang' {
        $vm = New-TestVm 'hungexec' -Parameters @{ Start = $true }
        try {
            $r = Use-DockerHost $script:hung.DockerHost { Measure-Failure { Invoke-DockerVmExec -VM $vm -Command sleep -ArgumentList 600 -ErrorAction Stop } }
            $r.Error.FullyQualifiedErrorId | Should -BeLike 'DockerEngineUnavailable,*'
            $r.Seconds | Should -BeLessThan 20
        }
        finally { Remove-DockerVm -VM $vm -Force -ErrorAction SilentlyContinue; & docker rm -f $vm.Name *> $null }
    }

    It 'Wait-DockerVm -TimeoutSec is honoured as given, whatever the engine does' {
        $vm = New-TestVm 'hungwait'
        try {
            $r = Use-DockerHost $script:hung.DockerHost { Measure-Failure { Wait-DockerVm -VM $vm -State Running -TimeoutSec 3 -ErrorAction Stop } }
            $r.Error.FullyQualifiedErrorId | Should -BeLike 'DockerVmTimeout,*'
            $r.Seconds | Should -BeLessThan 8
        }
        finally { Remove-DockerVm -VM $vm -Force -ErrorAction SilentlyContinue }
    }

    It 'a live but slow engine is waited for, not reported dead' {
        $vms = 1..3 | ForEach-Object { New-TestVm 'slow' }
        $slow = Start-SlowEngine -DelayMs 1500
        try {
            $found = Use-DockerHost $slow.DockerHost { Get-DockerVm -Name ($vms.Name) -ErrorAction Stop }
            $found | Should -HaveCount 3
            (Get-FaultRequest $slow).Count | Should -BeGreaterThan 3 -Because 'every request went through the slow proxy'
            Use-DockerHost $slow.DockerHost { $vms[0] | Start-DockerVm -PassThru -ErrorAction Stop } | ForEach-Object State | Should -Be 'Running'
        }
        finally {
            Stop-FaultEngine $slow
            $vms | Remove-DockerVm -Force -ErrorAction SilentlyContinue
        }
    }
}
