# The cmdlet surface on the real engine: pipelines, identity, listing, waiting, -WhatIf, -Verbose and errors.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Assert-Engine
}

Describe 'Pipelines' -Tag 'E2E', 'Cmdlets' {
    It 'New | Start -PassThru | Stop -PassThru | Remove works by object' {
        $name = New-TestName 'pipe'
        New-DockerVm -Image $TestImage -Name $name -Label $TestLabel | Start-DockerVm -PassThru | Stop-DockerVm -PassThru | Remove-DockerVm
        Get-DockerStatus $name | Should -Be 'absent'
    }

    It 'works by name' {
        $name = New-TestName 'byname'
        $null = New-DockerVm -Image $TestImage -Name $name -Label $TestLabel
        Start-DockerVm -Name $name
        Get-DockerStatus $name | Should -Be 'running'
        Stop-DockerVm $name -PassThru | Select-Object -ExpandProperty State | Should -Be 'Stopped'
        Remove-DockerVm $name
        Get-DockerStatus $name | Should -Be 'absent'
    }

    It 'works by wildcard over several VMs, and by property name from Get-DockerVmProperties' {
        $prefix = New-TestName 'wild'
        $vms = 1..3 | ForEach-Object { New-DockerVm -Image $TestImage -Name "$prefix-$_" -Label $TestLabel }
        Start-DockerVm -Name "$prefix-*"
        $vms | ForEach-Object { Get-DockerStatus $_.Name | Should -Be 'running' }
        (Get-DockerVm -Name "$prefix-*").Count | Should -Be 3
        Get-DockerVmProperties -Name "$prefix-*" | Stop-DockerVm
        $vms | ForEach-Object { Get-DockerStatus $_.Name | Should -Be 'exited' }
        Remove-DockerVm "$prefix-*"
        $vms | ForEach-Object { Get-DockerStatus $_.Name | Should -Be 'absent' }
    }

    It 'keeps going after a failure on one VM (non-terminating), acting on the rest' {
        $a = New-TestVm 'cont'
        $b = New-TestVm 'cont' -Parameters @{ Start = $true }
        try {
            $err = $null
            $out = @($a, $b) | Suspend-DockerVm -PassThru -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].TargetObject | Should -Be $a
            $out | Should -HaveCount 1
            $out[0] | Should -Be $b
            Get-DockerStatus $b.Name | Should -Be 'paused'
        }
        finally { $a, $b | Remove-DockerVm -Force }
    }
}

Describe 'Identity and listing' -Tag 'E2E', 'Cmdlets' {
    It 'returns the same object for the same VM within a session' {
        $vm = New-TestVm 'same'
        try {
            $again = Get-DockerVm -Name $vm.Name
            [object]::ReferenceEquals($vm, $again) | Should -BeTrue
            $vm | Start-DockerVm
            (Get-DockerVm -Name $vm.Name).State | Should -Be 'Running'
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It 'lists with live state, filters by -State, and records the options as labels' {
        $a = New-TestVm 'list' -Parameters @{ StopTimeoutSec = 3; ContainerCommand = 'sleep', '100000'; Label = ($TestLabel + @{ owner = 'tests' }) }
        $b = New-TestVm 'list' -Parameters @{ Start = $true }
        try {
            $running = Get-DockerVm -State Running | Where-Object Name -in $a.Name, $b.Name
            $running.Name | Should -Be $b.Name
            $labels = (Get-DockerInspect $a.Name).Config.Labels
            $labels.'dockervm.managed' | Should -Be 'true'
            $labels.'dockervm.image' | Should -Be $TestImage
            $labels.'dockervm.stop-timeout' | Should -Be '3'
            $labels.owner | Should -Be 'tests'
            ($labels.'dockervm.command' | ConvertFrom-Json) | Should -Be @('sleep', '100000')
        }
        finally { $a, $b | Remove-DockerVm -Force }
    }

    It 'does not list containers DockerVm does not manage' {
        $name = New-TestName 'unmanaged'
        & docker create --name $name --label "dockervm.test=$TestRun" $TestImage true | Out-Null
        try {
            Get-DockerVm | Where-Object Name -eq $name | Should -BeNullOrEmpty
            { Start-DockerVm -Name $name -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotFound,*'
        }
        finally { & docker rm -f $name | Out-Null }
    }

    It 'finds a VM made by another pwsh process, starts and removes it from here' {
        $name = New-TestName 'xproc'
        $script = "Import-Module '$ModulePath'; `$null = New-DockerVm -Image '$TestImage' -Name '$name' -StopTimeoutSec 4 -ContainerCommand sleep, 99999 -Label @{ 'dockervm.test' = '$TestRun' }"
        & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        $vm = Get-DockerVm -Name $name
        $vm.State | Should -Be 'Stopped'
        $vm.Image | Should -Be $TestImage
        $vm.StopTimeoutSec | Should -Be 4
        $vm.ContainerCommand | Should -Be @('sleep', '99999')
        $vm | Start-DockerVm
        Get-DockerStatus $name | Should -Be 'running'
        # and the other way round: another process sees the state this one made, and removes it
        $check = "Import-Module '$ModulePath'; (Get-DockerVm -Name '$name').State; Remove-DockerVm -Name '$name' -Force"
        & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $check | Should -Be 'Running'
        Get-DockerStatus $name | Should -Be 'absent'
    }

    It 'reports changes made with docker directly: <Change>' -ForEach @(
        @{ Change = 'stop'; Docker = { param($n) docker stop --timeout 1 $n }; State = 'Stopped' }
        @{ Change = 'pause'; Docker = { param($n) docker pause $n }; State = 'Suspended' }
        @{ Change = 'rm'; Docker = { param($n) docker rm -f $n }; State = 'Deleted' }
    ) {
        $vm = New-TestVm 'behind' -Parameters @{ Start = $true }
        & $Docker $vm.Name | Out-Null
        if ($State -eq 'Deleted') {
            Get-DockerVm -Name $vm.Name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            { Get-DockerVmProperties -VM $vm -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotFound,*'
            $vm.State | Should -Be 'Deleted'
            { $vm | Remove-DockerVm -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmInvalidTransition,*'
        }
        else {
            (Get-DockerVm -Name $vm.Name).State | Should -Be $State
            $vm.State | Should -Be $State
            $vm | Remove-DockerVm -Force
        }
    }

    It 'reports DockerVmNotFound when removing, by object, a VM whose container was removed behind its back' {
        $vm = New-TestVm 'gonerm'
        & docker rm -f $vm.Name | Out-Null
        $err = $null
        $vm | Remove-DockerVm -ErrorAction SilentlyContinue -ErrorVariable err
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmNotFound,*'
        $vm.State | Should -Be 'Deleted'
    }

    It 'marks a VM removed behind its back as Deleted when an action finds it gone' {
        $vm = New-TestVm 'gone'
        & docker rm -f $vm.Name | Out-Null
        { $vm | Start-DockerVm -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotFound,*'
        $vm.State | Should -Be 'Deleted'
    }
}

Describe 'Properties' -Tag 'E2E', 'Cmdlets' {
    It 'reads live properties with clone info, addresses and times' {
        $vm = New-TestVm 'props' -Parameters @{ Start = $true; CreateArgument = '--memory', '64m' }
        try {
            $p = Get-DockerVmProperties -VM $vm
            $p | Should -BeOfType ([DockerVm.DockerVmProperties])
            $p.Name | Should -Be $vm.Name
            $p.State | Should -Be 'Running'
            $p.IPAddress | Should -Be (Get-DockerInspect $vm.Name).NetworkSettings.IPAddress
            $p.IPAddresses | Should -Contain $p.IPAddress
            $p.CloneInfo.ToString() | Should -Be "image=$TestImage name=$($vm.Name)"
            $p.ContainerId | Should -Be $vm.ContainerId
            $p.StartedAt | Should -BeOfType ([datetime])
            $p.MemoryBytes | Should -Be 64MB
            # docker's default network is bridge; another engine's (podman's) has its own name: the engine says which.
            $p.Networks.Name | Should -Be @((Get-DockerInspect $vm.Name).NetworkSettings.Networks.PSObject.Properties.Name)
        }
        finally { $vm | Remove-DockerVm -Force }
    }
}

Describe 'Wait-DockerVm' -Tag 'E2E', 'Cmdlets' {
    It 'returns when the state comes, with -PassThru' {
        $vm = New-TestVm 'wait'
        try {
            $job = Start-ThreadJob -ArgumentList $vm.Name { param($n) Start-Sleep -Milliseconds 700; docker start $n }
            $out = Wait-DockerVm -VM $vm -State Running -TimeoutSec 20 -PassThru
            $job | Wait-Job | Remove-Job
            $out | Should -Be $vm
            $vm.State | Should -Be 'Running'
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It 'is DockerVmTimeout when the state does not come' {
        $vm = New-TestVm 'waitto'
        try {
            $err = $null
            $sw = [Diagnostics.Stopwatch]::StartNew()
            Wait-DockerVm -VM $vm -State Running -TimeoutSec 1 -ErrorAction SilentlyContinue -ErrorVariable err
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 10
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmTimeout,*'
            $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        }
        finally { $vm | Remove-DockerVm }
    }
}

Describe '-WhatIf, -Confirm and -Verbose' -Tag 'E2E', 'Cmdlets' {
    It '-WhatIf changes nothing and names the VM and the docker command' {
        $name = New-TestName 'whatif'
        $out = New-DockerVm -Image $TestImage -Name $name -Environment @{ SECRET = 'hunter2' } -WhatIf 6>&1 | Out-String
        Get-DockerStatus $name | Should -Be 'absent'
        $vm = New-TestVm 'whatif' -Parameters @{ Start = $true }
        try {
            $text = Stop-DockerVm -VM $vm -WhatIf 6>&1 | Out-String
            Get-DockerStatus $vm.Name | Should -Be 'running'
            $vm | Remove-DockerVm -Force -WhatIf
            Get-DockerStatus $vm.Name | Should -Be 'running'
            $vm | Suspend-DockerVm -WhatIf
            Get-DockerStatus $vm.Name | Should -Be 'running'
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It 'never shows -Environment values in -WhatIf, -Verbose, -Debug or errors' {
        $secret = 'hunter2-' + [Guid]::NewGuid().ToString('N')
        $transcript = Join-Path $TestDrive 'secret.txt'
        $name = New-TestName 'secret'
        Start-Transcript -Path $transcript | Out-Null
        try {
            New-DockerVm -Image $TestImage -Name $name -Label $TestLabel -Environment @{ TOKEN = $secret } -WhatIf
            $vm = New-DockerVm -Image $TestImage -Name $name -Label $TestLabel -Environment @{ TOKEN = $secret } -Start -Verbose -Debug
            Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'exit 4' -Environment @{ TOKEN = $secret } -Verbose -Debug -ErrorAction Continue
            New-DockerVm -Image $TestImage -Name $name -Label $TestLabel -Environment @{ TOKEN = $secret } -Verbose -ErrorAction Continue
            New-DockerVm -Image '127.0.0.1:1/none:latest' -Name (New-TestName 'secret') -Label $TestLabel -Environment @{ TOKEN = $secret } -Verbose -ErrorAction Continue
        }
        finally {
            Stop-Transcript | Out-Null
            Remove-DockerVm -Name $name -Force -ErrorAction SilentlyContinue
        }
        $text = Get-Content $transcript -Raw
        $text | Should -Match 'TOKEN=\*\*\*'
        $text | Should -Not -Match $secret
        # and the value did reach the container
    }

    It 'passes -Environment values to the container' {
        $vm = New-TestVm 'envok' -Parameters @{ Start = $true; Environment = @{ GREETING = 'hello world'; EMPTY = '' } }
        try {
            Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'echo "$GREETING|${EMPTY-unset}"' | Should -Be 'hello world|'
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It '-Verbose shows each engine command with its duration' {
        $vm = New-TestVm 'verbose'
        try {
            $verbose = $vm | Start-DockerVm -Verbose 4>&1 | ForEach-Object { "$_" }
            # The VM acts on its container's id, never on a name it remembers; each line names the transport.
            if ((Get-TestTransport) -eq 'api') {
                ($verbose | Where-Object { $_ -match "^> api POST /v1\.\d+/containers/$($vm.ContainerId)/start$" }) | Should -Not -BeNullOrEmpty
                ($verbose | Where-Object { $_ -match '^< \d+ ms, HTTP 204: api POST /v1\.\d+/containers/' }) | Should -Not -BeNullOrEmpty
            }
            else {
                $verbose | Should -Contain "> docker start $($vm.ContainerId)"
                ($verbose | Where-Object { $_ -match '^< \d+ ms, exit 0: docker start' }) | Should -Not -BeNullOrEmpty
            }
        }
        finally { $vm | Remove-DockerVm -Force }
    }
}

Describe 'Errors' -Tag 'E2E', 'Cmdlets', 'Errors' {
    It 'DockerVmNameConflict for a name in use, leaving the existing VM untouched' {
        $vm = New-TestVm 'conflict' -Parameters @{ Start = $true }
        try {
            $id = $vm.ContainerId
            $err = $null
            New-DockerVm -Image $TestImage -Name $vm.Name -Label $TestLabel -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmNameConflict,*'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            (Get-DockerInspect $vm.Name).Id | Should -Be $id
            Get-DockerStatus $vm.Name | Should -Be 'running'
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It 'DockerVmInvalidName for <Name>, before calling docker' -ForEach @(
        @{ Name = 'bad name' }, @{ Name = '-leading' }, @{ Name = 'a' }, @{ Name = 'semi;colon' }, @{ Name = "trailing`n" }, @{ Name = 'ünï' }
    ) {
        $env:DOCKERVM_CLI = '/nonexistent/docker'   # proves docker is never called
        try {
            { New-DockerVm -Image $TestImage -Name $Name -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmInvalidName,*'
        }
        finally { Remove-Item Env:DOCKERVM_CLI }
    }

    It 'DockerVmImageNotFound for a missing image, leaving nothing behind' {
        $name = New-TestName 'noimage'
        $err = $null
        # a loopback registry: the pull is refused at once and no traffic leaves the machine
        New-DockerVm -Image '127.0.0.1:1/dockervm/missing:1' -Name $name -Label $TestLabel -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmImageNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-DockerStatus $name | Should -Be 'absent'
    }

    It 'refuses an empty or whitespace image' -ForEach @(@{ Image = '' }, @{ Image = '   ' }) {
        { New-DockerVm -Image $Image -Name (New-TestName 'empty') -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmImageNotFound,*'
    }

    It 'fails New-DockerVm -Start with DockerVmStartFailed for a command that exits at once, leaving nothing behind' {
        $name = New-TestName 'startfail'
        $err = $null
        $out = New-DockerVm -Image $TestImage -Name $name -Label $TestLabel -ContainerCommand 'false' -Start -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmStartFailed,*'
        Get-DockerStatus $name | Should -Be 'absent'
    }

    It 'DockerVmStartFailed for a container command that does not exist' {
        $vm = New-TestVm 'nocmd' -Parameters @{ ContainerCommand = 'no-such-init' }
        try {
            { $vm | Start-DockerVm -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmStartFailed,*'
            $vm.State | Should -Be 'Stopped'
        }
        finally { $vm | Remove-DockerVm }
    }

    It 'DockerVmNotFound from <Command> for a literal name that matches nothing' -ForEach @(
        @{ Command = 'Start-DockerVm' }, @{ Command = 'Stop-DockerVm' }, @{ Command = 'Suspend-DockerVm' }, @{ Command = 'Resume-DockerVm' },
        @{ Command = 'Remove-DockerVm' }, @{ Command = 'Get-DockerVmProperties' }, @{ Command = 'Wait-DockerVm' }, @{ Command = 'Get-DockerVm' }
    ) {
        $err = $null
        & $Command -Name (New-TestName 'none') -ErrorAction SilentlyContinue -ErrorVariable err
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        # a wildcard that matches nothing is no error
        & $Command -Name 'dvt-none-*-nothing' -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'DockerCliNotFound when DOCKERVM_CLI names no program (terminating)' {
        # a CLI transport's failure: pinned to the CLI, whatever transport the suite runs on
        $savedTransport = $env:DOCKERVM_TRANSPORT
        $env:DOCKERVM_TRANSPORT = 'cli'
        $env:DOCKERVM_CLI = '/nonexistent/docker'
        try {
            $err = { Stop-DockerVm -Name 'dvt-any-vm' -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'DockerCliNotFound,*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -Match 'nonexistent'
            # Get-DockerVm lists engine by engine: one that cannot be reached is one non-terminating error
            Get-DockerVm -ErrorAction SilentlyContinue -ErrorVariable listed | Should -BeNullOrEmpty
            $listed[0].FullyQualifiedErrorId | Should -BeLike 'DockerCliNotFound,*'
        }
        finally { Remove-Item Env:DOCKERVM_CLI; $env:DOCKERVM_TRANSPORT = $savedTransport }
    }

    It 'DockerEngineUnavailable within seconds for an unreachable DOCKER_HOST (terminating)' {
        $env:DOCKER_HOST = 'tcp://127.0.0.1:1'
        try {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $err = { Stop-DockerVm -Name 'dvt-any-vm' -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'DockerEngineUnavailable,*' -PassThru
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 10
            $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            Get-DockerVm -ErrorAction SilentlyContinue -ErrorVariable listed | Should -BeNullOrEmpty
            $listed[0].FullyQualifiedErrorId | Should -BeLike 'DockerEngineUnavailable,*'
        }
        finally { Remove-Item Env:DOCKER_HOST }
    }

    It 'DockerEngineUnavailable for a -Context that does not exist' {
        { Get-DockerVm -Context 'dockervm-no-such-context' -ErrorAction Stop } | Should -Throw -ErrorId 'DockerEngineUnavailable,*'
    }

    It 'DockerCommandFailed carries the command and its stderr, leaving nothing behind' {
        $name = New-TestName 'cmdfail'
        $err = $null
        New-DockerVm -Image $TestImage -Name $name -Label $TestLabel -CreateArgument '--memory', 'lots' -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerCommandFailed,*'
        $err[0].CategoryInfo.Category | Should -Be 'NotSpecified'
        $err[0].Exception.Message | Should -Match 'docker create'
        $err[0].Exception.Message | Should -Match 'lots'
        Get-DockerStatus $name | Should -Be 'absent'
    }
}

Describe 'Tab completion' -Tag 'E2E', 'Cmdlets' {
    It 'completes -Name with managed VM names' {
        $vm = New-TestVm 'complete'
        try {
            $prefix = $vm.Name.Substring(0, $vm.Name.Length - 4)
            $line = "Start-DockerVm -Name $prefix"
            $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $r.CompletionMatches.CompletionText | Should -Contain $vm.Name
        }
        finally { $vm | Remove-DockerVm }
    }
}
