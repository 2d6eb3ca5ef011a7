# Runbooks run unattended: engine faults, Ctrl+C, concurrency and hostile input must leave every VM
# in a known state and no container behind. All on real engines; the fault tests use a second
# engine of their own (SecondEngine.ps1) so the main one is never disturbed.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    . $PSScriptRoot/SecondEngine.ps1
    . $PSScriptRoot/Faults.ps1
    Assert-Engine

    function Start-StartHoldingEngine {
        # The main engine behind a proxy that swallows every `start` (it never reaches the engine, and is
        # never answered) and passes everything else on: a start that hangs, on either transport.
        Start-SlowEngine -DelayMs 0 -Match 'POST /v[0-9.]+/containers/[^/]+/start' -HangAfter 0
    }
}

# NotPodman (build.ps1 Podman): these stop and kill a second dockerd of their own; they test a dying docker engine, not the one under test.
Describe 'Engine faults' -Tag 'E2E', 'Reliability', 'EngineFault', 'NotPodman' {
    BeforeAll {
        Initialize-E2Engine
        $script:ctx = $E2Context
    }

    AfterAll {
        # The second engine is the suite's own: clear it and stop it (its tests assert their own cleanup).
        if (Test-E2Engine) {
            $left = Invoke-E2Docker ps -aq --filter "label=dockervm.test=$TestRun"
            if ($left) { Invoke-E2Docker rm -f @left | Out-Null }
        }
        Remove-E2Engine
        & docker context rm -f $E2Context *> $null
    }

    It 'keeps VMs of two engines apart by -Context' {
        $vm = New-TestVm 'ctx' -Parameters @{ Context = $ctx }
        try {
            $vm.Context | Should -Be $ctx
            (Invoke-E2Docker inspect --type container --format '{{.State.Status}}' $vm.Name) | Should -Be 'created'
            Get-DockerStatus $vm.Name | Should -Be 'absent'
            (Get-DockerVm -Name $vm.Name -Context $ctx).Context | Should -Be $ctx
            Get-DockerVm -Name $vm.Name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            (Get-DockerVm -Context '', $ctx | Where-Object Name -eq $vm.Name) | Should -HaveCount 1
            Start-DockerVm -Name $vm.Name -Context $ctx
            (Invoke-E2Docker inspect --type container --format '{{.State.Status}}' $vm.Name) | Should -Be 'running'
        }
        finally { $vm | Remove-DockerVm -Force }
        (Invoke-E2Docker ps -aq --filter "name=$($vm.Name)") | Should -BeNullOrEmpty
    }

    It 'reports DockerEngineUnavailable within seconds while the engine is down, and finds every VM again after the restart' {
        $stopped = New-TestVm 'fault' -Parameters @{ Context = $ctx }
        $running = New-TestVm 'fault' -Parameters @{ Context = $ctx; Start = $true }
        Stop-E2Engine
        try {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            { Get-DockerVm -Context $ctx -ErrorAction Stop } | Should -Throw -ErrorId 'DockerEngineUnavailable,*'
            { Start-DockerVm -VM $stopped -ErrorAction Stop } | Should -Throw -ErrorId 'DockerEngineUnavailable,*'
            { Invoke-DockerVmExec -VM $running -Command echo -ErrorAction Stop } | Should -Throw -ErrorId 'DockerEngineUnavailable,*'
            { Stop-DockerVm -VM $running -ErrorAction Stop } | Should -Throw -ErrorId 'DockerEngineUnavailable,*'
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 20 -Because 'an unreachable engine is reported, never waited on'
            $stopped.State | Should -Be 'Stopped' -Because 'a failed operation leaves the state unchanged'
            $running.State | Should -Be 'Running'
        }
        finally { Start-E2Engine }

        $found = Get-DockerVm -Context $ctx | Where-Object Name -in $stopped.Name, $running.Name
        $found | Should -HaveCount 2
        foreach ($vm in $found) {
            $status = Invoke-E2Docker inspect --type container --format '{{.State.Status}}' $vm.Name
            $vm.State | Should -Be ([DockerVm.StateMachine]::StateOf([DockerVm.Engine.ContainerStateInfo]::Parse($status))) -Because "docker says '$status'"
        }
        $found | Where-Object State -ne 'Running' | Start-DockerVm
        $found | ForEach-Object { $_.State | Should -Be 'Running' }
        $found | Remove-DockerVm -Force
        (Invoke-E2Docker ps -aq --filter "label=dockervm.test=$TestRun") | Should -BeNullOrEmpty
    }
}

Describe 'Ctrl+C' -Tag 'E2E', 'Reliability', 'Cancellation' {
    It 'stops a long Invoke-DockerVmExec within seconds, ending the process in the container and the docker client' {
        $vm = New-TestVm 'cancel' -Parameters @{ Start = $true }
        try {
            $job = Start-Background "Invoke-DockerVmExec -Name '$($vm.Name)' -Command sleep -ArgumentList 600"
            Wait-Until { Get-ExecInFlight $vm 'sleep 600' }
            (Stop-Background $job).TotalSeconds | Should -BeLessThan 10
            Wait-Until { -not (Get-ExecInFlight $vm 'sleep') } -TimeoutSec 10
            (Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'ps -o args | grep "^sleep 600" || true') | Should -BeNullOrEmpty
            (Get-DockerVm -Name $vm.Name).State | Should -Be 'Running'
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It 'stops Start-DockerVm within seconds and leaves the VM in the state the engine reports' {
        $vm = New-TestVm 'cancelstart'
        $hold = Start-StartHoldingEngine
        # Environment variables are per process: the proxy is set for the background runspace's
        # command and taken away before anything else runs here.
        $saved = $env:DOCKER_HOST
        $env:DOCKER_HOST = $hold.DockerHost
        try {
            $job = Start-Background "Start-DockerVm -Name '$($vm.Name)' -TimeoutSec 600"
            $null = Wait-FaultRequest $hold -Pattern 'POST .*/start'
            $took = Stop-Background $job
            $env:DOCKER_HOST = $saved
            $took.TotalSeconds | Should -BeLessThan 10
            Wait-Until { -not (Get-DockerClients "start .*$($vm.ContainerId)") } -TimeoutSec 10
            (Get-DockerVm -Name $vm.Name).State | Should -Be 'Stopped'
            Get-DockerStatus $vm.Name | Should -Be 'created'
            $vm | Start-DockerVm
            $vm.State | Should -Be 'Running'
        }
        finally {
            $env:DOCKER_HOST = $saved
            Stop-FaultEngine $hold
            $vm | Remove-DockerVm -Force
        }
    }

    It 'leaves nothing behind when New-DockerVm -Start is stopped while starting' {
        $name = New-TestName 'cancelnew'
        $hold = Start-StartHoldingEngine
        $saved = $env:DOCKER_HOST
        $env:DOCKER_HOST = $hold.DockerHost
        try {
            $job = Start-Background "New-DockerVm -Image '$TestImage' -Name '$name' -Label @{ 'dockervm.test' = '$TestRun' } -Start"
            $null = Wait-FaultRequest $hold -Pattern 'POST .*/start'
            Start-Sleep -Milliseconds 300
            $took = Stop-Background $job
            $env:DOCKER_HOST = $saved
            $took.TotalSeconds | Should -BeLessThan 15
            Get-DockerStatus $name | Should -Be 'absent'
        }
        finally {
            $env:DOCKER_HOST = $saved
            Stop-FaultEngine $hold
            & docker rm -f $name *> $null
        }
    }

    It 'stops Wait-DockerVm within seconds' {
        $vm = New-TestVm 'cancelwait'
        try {
            $job = Start-Background "Wait-DockerVm -Name '$($vm.Name)' -State Running -TimeoutSec 600"
            Start-Sleep -Milliseconds 800
            (Stop-Background $job).TotalSeconds | Should -BeLessThan 5
            (Get-DockerVm -Name $vm.Name).State | Should -Be 'Stopped'
        }
        finally { $vm | Remove-DockerVm }
    }
}

Describe 'Concurrency' -Tag 'E2E', 'Reliability', 'Concurrency' {
    It 'two runspaces doing <Action> to the same VM end consistent, with at most clean contract errors' -ForEach @(
        @{ Action = 'Start'; Setup = 'Stopped'; End = 'Running'; Docker = 'running' }
        @{ Action = 'Stop'; Setup = 'Running'; End = 'Stopped'; Docker = 'exited' }
        @{ Action = 'Remove'; Setup = 'Stopped'; End = 'Deleted'; Docker = 'absent' }
    ) {
        $vm = New-TestVm 'race' -Parameters @{ Start = ($Setup -eq 'Running') }
        try {
            $module = $ModulePath
            $name = $vm.Name
            $errors = 1..2 | ForEach-Object -ThrottleLimit 2 -Parallel {
                Import-Module $using:module
                $err = $null
                & "$($using:Action)-DockerVm" -Name $using:name -ErrorAction SilentlyContinue -ErrorVariable err
                $err | ForEach-Object { $_.FullyQualifiedErrorId }
            }
            $errors | ForEach-Object { $_ | Should -Match '^(DockerVmInvalidTransition|DockerVmNotFound),' }
            Get-DockerStatus $name | Should -Be $Docker
            if ($End -ne 'Deleted') { (Get-DockerVm -Name $name).State | Should -Be $End }
        }
        finally { Remove-DockerVm -Name $vm.Name -Force -ErrorAction SilentlyContinue }
    }

    It 'runs 20 VMs through full lifecycles in parallel, leaving nothing behind' {
        $prefix = New-TestName 'par'
        $module = $ModulePath
        $label = $TestLabel
        $image = $TestImage
        $results = 1..20 | ForEach-Object -ThrottleLimit 8 -Parallel {
            Import-Module $using:module
            $ErrorActionPreference = 'Stop'
            $vm = New-DockerVm -Image $using:image -Name "$($using:prefix)-$_" -Label $using:label -Start
            $out = Invoke-DockerVmExec -VM $vm -Command echo -ArgumentList "vm$_"
            $vm | Suspend-DockerVm -PassThru | Resume-DockerVm -PassThru | Stop-DockerVm -PassThru | Remove-DockerVm -PassThru |
                ForEach-Object { [pscustomobject]@{ Out = $out; State = "$($_.State)" } }
        }
        $results | Should -HaveCount 20
        $results | ForEach-Object { $_.State | Should -Be 'Deleted' }
        ($results.Out | Sort-Object) | Should -Be (1..20 | ForEach-Object { "vm$_" } | Sort-Object)
        & docker ps -aq --filter "name=$prefix" | Should -BeNullOrEmpty
    }
}

Describe 'Hostile programs' -Tag 'E2E', 'Reliability' {
    It 'takes any -TimeoutSec, however large, without leaving the VM in a transient state' {
        $vm = New-TestVm 'bigtimeout' -Parameters @{ Start = $true }
        try {
            $vm | Stop-DockerVm -TimeoutSec 2000000000
            $vm.State | Should -Be 'Stopped'
            $vm | Start-DockerVm
            Invoke-DockerVmExec -VM $vm -Command echo -ArgumentList ok -TimeoutSec 2000000000 | Should -Be 'ok'
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It 'waits the grace period for a program that ignores SIGTERM, and -Force kills at once' {
        $cmd = 'sh', '-c', 'trap "" TERM; while :; do sleep 1; done'
        $vm = New-TestVm 'ignoreterm' -Parameters @{ Start = $true; ContainerCommand = $cmd; StopTimeoutSec = 3 }
        try {
            $graceful = Measure-Command { $vm | Stop-DockerVm }
            $graceful.TotalSeconds | Should -BeGreaterThan 2.5 -Because 'plain stop waits StopTimeoutSec before SIGKILL'
            $vm.State | Should -Be 'Stopped'
            $vm | Start-DockerVm
            $forced = Measure-Command { $vm | Stop-DockerVm -Force }
            $forced.TotalSeconds | Should -BeLessThan 2.5 -Because '-Force kills at once'
            Get-DockerStatus $vm.Name | Should -Be 'exited'
        }
        finally { $vm | Remove-DockerVm -Force }
    }
}
