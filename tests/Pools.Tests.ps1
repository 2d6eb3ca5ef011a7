# Warm pools on the real engine (contract part 2 §8): fill, take under a new name, refill, four
# separate pwsh processes taking at once get four different containers, an empty pool creates cold,
# grow and shrink, removal leaves taken VMs, DockerVmPoolNotFound, Suspended staging hands out
# Running with -Start. Every pool carries the run label; every test removes what it made.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Assert-Engine

    function New-TestPool([string] $Prefix, [hashtable] $More = @{}) {
        $p = @{ Name = (New-TestName $Prefix); Image = $script:TestImage; Label = $script:TestLabel; PassThru = $true }
        foreach ($k in $More.Keys) { $p[$k] = $More[$k] }
        New-DockerVmPool @p
    }

    function Get-Waiting([string] $Pool) {
        # The engine's own view: the pool's waiting containers (name dockervm-pool-<pool>-xxxxxxxx).
        @(& docker ps -a --filter "label=dockervm.pool=$Pool" --format '{{.Names}} {{.State}}' |
            Where-Object { $_ -match "^dockervm-pool-$([regex]::Escape($Pool))-[0-9a-f]{8} " })
    }

    function Wait-Ready([string] $Pool, [int] $Count) {
        Wait-Until { (Get-Waiting $Pool).Count -eq $Count } -TimeoutSec 60
    }
}

AfterAll { Remove-TestContainers }

Describe 'Warm pools' -Tag 'E2E', 'Pools' {
    It 'fills, hands out a waiting VM under a new name, and refills in the background' {
        $pool = New-TestPool 'pfill' @{ Size = 2 }
        try {
            $pool.Ready | Should -Be 2
            $waiting = Get-Waiting $pool.Name
            $waiting.Count | Should -Be 2
            $waiting | ForEach-Object { ($_ -split ' ')[1] } | Should -Be 'running', 'running'
            (Get-DockerVmPool $pool.Name).Ready | Should -Be 2
            $ids = $waiting | ForEach-Object { & docker inspect --format '{{.Id}}' ($_ -split ' ')[0] }
            # Waiting VMs are not the user's VMs yet
            Get-DockerVm -Label $script:TestLabel | Where-Object Name -like 'dockervm-pool-*' | Should -BeNullOrEmpty

            $name = New-TestName 'ptake'
            $verbose = New-DockerVm -Pool $pool.Name -Name $name -Verbose 4>&1
            $vm = $verbose | Where-Object { $_ -is [DockerVm.DockerVmInstance] }
            ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match "took 'dockervm-pool-"
            $vm.Name | Should -Be $name
            $vm.State | Should -Be 'Running'   # a Running pool always gives Running
            $ids | Should -Contain $vm.ContainerId
            Get-DockerStatus $name | Should -Be 'running'
            (Get-DockerInspect $name).Config.Labels.'dockervm.pool' | Should -Be $pool.Name
            (Get-DockerVm $name).Name | Should -Be $name

            Wait-Ready $pool.Name 2
            (Get-DockerVmPool $pool.Name).Ready | Should -Be 2
        }
        finally {
            Remove-DockerVmPool $pool.Name -Confirm:$false
            Get-DockerVm -Label $script:TestLabel | Where-Object Name -like 'dvt-ptake-*' | Remove-DockerVm -Force
        }
    }

    It 'four separate pwsh processes taking at once get four different containers' {
        $pool = New-TestPool 'prace' @{ Size = 4 }
        $go = Join-Path ([IO.Path]::GetTempPath()) "dvt-go-$([Guid]::NewGuid().ToString('N'))"
        $names = 1..4 | ForEach-Object { New-TestName "prace$_" }
        try {
            $procs = foreach ($n in $names) {
                $script = "`$ErrorActionPreference='Stop'; Import-Module '$($script:ModulePath)'; " +
                    "while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 20 }; " +
                    "(New-DockerVm -Pool '$($pool.Name)' -Name '$n' -Start).ContainerId"
                $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
                foreach ($a in @((Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-Command', $script)) { $psi.ArgumentList.Add($a) }
                $psi.RedirectStandardOutput = $true
                $psi.RedirectStandardError = $true
                [System.Diagnostics.Process]::Start($psi)
            }
            Start-Sleep -Seconds 3   # all four have loaded the module and wait for the signal
            Set-Content $go 'go'
            $ids = foreach ($p in $procs) {
                $out = $p.StandardOutput.ReadToEndAsync(); $err = $p.StandardError.ReadToEndAsync()
                $p.WaitForExit(120000) | Should -BeTrue
                $err.Result | Should -BeNullOrEmpty
                $out.Result.Trim()
            }
            $ids.Count | Should -Be 4
            ($ids | Sort-Object -Unique).Count | Should -Be 4
            foreach ($n in $names) { Get-DockerStatus $n | Should -Be 'running' }
            $ids | ForEach-Object { (& docker inspect --format '{{.Name}}' $_).TrimStart('/') } | Sort-Object | Should -Be ($names | Sort-Object)
        }
        finally {
            Remove-Item $go -ErrorAction SilentlyContinue
            Remove-DockerVmPool $pool.Name -Confirm:$false
            $names | ForEach-Object { & docker rm -f $_ *> $null }
        }
    }

    It 'an empty pool creates a VM cold with the pool''s options' {
        $pool = New-TestPool 'pempty' @{ Size = 0; Environment = @{ POOLVAR = 'yes' } }
        $name = New-TestName 'pcold'
        try {
            $out = New-DockerVm -Pool $pool.Name -Name $name -Start -Verbose 4>&1
            ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'created .* cold'
            $vm = $out | Where-Object { $_ -is [DockerVm.DockerVmInstance] }
            $vm.State | Should -Be 'Running'
            (& docker exec $name sh -c 'echo $POOLVAR') | Should -Be 'yes'
            (Get-DockerInspect $name).Config.Labels.'dockervm.test' | Should -Be $script:TestRun
        }
        finally {
            Remove-DockerVmPool $pool.Name -Confirm:$false
            & docker rm -f $name *> $null
        }
    }

    It 'grows and shrinks with Update-DockerVmPool' {
        $pool = New-TestPool 'psize' @{ Size = 1; StagingState = 'Stopped' }
        try {
            (Update-DockerVmPool $pool.Name -Size 3 -PassThru).Ready | Should -Be 3
            Get-Waiting $pool.Name | ForEach-Object { ($_ -split ' ')[1] } | Should -Be 'created', 'created', 'created'
            (Get-DockerVmPool $pool.Name).Size | Should -Be 3
            (Update-DockerVmPool $pool.Name -Size 1 -PassThru).Ready | Should -Be 1
            (Get-Waiting $pool.Name).Count | Should -Be 1
            (Get-DockerVmPool $pool.Name).Size | Should -Be 1
        }
        finally { Remove-DockerVmPool $pool.Name -Confirm:$false }
    }

    It 'Update-DockerVmPool clears what a process that died mid-replenish left' {
        $pool = New-TestPool 'prepair' @{ Size = 1 }
        try {
            # A staging container whose creator is gone, as a killed replenish leaves it.
            $left = "dockervm-pool-$($pool.Name).new-0badc0de"
            & docker create --name $left --label dockervm.managed=true --label "dockervm.pool=$($pool.Name)" --label "dockervm.test=$($script:TestRun)" `
                --label "dockervm.created-by=x@$([Environment]::MachineName)/999999/1" $script:TestImage tail -f /dev/null *> $null
            Update-DockerVmPool $pool.Name
            Get-DockerStatus $left | Should -Be 'absent'
            (Get-Waiting $pool.Name).Count | Should -Be 1
        }
        finally { Remove-DockerVmPool $pool.Name -Confirm:$false }
    }

    It 'Remove-DockerVmPool removes the waiting VMs and leaves taken ones running' {
        $pool = New-TestPool 'prm' @{ Size = 2 }
        $name = New-TestName 'pkeep'
        try {
            $vm = New-DockerVm -Pool $pool.Name -Name $name
            Remove-DockerVmPool $pool.Name -WhatIf
            (Get-DockerVmPool $pool.Name).Name | Should -Be $pool.Name
            Remove-DockerVmPool $pool.Name -Confirm:$false
            Get-DockerVmPool $pool.Name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            (& docker ps -a --filter "label=dockervm.pool=$($pool.Name)" --format '{{.Names}}') | Should -Be $name
            (& docker ps -a --filter "label=dockervm.pool.definition=$($pool.Name)" -q) | Should -BeNullOrEmpty
            Get-DockerStatus $name | Should -Be 'running'
        }
        finally { & docker rm -f $name *> $null }
    }

    It 'a missing pool is DockerVmPoolNotFound and nothing is created' {
        $name = New-TestName 'pnone'
        $err = $null
        New-DockerVm -Pool 'dvt-no-such-pool' -Name $name -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -Be 'DockerVmPoolNotFound,DockerVm.Commands.NewDockerVmCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-DockerStatus $name | Should -Be 'absent'
        { Get-DockerVmPool 'dvt-no-such-pool' -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmPoolNotFound,DockerVm.Commands.GetDockerVmPoolCommand'
    }

    It 'a Suspended-staging pool keeps paused VMs and hands out Running ones with -Start, Stopped without' {
        $pool = New-TestPool 'psusp' @{ Size = 2; StagingState = 'Suspended' }
        $a = New-TestName 'psusp'; $b = New-TestName 'psusp'
        try {
            Get-Waiting $pool.Name | ForEach-Object { ($_ -split ' ')[1] } | Should -Be 'paused', 'paused'
            (New-DockerVm -Pool $pool.Name -Name $a -Start).State | Should -Be 'Running'
            Get-DockerStatus $a | Should -Be 'running'
            (New-DockerVm -Pool $pool.Name -Name $b).State | Should -Be 'Stopped'
            Get-DockerStatus $b | Should -Be 'exited'
        }
        finally {
            Remove-DockerVmPool $pool.Name -Confirm:$false
            & docker rm -f $a $b *> $null
        }
    }

    It 'a pool with -Port 80 gives each VM its own host port, and a taken VM reports its mapping' {
        $pool = New-TestPool 'pport' @{ Size = 2; Port = '80'; MemoryMB = 64; Environment = @{ POOL_MODE = 'warm' } }
        $name = New-TestName 'pport'
        try {
            $waiting = Get-Waiting $pool.Name | ForEach-Object { ($_ -split ' ')[0] }
            $waiting.Count | Should -Be 2
            $hostPorts = $waiting | ForEach-Object { (Get-DockerInspect $_).NetworkSettings.Ports.'80/tcp'[0].HostPort }
            $hostPorts | Should -HaveCount 2
            $hostPorts | ForEach-Object { [int]$_ | Should -BeGreaterThan 0 }
            $hostPorts[0] | Should -Not -Be $hostPorts[1]

            $vm = New-DockerVm -Pool $pool.Name -Name $name -Start
            $mapped = (Get-DockerVmProperties $vm).Ports | Where-Object { "$($_.ContainerPort)" -like '80*' }
            $mapped | Should -Not -BeNullOrEmpty
            "$($mapped[0].HostPort)" | Should -Be (Get-DockerInspect $name).NetworkSettings.Ports.'80/tcp'[0].HostPort
            $hostPorts | Should -Contain "$($mapped[0].HostPort)"
            (Get-DockerInspect $name).HostConfig.Memory | Should -Be (64MB)
            Invoke-DockerVmExec $vm sh '-c' 'echo $POOL_MODE' | Should -Be 'warm'
        }
        finally {
            Remove-DockerVmPool $pool.Name -Confirm:$false
            & docker rm -f $name *> $null
        }
    }

    It 'New-DockerVm -Pool refuses a create option the pool decides, and takes nothing' {
        $pool = New-TestPool 'pref' @{ Size = 1 }
        $name = New-TestName 'pref'
        try {
            { New-DockerVm -Pool $pool.Name -Name $name -Port 8080:80 } | Should -Throw -ErrorId 'AmbiguousParameterSet,DockerVm.Commands.NewDockerVmCommand'
            Get-DockerStatus $name | Should -Be 'absent'
            (Get-DockerVmPool $pool.Name).Ready | Should -Be 1
        }
        finally { Remove-DockerVmPool $pool.Name -Confirm:$false }
    }

    It 'Update-DockerVmPool and Remove-DockerVmPool take wildcards' {
        $stem = New-TestName 'pwild'
        $a = New-TestPool 'x' @{ Name = "$stem-a"; Size = 1; StagingState = 'Stopped' }
        $b = New-TestPool 'x' @{ Name = "$stem-b"; Size = 1; StagingState = 'Stopped' }
        try {
            $up = Update-DockerVmPool "$stem-*" -Size 2 -PassThru
            $up.Name | Should -Be "$stem-a", "$stem-b"
            $up.Size | Should -Be 2, 2
            (Get-Waiting $a.Name).Count | Should -Be 2
            (Get-Waiting $b.Name).Count | Should -Be 2

            Remove-DockerVmPool "$stem-*" -WhatIf
            (Get-DockerVmPool "$stem-*").Count | Should -Be 2
            Remove-DockerVmPool "$stem-*" -Confirm:$false
            Get-DockerVmPool "$stem-*" | Should -BeNullOrEmpty
            (& docker ps -a --filter "label=dockervm.pool=$($a.Name)" -q) | Should -BeNullOrEmpty
            (& docker ps -a --filter "label=dockervm.pool=$($b.Name)" -q) | Should -BeNullOrEmpty
        }
        finally { Remove-DockerVmPool "$stem-*" -Confirm:$false -ErrorAction SilentlyContinue }
    }

    It 'leaves no pool container of this run behind' {
        @(& docker ps -a --filter "label=dockervm.test=$($script:TestRun)" --format '{{.Names}}' | Where-Object { $_ -like 'dockervm-pool-*' -or $_ -like 'dvt-p*' }) | Should -BeNullOrEmpty
    }
}
