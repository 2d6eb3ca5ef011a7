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
        Invoke-WithEnvironment @{ DOCKER_HOST = $DockerHost } $Body
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

    It 'Get-DockerVm, New-DockerVm, Stop-DockerVm and an exec each report DockerEngineUnavailable within seconds when the engine never answers' {
        # All four at once, each in a runspace of its own (as four consoles would), each timed on its own.
        $vm = New-TestVm 'hungexec' -Parameters @{ Start = $true }   # known Running: the exec goes straight to the engine
        $actions = [ordered]@{
            'Get-DockerVm'        = 'Get-DockerVm -ErrorAction Stop'
            'New-DockerVm'        = "New-DockerVm -Image '$TestImage' -Name '$(New-TestName 'hung')' -Label @{ 'dockervm.test' = '$TestRun' } -ErrorAction Stop"
            'Stop-DockerVm'       = "Stop-DockerVm -Name 'dvt-hung-any' -ErrorAction Stop"
            'Invoke-DockerVmExec' = 'param($vm) Invoke-DockerVmExec -VM $vm -Command sleep -ArgumentList 600 -ErrorAction Stop'
        }
        $timed = {
            param($Action, $Vm)
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $err = $null
            try { $null = & ([scriptblock]::Create($Action)) $Vm } catch { $err = $_ }
            [pscustomobject]@{ Id = $err.FullyQualifiedErrorId; Category = "$($err.CategoryInfo.Category)"; Seconds = $sw.Elapsed.TotalSeconds }
        }
        try {
            $results = Use-DockerHost $script:hung.DockerHost {
                $jobs = foreach ($name in $actions.Keys) { @{ Cmdlet = $name; Job = Start-Background $timed -ArgumentList $actions[$name], $vm } }
                foreach ($j in $jobs) { [pscustomobject]@{ Cmdlet = $j.Cmdlet; Result = Receive-Background $j.Job } }
            }
            $results | Should -HaveCount 4
            foreach ($r in $results) {
                $r.Result.Id | Should -BeLike 'DockerEngineUnavailable,*' -Because "$($r.Cmdlet) ran against an engine that never answers"
                $r.Result.Category | Should -Be 'ResourceUnavailable' -Because $r.Cmdlet
                $r.Result.Seconds | Should -BeLessThan 20 -Because "$($r.Cmdlet): a dead engine is reported within ~10 s (probe after 2 s, ping deadline 8 s)"
            }
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
            # the CLI pings and asks per command; the API lists in one request after negotiating the version
            (Get-FaultRequest $slow).Count | Should -BeGreaterThan ((Get-TestTransport) -eq 'api' ? 1 : 3) -Because 'every request went through the slow proxy'
            Use-DockerHost $slow.DockerHost { $vms[0] | Start-DockerVm -PassThru -ErrorAction Stop } | ForEach-Object State | Should -Be 'Running'
        }
        finally {
            Stop-FaultEngine $slow
            $vms | Remove-DockerVm -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Secrets and input' -Tag 'E2E', 'Hardening' {
    BeforeAll {
        $script:vm = New-TestVm 'input' -Parameters @{ Start = $true }
    }
    AfterAll {
        Remove-DockerVm -VM $script:vm -Force -ErrorAction SilentlyContinue
    }

    It 'keeps -Environment values off the exec command line, and they still reach the process' {
        $secret = 'hunter2-' + [Guid]::NewGuid().ToString('N')
        $job = Start-Background { param($name, $secret) Invoke-DockerVmExec -Name $name -Environment @{ TOKEN = $secret } -- sh -c 'sleep 3; echo "$TOKEN"' } $vm.Name, $secret
        $seen = [Collections.Generic.List[string]]::new()
        $deadline = [DateTime]::UtcNow.AddSeconds(2.5)
        while ([DateTime]::UtcNow -lt $deadline) { $seen.AddRange([string[]]@(Get-CommandLines 'exec|sleep 3')); Start-Sleep -Milliseconds 100 }
        $out = Receive-Background $job
        $out | Should -Be $secret
        if ((Get-TestTransport) -eq 'cli') {
            ($seen | Where-Object { $_ -match "docker .*exec .*sleep 3" }) | Should -Not -BeNullOrEmpty -Because 'the docker client was running while we looked'
        }
        else {
            ($seen | Where-Object { $_ -match '^(\S*/)?docker ' }) | Should -BeNullOrEmpty -Because 'the API transport runs no docker client'
            ($seen | Where-Object { $_ -match 'sleep 3' }) | Should -Not -BeNullOrEmpty -Because 'the process in the VM was running while we looked'
        }
        ($seen | Where-Object { $_ -match [regex]::Escape($secret) }) | Should -BeNullOrEmpty
    }

    It 'keeps -Environment values off the create command line (seen through a slow engine)' {
        $secret = 'hunter3-' + [Guid]::NewGuid().ToString('N')
        $slow = Start-SlowEngine -DelayMs 1000
        $name = New-TestName 'envc'
        try {
            $saved = $env:DOCKER_HOST
            $env:DOCKER_HOST = $slow.DockerHost
            try {
                $job = Start-Background { param($image, $name, $label, $secret) New-DockerVm -Image $image -Name $name -Label $label -Environment @{ TOKEN = $secret } } $TestImage, $name, $TestLabel, $secret
                $seen = [Collections.Generic.List[string]]::new()
                while (-not $job.Handle.IsCompleted) { $seen.AddRange([string[]]@(Get-CommandLines 'create')); Start-Sleep -Milliseconds 100 }
                $null = Receive-Background $job
            }
            finally { $env:DOCKER_HOST = $saved }
            if ((Get-TestTransport) -eq 'cli') {
                ($seen | Where-Object { $_ -match "docker .*create .*--env-file" }) | Should -Not -BeNullOrEmpty
            }
            else {
                (Get-FaultRequest $slow | Where-Object Target -match '/containers/create') | Should -Not -BeNullOrEmpty -Because 'the create went to the engine as an API request, no process'
            }
            ($seen | Where-Object { $_ -match [regex]::Escape($secret) }) | Should -BeNullOrEmpty
            $vm2 = Get-DockerVm -Name $name
            $vm2 | Start-DockerVm
            Invoke-DockerVmExec -VM $vm2 -- sh -c 'echo "$TOKEN"' | Should -Be $secret
        }
        finally {
            Stop-FaultEngine $slow
            & docker rm -f $name *> $null
        }
    }

    It 'takes SecureString and PSCredential values as the secrets they hold' {
        $pw = ConvertTo-SecureString 's3cure value' -AsPlainText -Force
        $cred = [pscredential]::new('user', (ConvertTo-SecureString 'cr3d' -AsPlainText -Force))
        Invoke-DockerVmExec -VM $vm -Environment @{ PW = $pw; CRED = $cred } -- sh -c 'echo "$PW|$CRED"' | Should -Be 's3cure value|cr3d'
    }

    It 'refuses a NUL character with a clear error before anything runs: <Where>' -ForEach @(
        @{ Where = 'exec argument'; Action = { Invoke-DockerVmExec -VM $vm -Command echo -ArgumentList "a`0b" -ErrorAction Stop } }
        @{ Where = 'exec environment'; Action = { Invoke-DockerVmExec -VM $vm -Command true -Environment @{ X = "a`0b" } -ErrorAction Stop } }
        @{ Where = 'container command'; Action = { New-DockerVm -Image $TestImage -Name (New-TestName 'nul') -Label $TestLabel -ContainerCommand "sleep`0" -ErrorAction Stop } }
    ) {
        $err = $null
        try { & $Action } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'DockerVmInvalidName,*'
        "$err" | Should -Match 'NUL'
    }

    It 'never lets an image or create argument act as something else: <Case>' -ForEach @(
        @{ Case = 'image --privileged'; Parameters = @{ Image = '--privileged' }; Id = 'DockerVmImageNotFound' }
        @{ Case = 'create argument --rm'; Parameters = @{ CreateArgument = @('--rm') }; Id = 'DockerVmInvalidName' }
        @{ Case = 'a label that hides the VM'; Parameters = @{ CreateArgument = @('--label=dockervm.managed=false') }; Id = 'DockerVmInvalidName' }
        @{ Case = '-Label dockervm.managed'; Parameters = @{ Label = @{ 'dockervm.managed' = 'false' } }; Id = 'DockerVmInvalidName' }
    ) {
        $name = New-TestName 'bad'
        $p = @{ Image = $TestImage; Name = $name; Label = $TestLabel.Clone() }
        foreach ($k in $Parameters.Keys) { if ($k -eq 'Label') { $p.Label += $Parameters.Label } else { $p[$k] = $Parameters[$k] } }
        { New-DockerVm @p -ErrorAction Stop } | Should -Throw -ErrorId "$Id,*"
        Get-DockerStatus $name | Should -Be 'absent'
    }

    It 'reports an argument list over the OS limit as what it is, not as a missing CLI' {
        $err = $null
        try { Invoke-DockerVmExec -VM $vm -Command echo -ArgumentList ('x' * 1MB) -ErrorAction Stop } catch { $err = $_ }
        # The CLI cannot be started with it (E2BIG); the API sends it, and the VM's kernel refuses the process.
        $err.FullyQualifiedErrorId | Should -BeLike ((Get-TestTransport) -eq 'cli' ? 'DockerCommandFailed,*' : 'DockerVmExecFailed,*')
        "$err" | Should -Match 'too long'
        $vm.State | Should -Be 'Running'
    }

    It 'two processes removing one VM at once: one removes it, the other sees it gone (never DockerCommandFailed)' {
        $v = New-TestVm 'race2'
        $script = "Import-Module '$ModulePath'; try { Remove-DockerVm -Name '$($v.Name)' -Force -ErrorAction Stop; 'removed' } catch { `$_.FullyQualifiedErrorId }"
        $pwsh = Join-Path $PSHOME 'pwsh.dll'
        $jobs = 1..2 | ForEach-Object { Start-ThreadJob { & dotnet $using:pwsh -NoProfile -NonInteractive -Command $using:script } }
        $results = $jobs | Receive-Job -Wait -AutoRemoveJob
        $results | Should -Contain 'removed'
        $results | Where-Object { $_ -ne 'removed' } | ForEach-Object { $_ | Should -BeLike 'DockerVmNotFound,*' }
        Get-DockerStatus $v.Name | Should -Be 'absent'
    }
}

Describe 'Constant memory' -Tag 'E2E', 'Hardening' {
    It 'streams 100 MB of exec output through the pipeline without keeping it' {
        $vm = New-TestVm 'mem' -Parameters @{ Start = $true }
        try {
            $script = @"
Import-Module '$ModulePath'
`$vm = Get-DockerVm -Name '$($vm.Name)'
Invoke-DockerVmExec -VM `$vm -- sh -c 'yes 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 | head -c 100000000' | Out-Null
[GC]::Collect()
[Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
"@
            $peak = & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script
            [long]($peak | Select-Object -Last 1) / 1MB | Should -BeLessThan 450 -Because 'streamed output is not kept (it was about 7x the output before)'
        }
        finally { Remove-DockerVm -VM $vm -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'A cancelled exec ends every process it started' -Tag 'E2E', 'Hardening', 'Cancellation' {
    BeforeAll {
        $script:tree = New-TestVm 'tree' -Parameters @{ Start = $true }
    }
    AfterAll {
        Remove-DockerVm -VM $script:tree -Force -ErrorAction SilentlyContinue
    }

    It 'Ctrl+C of env -i sleep (a process that cleared its environment) ends it' {
        $job = Start-Background { param($name) Invoke-DockerVmExec -Name $name -Command env -ArgumentList '-i', 'sleep', '1002' } $tree.Name
        Wait-Until { Get-VmProcesses $tree '^sleep 1002' } -TimeoutSec 30
        $null = Stop-Background $job
        Wait-Until { -not (Get-VmProcesses $tree '^sleep 1002') } -TimeoutSec 10
    }

    It '-TimeoutSec ends a tree of env -i children, one deaf to TERM and one orphaned' {
        $script = 'env -i sleep 1003 & env -i sh -c ''trap "" TERM; sleep 1004; sleep 1004'' & sh -c ''env -i sleep 1005 &''; wait'
        { Invoke-DockerVmExec -VM $tree -TimeoutSec 3 -ErrorAction Stop -- sh -c $script } | Should -Throw -ErrorId 'DockerVmTimeout,*'
        Wait-Until { -not (Get-VmProcesses $tree '^sleep 100[345]') } -TimeoutSec 10
    }

    It 'the command sees what it always saw: its argv, streams and exit code, and no variable of ours' {
        $r = Invoke-DockerVmExec -VM $tree -AsResult -- sh -c 'echo "$0|$1|${DOCKERVM_EXEC_ID-unset}|$PPID"; echo e >&2; exit 5' zero one
        $r.ExitCode | Should -Be 5
        $r.StandardOutput | Should -Be "zero|one|unset|0`n" -Because 'the command is the exec''s own process (no shell in between), without the marker'
        $r.StandardError | Should -Be "e`n"
        $r = Invoke-DockerVmExec -VM $tree -AsResult -Command no-such-command
        $r.StandardError | Should -Match 'OCI runtime exec failed.*no-such-command' -Because 'a command that is not found is reported by the engine, as before'
    }
}

Describe 'Nothing left behind' -Tag 'E2E', 'Hardening' {
    It 'Ctrl+C during a create on a slow engine: the clean-up outlives the cancelled call and leaves nothing' {
        $slow = Start-SlowEngine -DelayMs 3000
        $name = New-TestName 'ccc'
        $saved = $env:DOCKER_HOST
        $env:DOCKER_HOST = $slow.DockerHost
        try {
            $job = Start-Background "New-DockerVm -Image '$TestImage' -Name '$name' -Label @{ 'dockervm.test' = '$TestRun' }"
            $null = Wait-FaultRequest $slow -Pattern 'POST .*/containers/create'
            $null = Stop-Background $job     # Ctrl+C while the engine has not answered the create yet
        }
        finally { $env:DOCKER_HOST = $saved; Stop-FaultEngine $slow }
        Get-DockerStatus $name | Should -Be 'absent' -Because 'the container the engine made is removed by its create token'
    }

    It 'a create on an engine that answers each request 12 s late is reported unavailable within seconds, and its clean-up goes on until nothing is left' {
        # (12 s: longer than the 2 s before the liveness probe plus its 8 s ping deadline, so the call is reported unavailable.)
        # Every answer 12 s late, but the version negotiation and the docker CLI's own ping: the create reaches the engine on both transports.
        $slow = Start-SlowEngine -DelayMs 12000 -Match '^(?!GET /version|HEAD /_ping)'
        $name = New-TestName 'vslow'
        $real = 'unix:///var/run/docker.sock'
        try {
            Use-DockerHost $slow.DockerHost {
                $r = Measure-Failure { New-DockerVm -Image $TestImage -Name $name -Label $TestLabel -Start -ErrorAction Stop }
                $r.Error.FullyQualifiedErrorId | Should -BeLike 'DockerEngineUnavailable,*'
                $r.Seconds | Should -BeLessThan 20 -Because 'a ping unanswered for 8 s is reported at once, however long the clean-up takes'
                & docker -H $real inspect --type container --format '{{.State.Status}}' $name | Should -Be 'created' -Because 'the engine made the container the create asked for'
                # The clean-up outlives the failed call, and waits for the slow engine (its pings may take 60 s).
                Wait-Until { -not (& docker -H $real ps -aq --filter "name=^$name$") } -TimeoutSec 120
            }
            # It listed through the slow engine (12 s, longer than a request's 8 s ping deadline), then removed, and waited for the answer.
            Wait-Until { Get-FaultRequest $slow | Where-Object { $_.Method -eq 'DELETE' -and $_.Status -eq 204 -and $_.DelayedMs -ge 12000 } } -TimeoutSec 30
        }
        finally {
            Stop-FaultEngine $slow
            & docker -H $real rm -f $name *> $null
        }
    }

    It 'kill -9 of a pwsh during exec leaves a VM that Get-DockerVm finds and Remove-DockerVm -Force clears, processes and all' {
        $vm = New-TestVm 'kill9' -Parameters @{ Start = $true }
        try {
            $script = "Import-Module '$ModulePath'; Get-DockerVm -Name '$($vm.Name)' | Invoke-DockerVmExec -Command sleep -ArgumentList 601"
            $child = Start-Process dotnet -ArgumentList (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-Command', $script -PassThru
            Wait-Until { Get-ExecInFlight $vm 'sleep 601' } -TimeoutSec 30
            & kill -9 $child.Id
            $child.WaitForExit(10000) | Should -BeTrue
            # What is left is an ordinary managed VM, found from any process ...
            $found = Get-DockerVm -Name $vm.Name
            $found.State | Should -Be 'Running'
            # ... and cleared, with the orphaned docker client and the process inside.
            $found | Remove-DockerVm -Force
            Get-DockerStatus $vm.Name | Should -Be 'absent'
            Wait-Until { -not (Get-ExecInFlight $vm 'sleep 601') } -TimeoutSec 15
        }
        finally { & docker rm -f $vm.Name *> $null }
    }

    It 'a Remove -Force interrupted on a SIGTERM-deaf program leaves a VM that a second Remove -Force clears' {
        $vm = New-TestVm 'deaf' -Parameters @{ Start = $true; ContainerCommand = @('sh', '-c', 'trap "" TERM; while :; do sleep 1; done'); StopTimeoutSec = 5 }
        try {
            $since = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds() - 1
            $job = Start-Background "Get-DockerVm -Name '$($vm.Name)' | Remove-DockerVm -Force"
            Wait-Until { Test-StopInFlight $vm $since }
            $null = Stop-Background $job
            $left = Get-DockerVm -Name $vm.Name
            $left.State | Should -BeIn 'Running', 'Stopped'
            $left | Remove-DockerVm -Force
            Get-DockerStatus $vm.Name | Should -Be 'absent'
        }
        finally { & docker rm -f $vm.Name *> $null }
    }
}
