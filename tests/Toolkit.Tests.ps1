# The machine toolkit on the real engine: first-class create options, restart, ephemeral VMs and
# what a crash leaves, an interactive shell on a real terminal.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Assert-Engine
    $script:Pwsh = Join-Path $PSHOME 'pwsh.dll'
}

AfterAll {
    Remove-TestContainers
}

Describe 'Create options' -Tag 'E2E', 'Toolkit' {
    It '-Port publishes a port; Properties report its host side, and it answers there' {
        $vm = New-TestVm 'port' -Parameters @{ Port = '127.0.0.1::8080'; ContainerCommand = @('httpd', '-f', '-p', '8080', '-h', '/'); Start = $true }
        try {
            $p = (Get-DockerVmProperties -VM $vm).Ports | Where-Object ContainerPort -eq '8080/tcp'
            $p.HostIp | Should -Be '127.0.0.1'
            [int]$p.HostPort | Should -BeGreaterThan 0
            $client = [Net.Sockets.TcpClient]::new()
            try { $client.Connect('127.0.0.1', [int]$p.HostPort); $client.Connected | Should -BeTrue } finally { $client.Dispose() }
        }
        finally { Remove-DockerVm -VM $vm -Force }
    }

    It '-MemoryMB and -Cpus cap the VM; -Volume mounts a host folder' {
        $dir = Join-Path $TestDrive 'shared'
        New-Item -ItemType Directory $dir | Out-Null
        Set-Content (Join-Path $dir 'hello.txt') 'from the host'
        $vm = New-TestVm 'caps' -Parameters @{ MemoryMB = 64; Cpus = 0.5; Volume = "${dir}:/shared:ro"; Start = $true }
        try {
            $props = Get-DockerVmProperties -VM $vm
            $props.MemoryBytes | Should -Be (64MB)
            $props.Cpus | Should -Be 0.5
            Invoke-DockerVmExec -VM $vm -Command cat -ArgumentList /shared/hello.txt | Should -Be 'from the host'
        }
        finally { Remove-DockerVm -VM $vm -Force }
    }

    It '-Network attaches the VM to a network' {
        $net = New-TestName 'net'
        & docker network create --label "dockervm.test=$TestRun" $net | Out-Null
        try {
            $vm = New-TestVm 'netvm' -Parameters @{ Network = $net; Start = $true }
            try { (Get-DockerVmProperties -VM $vm).Networks.Name | Should -Be @($net) }
            finally { Remove-DockerVm -VM $vm -Force }
        }
        finally { & docker network rm $net *> $null }
    }
}

Describe 'Restart-DockerVm' -Tag 'E2E', 'Toolkit' {
    It 'restarts a Running VM (a new start time) and starts a Stopped one' {
        $vm = New-TestVm 'restart' -Parameters @{ Start = $true }
        try {
            $before = (Get-DockerInspect $vm.Name).State.StartedAt
            Restart-DockerVm -VM $vm -PassThru | ForEach-Object State | Should -Be 'Running'
            (Get-DockerInspect $vm.Name).State.StartedAt | Should -Not -Be $before
            Stop-DockerVm -VM $vm
            Restart-DockerVm -VM $vm
            Get-DockerStatus $vm.Name | Should -Be 'running'
        }
        finally { Remove-DockerVm -VM $vm -Force }
    }
}

Describe 'Ephemeral VMs' -Tag 'E2E', 'Toolkit' {
    It 'are removed when the session that created them ends normally' {
        $name = New-TestName 'eph'
        & dotnet $Pwsh -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; `$null = New-DockerVm -Image '$TestImage' -Name '$name' -Ephemeral -Start -Label @{ 'dockervm.test' = '$TestRun' }; (Get-DockerVm -Name '$name').State" |
            Should -Be 'Running'
        Get-DockerStatus $name | Should -Be 'absent'
    }

    It 'outlive a pwsh that is killed; Get-DockerVm -Orphaned | Remove-DockerVm -Force clears them from another process' {
        $name = New-TestName 'orph'
        $kept = New-TestVm 'notorph' -Parameters @{ Ephemeral = $true }     # its creator (this process) is alive
        try {
            $script = "Import-Module '$ModulePath'; `$null = New-DockerVm -Image '$TestImage' -Name '$name' -Ephemeral -Start -Label @{ 'dockervm.test' = '$TestRun' }; Stop-Process -Id `$PID -Force"
            & dotnet $Pwsh -NoProfile -NonInteractive -Command $script
            Get-DockerStatus $name | Should -Be 'running' -Because 'a killed session cannot clean up'
            $orphans = & dotnet $Pwsh -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; (Get-DockerVm -Orphaned).Name"
            $orphans | Should -Contain $name
            $orphans | Should -Not -Contain $kept.Name
            & dotnet $Pwsh -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; Get-DockerVm -Orphaned | Where-Object Name -eq '$name' | Remove-DockerVm -Force"
            Get-DockerStatus $name | Should -Be 'absent'
            Get-DockerStatus $kept.Name | Should -Be 'created'
        }
        finally {
            & docker rm -f $name *> $null
            Remove-DockerVm -VM $kept -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Enter-DockerVm' -Tag 'E2E', 'Toolkit' {
    It 'gives an interactive shell on a real terminal, and sets $LASTEXITCODE when it is left' {
        $vm = New-TestVm 'enter' -Parameters @{ Start = $true }
        $session = 'dvt-enter-' + [Guid]::NewGuid().ToString('N').Substring(0, 6)
        $log = Join-Path $TestDrive 'enter.log'
        try {
            $script = Join-Path $TestDrive 'enter.ps1'
            Set-Content $script "Import-Module '$ModulePath'; Enter-DockerVm -Name '$($vm.Name)'; 'left with ' + `$LASTEXITCODE | Set-Content '$log'"
            & tmux new-session -d -s $session -x 120 -y 30 "dotnet '$Pwsh' -NoProfile -File '$script'"
            Wait-Until { (& tmux capture-pane -p -t $session) -match '#\s*$' } -TimeoutSec 30
            & tmux send-keys -t $session 'echo hi-$((40+2))' Enter
            Wait-Until { (& tmux capture-pane -p -t $session) -match '^hi-42' } -TimeoutSec 10
            & tmux send-keys -t $session 'exit 3' Enter
            Wait-Until { Test-Path $log } -TimeoutSec 15
            Get-Content $log | Should -Be 'left with 3'
        }
        finally {
            & tmux kill-session -t $session *> $null
            Remove-DockerVm -VM $vm -Force
        }
    }

    It 'fails at once, before anything runs, where there is no console' {
        $vm = New-TestVm 'noconsole' -Parameters @{ Start = $true }
        try {
            $out = 'exit' | & dotnet $Pwsh -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; try { Enter-DockerVm -Name '$($vm.Name)' -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `"`$_`" }"
            $out[0] | Should -BeLike 'DockerCommandFailed,*'
            $out[1] | Should -Match 'console'
            Get-DockerClients "exec .*--tty" | Should -BeNullOrEmpty
        }
        finally { Remove-DockerVm -VM $vm -Force }
    }
}
