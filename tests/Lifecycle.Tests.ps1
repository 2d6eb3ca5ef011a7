# The conformance flows of cloudeng.io/vms/vmstestutil, through the cmdlets on the real engine,
# each step cross-checked with `docker inspect`.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Assert-Engine
}

Describe 'Lifecycle conformance' -Tag 'E2E', 'Lifecycle' {
    It 'clone, start, stop, delete' {
        $vm = New-TestVm 'csd'
        $vm.State | Should -Be 'Stopped'
        Get-DockerStatus $vm.Name | Should -Be 'created'
        $vm.ContainerId | Should -Match '^[0-9a-f]{64}$'
        $vm.ValidActions | Should -Be @('Start', 'Stop', 'Delete')

        $vm | Start-DockerVm
        $vm.State | Should -Be 'Running'
        Get-DockerStatus $vm.Name | Should -Be 'running'
        $vm.IPAddress | Should -Be (Get-DockerInspect $vm.Name).NetworkSettings.IPAddress
        $vm.IPAddress | Should -Match '^\d+\.\d+\.\d+\.\d+$'

        $vm | Stop-DockerVm
        $vm.State | Should -Be 'Stopped'
        $vm.IPAddress | Should -BeNullOrEmpty
        Get-DockerStatus $vm.Name | Should -Be 'exited'

        $vm | Remove-DockerVm
        $vm.State | Should -Be 'Deleted'
        Get-DockerStatus $vm.Name | Should -Be 'absent'
    }

    It 'suspend and resume' {
        $vm = New-TestVm 'sr' -Parameters @{ Start = $true }
        $vm.State | Should -Be 'Running'
        $vm | Suspend-DockerVm
        $vm.State | Should -Be 'Suspended'
        Get-DockerStatus $vm.Name | Should -Be 'paused'
        $vm | Resume-DockerVm
        $vm.State | Should -Be 'Running'
        Get-DockerStatus $vm.Name | Should -Be 'running'
        $vm | Suspend-DockerVm
        $vm | Start-DockerVm     # Start from Suspended resumes
        $vm.State | Should -Be 'Running'
        Get-DockerStatus $vm.Name | Should -Be 'running'
        $vm | Remove-DockerVm -Force
        Get-DockerStatus $vm.Name | Should -Be 'absent'
    }

    It 'exec prints exactly hello and a newline, with empty stderr' {
        $vm = New-TestVm 'exec' -Parameters @{ Start = $true }
        try {
            $r = $vm | Invoke-DockerVmExec -Command echo -ArgumentList hello -AsResult
            $r.StandardOutput | Should -BeExactly "hello`n"
            $r.StandardError | Should -BeExactly ''
            $r.ExitCode | Should -Be 0
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It 'deletes from Suspended' {
        $vm = New-TestVm 'delsusp' -Parameters @{ Start = $true }
        $vm | Suspend-DockerVm
        Get-DockerStatus $vm.Name | Should -Be 'paused'
        $vm | Remove-DockerVm
        $vm.State | Should -Be 'Deleted'
        Get-DockerStatus $vm.Name | Should -Be 'absent'
    }

    It 'stop and delete of a never-created VM are DockerVmNotFound' {
        $name = New-TestName 'never'
        { Stop-DockerVm -Name $name -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotFound,*'
        { Remove-DockerVm -Name $name -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotFound,*'
        Get-DockerStatus $name | Should -Be 'absent'
    }

    It 'walks the full lifecycle with idempotent stop and suspend' {
        $vm = New-TestVm 'walk'
        $name = $vm.Name
        $steps = @(
            @{ Do = { $vm | Stop-DockerVm }; State = 'Stopped'; Docker = 'created' }       # Stop on Stopped: idempotent
            @{ Do = { $vm | Start-DockerVm }; State = 'Running'; Docker = 'running' }
            @{ Do = { $vm | Suspend-DockerVm }; State = 'Suspended'; Docker = 'paused' }
            @{ Do = { $vm | Suspend-DockerVm }; State = 'Suspended'; Docker = 'paused' }    # idempotent
            @{ Do = { $vm | Start-DockerVm }; State = 'Running'; Docker = 'running' }
            @{ Do = { $vm | Stop-DockerVm }; State = 'Stopped'; Docker = 'exited' }
            @{ Do = { $vm | Stop-DockerVm }; State = 'Stopped'; Docker = 'exited' }          # idempotent
            @{ Do = { $vm | Start-DockerVm }; State = 'Running'; Docker = 'running' }
            @{ Do = { $vm | Stop-DockerVm }; State = 'Stopped'; Docker = 'exited' }
            @{ Do = { $vm | Remove-DockerVm }; State = 'Deleted'; Docker = 'absent' }
        )
        foreach ($s in $steps) {
            & $s.Do
            $vm.State | Should -Be $s.State -Because "after { $($s.Do) }"
            Get-DockerStatus $name | Should -Be $s.Docker -Because "after { $($s.Do) }"
            (Get-DockerVm -Name $name -ErrorAction SilentlyContinue | Select-Object -ExpandProperty State) |
                Should -Be ($s.State -eq 'Deleted' ? $null : $s.State)
        }
    }

    It 'clones again after delete (Deleted -> Clone)' {
        $vm = New-TestVm 'reclone'
        $vm | Remove-DockerVm
        $again = New-DockerVm -Image $script:TestImage -Name $vm.Name -Label $script:TestLabel
        $again.State | Should -Be 'Stopped'
        Get-DockerStatus $vm.Name | Should -Be 'created'
        $again | Remove-DockerVm
    }

    It 'refuses actions the table does not allow, naming the valid ones, before any engine call' {
        $vm = New-TestVm 'refuse'
        try {
            $err = $null
            $vm | Suspend-DockerVm -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmInvalidTransition,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $err[0].TargetObject | Should -Be $vm
            $err[0].Exception.Message | Should -Match 'Suspend'
            $err[0].Exception.Message | Should -Match 'Stopped'
            $err[0].Exception.Message | Should -Match 'Start, Stop, Delete'
            $vm.State | Should -Be 'Stopped'
            Get-DockerStatus $vm.Name | Should -Be 'created'
            $resume = { $vm | Resume-DockerVm -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmInvalidTransition,*' -PassThru
            $resume.Exception.Message | Should -Match 'only a Suspended VM resumes'
            $resume.ErrorDetails.RecommendedAction | Should -Match 'Start-DockerVm'
        }
        finally { $vm | Remove-DockerVm }
    }

    It 'refuses Remove of a Running VM without -Force and removes it with -Force' {
        $vm = New-TestVm 'rmrun' -Parameters @{ Start = $true }
        { $vm | Remove-DockerVm -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmInvalidTransition,*'
        Get-DockerStatus $vm.Name | Should -Be 'running'
        $vm | Remove-DockerVm -Force
        Get-DockerStatus $vm.Name | Should -Be 'absent'
        $vm.State | Should -Be 'Deleted'
    }

    It 'reports a container that exits during start at once, with its exit code and log, and leaves it Stopped' {
        $vm = New-TestVm 'dies' -Parameters @{ ContainerCommand = 'sh', '-c', 'echo going down; exit 7' }
        try {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $err = $null
            $vm | Start-DockerVm -TimeoutSec 60 -ErrorAction SilentlyContinue -ErrorVariable err
            $sw.Stop()
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmStartFailed,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidResult'
            $err[0].Exception.Message | Should -Match 'code 7'
            $err[0].Exception.Message | Should -Match 'going down'
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 30 -Because 'a dead container is reported at once, not after the 60 s timeout'
            $vm.State | Should -Be 'Stopped'
            Get-DockerStatus $vm.Name | Should -Be 'exited'
        }
        finally { $vm | Remove-DockerVm }
    }

    It 'reports a container whose restart policy keeps restarting it as DockerVmStartFailed at once, and leaves it Stopped' {
        $vm = New-TestVm 'restarts' -Parameters @{ CreateArgument = '--restart', 'always'; ContainerCommand = 'sh', '-c', 'echo crashing; exit 5' }
        try {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $err = $null
            $vm | Start-DockerVm -TimeoutSec 60 -ErrorAction SilentlyContinue -ErrorVariable err
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 30 -Because 'it is reported at once, not after the 60 s timeout'
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmStartFailed,*'
            $err[0].Exception.Message | Should -Match 'code 5'
            $vm.State | Should -Be 'Stopped'
            Get-DockerStatus $vm.Name | Should -Be 'exited'
        }
        finally { $vm | Remove-DockerVm -Force }
    }
}
