# Checkpoints on the real engine: Checkpoint-DockerVm, Get-, Restore-, Remove-DockerVmCheckpoint and
# New-DockerVm -Checkpoint, each cross-checked with docker itself; a checkpoint image is never
# adopted as a managed VM; the failures (missing checkpoint, deleted VM, in use); nothing left behind.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Assert-Engine

    function Get-RunImages {
        # Every image this run labelled (checkpoints carry the VM's labels), intermediate ones too.
        @(& docker images -a -q --no-trunc --filter "label=dockervm.test=$TestRun" | Select-Object -Unique)
    }

    function Get-ImageLabels([string] $Reference) {
        (& docker image inspect $Reference --format '{{json .Config.Labels}}') | ConvertFrom-Json -AsHashtable
    }

    function Read-Vm($Vm, [string] $Path) {
        (Invoke-DockerVmExec -VM $Vm -AsResult -Command cat -ArgumentList $Path).StandardOutput.TrimEnd()
    }

}

AfterAll {
    Remove-TestContainers
    # Checkpoint images: untag them (a parent goes with its last child), then whatever is left.
    $refs = & docker images --filter "label=dockervm.test=$TestRun" --format '{{.Repository}}:{{.Tag}}' | Where-Object { $_ -notlike '*<none>*' }
    if ($refs) { & docker rmi -f @refs *> $null }
    $left = Get-RunImages
    if ($left) { & docker rmi -f @left *> $null }
}

Describe 'Checkpoint-DockerVm' -Tag 'E2E', 'Toolkit' {
    It 'snapshots a Running VM as a labelled image; the VM keeps running' {
        $vm = New-TestVm 'ckr' -Parameters @{ Start = $true }
        Invoke-DockerVmExec $vm -- sh -c 'echo one > /root/state'

        $cp = Checkpoint-DockerVm $vm first -PassThru

        $cp | Should -BeOfType ([DockerVm.DockerVmCheckpoint])
        $cp.VMName | Should -Be $vm.Name
        $cp.Name | Should -Be 'first'
        $cp.ImageId | Should -Match '^sha256:[0-9a-f]{64}$'
        $cp.Context | Should -Be ''
        $cp.CreatedAt | Should -BeGreaterThan ([DateTime]::UtcNow.AddMinutes(-5))
        $vm.State | Should -Be 'Running'
        Get-DockerStatus $vm.Name | Should -Be 'running'

        & docker image inspect $cp.ImageId --format '{{.Id}}' | Should -Be $cp.ImageId
        $labels = Get-ImageLabels $cp.ImageId
        $labels['dockervm.checkpoint'] | Should -Be 'true'
        $labels['dockervm.checkpoint.vm'] | Should -Be $vm.Name
        $labels['dockervm.checkpoint.name'] | Should -Be 'first'
        $labels['dockervm.checkpoint.created'] | Should -Not -BeNullOrEmpty
        $labels['dockervm.test'] | Should -Be $TestRun -Because 'the VM''s own labels stay'
        (& docker image inspect $cp.ImageId --format '{{json .RepoTags}}' | ConvertFrom-Json) | Should -Contain $cp.ImageReference
    }

    It 'a checkpoint image does not carry the labels of a managed VM: a plain docker run of it is not adopted' {
        $vm = New-TestVm 'cka'
        $cp = Checkpoint-DockerVm $vm adopt -PassThru
        $labels = Get-ImageLabels $cp.ImageId
        foreach ($reserved in [DockerVm.Labels]::Reserved) {
            "$($labels[$reserved])" | Should -BeExactly '' -Because "$reserved marks a managed VM"
        }

        $plain = New-TestName 'plain'
        & docker run -d --name $plain --label "dockervm.test=$TestRun" $cp.ImageReference | Out-Null
        $LASTEXITCODE | Should -Be 0
        try {
            Get-DockerStatus $plain | Should -Be 'running'
            (Get-DockerVm).Name | Should -Not -Contain $plain
            { Get-DockerVm $plain -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotFound,*'
            & docker ps -a --filter 'label=dockervm.managed=true' --format '{{.Names}}' | Should -Not -Contain $plain
        }
        finally { & docker rm -f $plain *> $null }
    }

    It 'names a checkpoint by the time when no name is given, never reusing one, and works on a Stopped VM' {
        $vm = New-TestVm 'ckt'
        $a = $vm | Checkpoint-DockerVm -PassThru
        $b = $vm | Checkpoint-DockerVm -PassThru
        $a.Name | Should -Match '^\d{8}-\d{6}(-\d+)?$'
        $b.Name | Should -Not -Be $a.Name
        $vm.State | Should -Be 'Stopped'
        Get-DockerStatus $vm.Name | Should -Be 'created'
        { Checkpoint-DockerVm $vm $a.Name -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNameConflict,*'
        { Checkpoint-DockerVm $vm 'bad*name' -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmInvalidName,*'
    }

    It '-WhatIf shows the docker commit on the container id and takes nothing' {
        $vm = New-TestVm 'ckw'
        $before = (Get-RunImages).Count
        $script = "Import-Module '$ModulePath'; Checkpoint-DockerVm '$($vm.Name)' wi -WhatIf"
        $out = & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script | Out-String
        $out | Should -Match 'docker commit --change'
        $out | Should -Match ([regex]::Escape("$($vm.ContainerId) dockervm-checkpoint:"))
        (Get-RunImages).Count | Should -Be $before
    }
}

Describe 'Get-DockerVmCheckpoint' -Tag 'E2E', 'Toolkit' {
    BeforeAll {
        $script:Prefix = New-TestName 'ckl'
        $script:ListVms = 1..2 | ForEach-Object { New-TestVm 'ckl' -Parameters @{ Name = "$Prefix-$_" } }
        foreach ($v in $ListVms) { 'alpha', 'beta' | ForEach-Object { Checkpoint-DockerVm $v $_ } }
    }

    It 'lists by VM and by name, with wildcards, in two engine commands (one API request) however many checkpoints' {
        $all = Get-DockerVmCheckpoint "$Prefix-*"
        $all.Count | Should -Be 4
        ($all | ForEach-Object { "$($_.VMName)/$($_.Name)" }) | Should -Be @("$Prefix-1/alpha", "$Prefix-1/beta", "$Prefix-2/alpha", "$Prefix-2/beta")
        (Get-DockerVmCheckpoint "$Prefix-*" b*).Name | Should -Be @('beta', 'beta')
        (Get-DockerVmCheckpoint "$Prefix-2" alpha).ImageId | Should -Be ($all | Where-Object { $_.VMName -eq "$Prefix-2" -and $_.Name -eq 'alpha' }).ImageId
        ($ListVms[0] | Get-DockerVmCheckpoint).Name | Should -Be @('alpha', 'beta')

        $issued = @(Get-Issued { Get-DockerVmCheckpoint -Verbose })
        if ((Get-TestTransport) -eq 'cli') {
            $issued.Count | Should -Be 2
            $issued[0] | Should -BeLike '> docker images --quiet --no-trunc --filter label=dockervm.checkpoint=true*'
            $issued[1] | Should -BeLike '> docker image inspect *'
        }
        else {
            # the image list carries the labels: one request
            $issued.Count | Should -Be 1
            $issued[0] | Should -BeLike '> api GET /v*/images/json?filters=*dockervm.checkpoint%3Dtrue*'
        }
    }

    It 'a literal -Name that matches nothing is DockerVmCheckpointNotFound' {
        { Get-DockerVmCheckpoint "$Prefix-1" nope -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmCheckpointNotFound,*'
        Get-DockerVmCheckpoint "$Prefix-1" no* | Should -BeNullOrEmpty
    }

    It 'lists the checkpoints of a deleted VM' {
        $vm = New-TestVm 'ckd'
        Checkpoint-DockerVm $vm kept
        $vm | Remove-DockerVm
        Get-DockerStatus $vm.Name | Should -Be 'absent'
        $cp = Get-DockerVmCheckpoint $vm.Name
        $cp.Name | Should -Be 'kept'
    }

    It 'shows names whole in the table view, however narrow the console' {
        $vm = New-TestVm 'ckv' -Parameters @{ Name = "$Prefix-with-a-rather-long-name-for-the-view" }
        Checkpoint-DockerVm $vm 'a checkpoint name that is long too'
        # Room for both: each row shows them whole, then the time and the image id.
        $wide = Get-DockerVmCheckpoint $vm.Name | Format-Table | Out-String -Width 160
        $wide | Should -Match ('(?m)^' + [regex]::Escape($vm.Name) + '\s+' + [regex]::Escape('a checkpoint name that is long too') + '\s+\d{4}-\d\d-\d\d')
        # Too narrow for both: the trailing columns go and a name wraps, never cut with an ellipsis.
        $narrow = Get-DockerVmCheckpoint $vm.Name | Format-Table | Out-String -Width 80
        $narrow | Should -Match ('(?m)^' + [regex]::Escape($vm.Name) + '\s')
        $narrow | Should -Not -Match '…'
        ($narrow -replace '\s+', '') | Should -Match ([regex]::Escape('acheckpointnamethatislongtoo'))
    }
}

Describe 'Restore-DockerVmCheckpoint' -Tag 'E2E', 'Toolkit' {
    It 'brings the filesystem back, with the same name and options; the VM ends Stopped, or Running with -Start' {
        $vm = New-TestVm 'ckrs' -Parameters @{ Start = $true; StopTimeoutSec = 3; Label = @{ team = 'qa' } }
        Invoke-DockerVmExec $vm -- sh -c 'echo v1 > /root/state'
        $cp = Checkpoint-DockerVm $vm v1 -PassThru
        Invoke-DockerVmExec $vm -- sh -c 'echo v2 > /root/state; echo new > /root/added'
        $oldId = $vm.ContainerId

        $back = $cp | Restore-DockerVmCheckpoint -PassThru

        [object]::ReferenceEquals($back, $vm) | Should -BeTrue -Because 'the VM is the same object'
        $vm.State | Should -Be 'Stopped'
        $vm.ContainerId | Should -Not -Be $oldId
        Get-DockerStatus $vm.Name | Should -Be 'created'
        & docker inspect --type container $oldId *> $null
        $LASTEXITCODE | Should -Not -Be 0 -Because 'the old container is gone'
        $vm.StopTimeoutSec | Should -Be 3
        $inspect = Get-DockerInspect $vm.Name
        $inspect.Id | Should -Be $vm.ContainerId
        $inspect.Config.Labels.'dockervm.managed' | Should -Be 'true'
        $inspect.Config.Labels.'dockervm.stop-timeout' | Should -Be '3'
        $inspect.Config.Labels.team | Should -Be 'qa'
        (Get-DockerVm $vm.Name).State | Should -Be 'Stopped'
        docker ps -a --filter "name=^$($vm.Name)-restoring$" -q | Should -BeNullOrEmpty

        $vm | Start-DockerVm
        Read-Vm $vm /root/state | Should -Be 'v1'
        (Invoke-DockerVmExec $vm -AsResult -- test -e /root/added).ExitCode | Should -Be 1

        Restore-DockerVmCheckpoint -VMName $vm.Name -Name v1 -Start
        $vm.State | Should -Be 'Running'
        Get-DockerStatus $vm.Name | Should -Be 'running'
        Read-Vm $vm /root/state | Should -Be 'v1'
    }

    It '-WhatIf shows the create, the removal and the rename, and changes nothing' {
        $vm = New-TestVm 'ckrw'
        $cp = Checkpoint-DockerVm $vm w -PassThru
        $script = "Import-Module '$ModulePath'; Restore-DockerVmCheckpoint -VMName '$($vm.Name)' -Name w -WhatIf"
        $out = & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script | Out-String
        $out | Should -Match ([regex]::Escape("create --init --name $($vm.Name)-restoring"))
        $out | Should -Match ([regex]::Escape("rm --force $($vm.ContainerId)"))
        $out | Should -Match ([regex]::Escape("rename $($vm.Name)-restoring $($vm.Name)"))
        (Get-DockerInspect $vm.Name).Id | Should -Be $vm.ContainerId
        $null = $cp
    }

    It 'a missing checkpoint is DockerVmCheckpointNotFound and changes nothing' {
        $vm = New-TestVm 'ckrm'
        { Restore-DockerVmCheckpoint -VMName $vm.Name -Name nope -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmCheckpointNotFound,*'
        $cp = Checkpoint-DockerVm $vm gone -PassThru
        $cp | Remove-DockerVmCheckpoint
        { $cp | Restore-DockerVmCheckpoint -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmCheckpointNotFound,*'
        (Get-DockerInspect $vm.Name).Id | Should -Be $vm.ContainerId
    }

    It 'a deleted VM is DockerVmNotFound, and New-DockerVm -Checkpoint makes it again' {
        $vm = New-TestVm 'ckrn' -Parameters @{ Start = $true }
        Invoke-DockerVmExec $vm -- sh -c 'echo kept > /root/state'
        $cp = Checkpoint-DockerVm $vm before -PassThru
        $vm | Remove-DockerVm -Force

        $err = { $cp | Restore-DockerVmCheckpoint -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotFound,*' -PassThru
        $err.Exception.RecommendedAction | Should -BeLike '*New-DockerVm -Checkpoint*'

        $again = New-DockerVm -Checkpoint $cp -Name $vm.Name -Label $TestLabel -Start
        $again.State | Should -Be 'Running'
        $again.Image | Should -Be $cp.ImageReference
        Read-Vm $again /root/state | Should -Be 'kept'
        (Get-DockerInspect $again.Name).Config.Labels.'dockervm.managed' | Should -Be 'true'
    }
}

Describe 'New-DockerVm -Checkpoint and Remove-DockerVmCheckpoint' -Tag 'E2E', 'Toolkit' {
    It 'makes another VM from a checkpoint, running the command of the VM it was taken of' {
        $vm = New-TestVm 'ckn' -Parameters @{ Start = $true; ContainerCommand = 'sleep', '100000' }
        Invoke-DockerVmExec $vm -- sh -c 'echo from-checkpoint > /root/state'
        $cp = Checkpoint-DockerVm $vm base -PassThru

        $copy = New-DockerVm -Checkpoint $cp -Name (New-TestName 'ckn2') -Label $TestLabel -Start
        Read-Vm $copy /root/state | Should -Be 'from-checkpoint'
        (Get-DockerInspect $copy.Name).Config.Cmd | Should -Be @('sleep', '100000')
        $vm.State | Should -Be 'Running'
    }

    It 'a checkpoint removed is DockerVmCheckpointNotFound for New-DockerVm, and nothing is created' {
        $vm = New-TestVm 'cknr'
        $cp = Checkpoint-DockerVm $vm r -PassThru
        $cp | Remove-DockerVmCheckpoint
        $name = New-TestName 'cknr2'
        { New-DockerVm -Checkpoint $cp -Name $name -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmCheckpointNotFound,*'
        Get-DockerStatus $name | Should -Be 'absent'
    }

    It 'removes a checkpoint''s image; one a VM runs from is refused until the VM goes' {
        $vm = New-TestVm 'ckx'
        $cp = Checkpoint-DockerVm $vm x -PassThru
        $used = New-DockerVm -Checkpoint $cp -Name (New-TestName 'ckx2') -Label $TestLabel

        { $cp | Remove-DockerVmCheckpoint -ErrorAction Stop } | Should -Throw -ErrorId 'DockerCommandFailed,*'
        & docker image inspect $cp.ImageId --format '{{.Id}}' | Should -Be $cp.ImageId

        $used | Remove-DockerVm
        Remove-DockerVmCheckpoint -VMName $vm.Name -Name x -WhatIf
        & docker image inspect $cp.ImageId --format '{{.Id}}' | Should -Be $cp.ImageId
        Remove-DockerVmCheckpoint -VMName $vm.Name -Name x
        & docker image inspect $cp.ImageId *> $null
        $LASTEXITCODE | Should -Not -Be 0
        Get-DockerVmCheckpoint $vm.Name | Should -BeNullOrEmpty
        { $cp | Remove-DockerVmCheckpoint -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmCheckpointNotFound,*'
        { Remove-DockerVmCheckpoint -VMName $vm.Name -Name x -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmCheckpointNotFound,*'
    }

    It 'a checkpoint built on another keeps working when the older one is removed' {
        $vm = New-TestVm 'ckc'
        $older = Checkpoint-DockerVm $vm older -PassThru
        $older | Restore-DockerVmCheckpoint
        $newer = Checkpoint-DockerVm $vm newer -PassThru
        $vm | Remove-DockerVm
        $older | Remove-DockerVmCheckpoint
        (Get-DockerVmCheckpoint $vm.Name).Name | Should -Be @('newer')
        $again = New-DockerVm -Checkpoint $newer -Name (New-TestName 'ckc2') -Label $TestLabel -Start
        $again.State | Should -Be 'Running'
        $again | Remove-DockerVm -Force
        $newer | Remove-DockerVmCheckpoint
        & docker image inspect $older.ImageId *> $null
        $LASTEXITCODE | Should -Not -Be 0 -Because 'the older layer goes with the last checkpoint built on it'
    }
}

Describe 'Checkpoint clean-up' -Tag 'E2E', 'Toolkit' {
    It 'leaves no checkpoint image of this file once its VMs and checkpoints are removed' {
        Remove-TestContainers
        Get-DockerVmCheckpoint | Where-Object { (Get-ImageLabels $_.ImageId)['dockervm.test'] -eq $TestRun } | Remove-DockerVmCheckpoint -Confirm:$false
        Get-RunImages | Should -BeNullOrEmpty
    }
}
