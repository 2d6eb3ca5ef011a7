# The Engine API transport needs no docker program: in a child pwsh with DOCKERVM_TRANSPORT=api and a
# PATH without docker, a whole VM life with the machine toolkit (logs, copies both ways of a ~50 MB file
# and a folder, checkpoint, list, restore, remove) works, and a copy streams: it allocates far less
# than the file's size. Runs the same whichever transport the suite runs on (the child forces api).
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Assert-Engine
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('dvt-nocli-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    $script:NoDocker = Join-Path $Work 'empty-path'
    New-Item -ItemType Directory $NoDocker -Force | Out-Null
}

AfterAll {
    Remove-TestContainers
    $refs = & docker images --filter "label=dockervm.test=$TestRun" --filter 'label=dockervm.checkpoint=true' --format '{{.Repository}}:{{.Tag}}'
    if ($refs) { & docker rmi -f @refs *> $null }
    Remove-Item $script:Work -Recurse -Force -ErrorAction Ignore
}

Describe 'The API transport without a docker program' -Tag 'E2E', 'Toolkit', 'ApiOnly' {
    It 'runs logs, copies (a 50 MB file, a folder) and checkpoints with no docker on PATH, streaming the copies' {
        $name = New-TestName 'nocli'
        $script = @"
`$ErrorActionPreference = 'Stop'
`$env:PATH = '$NoDocker'
`$env:DOCKERVM_TRANSPORT = 'api'
Remove-Item Env:DOCKERVM_CLI -ErrorAction Ignore
Import-Module '$ModulePath'
`$r = [ordered]@{}
`$r.DockerFound = [bool](Get-Command docker -ErrorAction Ignore)
`$r.Transport = [DockerVm.VmRegistry]::Engine('').Transport
`$vm = New-DockerVm -Image '$TestImage' -Name '$name' -Label @{ 'dockervm.test' = '$TestRun' } -Start -ContainerCommand sh, '-c', 'sleep 1; echo out-line; sleep 0.2; echo err-line >&2; sleep 3600'
Wait-DockerVm -VM `$vm -ForLog 'err-line' -TimeoutSec 30 | Out-Null
`$r.Log = @(Get-DockerVmLog -VM `$vm | ForEach-Object { "`$(`$_.Stream):`$(`$_.Text)" })

# ~50 MB of random bytes in and out; the allocations of each copy are measured in this process.
`$big = Join-Path '$Work' 'big.bin'
`$bytes = [byte[]]::new(50MB + 123); [Security.Cryptography.RandomNumberGenerator]::Fill(`$bytes); [IO.File]::WriteAllBytes(`$big, `$bytes); `$bytes = `$null
[GC]::Collect()
`$r.HostSha = (Get-FileHash `$big -Algorithm SHA256).Hash.ToLowerInvariant()
`$before = [GC]::GetTotalAllocatedBytes(`$true)
Copy-DockerVmItem `$big -ToVM `$vm -Destination /tmp/
`$r.InAllocatedMB = ([GC]::GetTotalAllocatedBytes(`$true) - `$before) / 1MB
`$r.VmSha = (Invoke-DockerVmExec -VM `$vm -Command sha256sum -ArgumentList /tmp/big.bin).Split(' ')[0]
`$back = Join-Path '$Work' 'big-back.bin'
`$before = [GC]::GetTotalAllocatedBytes(`$true)
Copy-DockerVmItem /tmp/big.bin -FromVM `$vm -Destination `$back
`$r.OutAllocatedMB = ([GC]::GetTotalAllocatedBytes(`$true) - `$before) / 1MB
`$r.BackSha = (Get-FileHash `$back -Algorithm SHA256).Hash.ToLowerInvariant()

# A folder in and out.
`$tree = Join-Path '$Work' 'tree'; New-Item -ItemType Directory (Join-Path `$tree 'sub') -Force | Out-Null
Set-Content (Join-Path `$tree 'sub/a.txt') 'folder-content'
Copy-DockerVmItem `$tree -ToVM `$vm -Destination /root/tree
Copy-DockerVmItem /root/tree -FromVM `$vm -Destination (Join-Path '$Work' 'tree-back')
`$r.Folder = Get-Content (Join-Path '$Work' 'tree-back/sub/a.txt')
try { Copy-DockerVmItem /no/such -FromVM `$vm -Destination '$Work' } catch { `$r.MissingPath = `$_.FullyQualifiedErrorId }

# Checkpoint, list, restore, remove.
Invoke-DockerVmExec -VM `$vm -- sh -c 'echo before > /root/state.txt'
Checkpoint-DockerVm -VM `$vm -CheckpointName 'nocli'
Invoke-DockerVmExec -VM `$vm -- sh -c 'echo after > /root/state.txt'
`$cp = Get-DockerVmCheckpoint -VMName '$name' -Name 'nocli'
`$r.Checkpoints = @(Get-DockerVmCheckpoint -VMName '$name').Count
`$vm = `$cp | Restore-DockerVmCheckpoint -Start -PassThru
`$r.Restored = Invoke-DockerVmExec -VM `$vm -- cat /root/state.txt
Remove-DockerVm -VM `$vm -Force
`$cp | Remove-DockerVmCheckpoint
`$r.CheckpointsLeft = @(Get-DockerVmCheckpoint -VMName '$name').Count
try { Remove-DockerVmCheckpoint -VMName '$name' -Name 'nocli' } catch { `$r.MissingCheckpoint = `$_.FullyQualifiedErrorId }
[pscustomobject]`$r | ConvertTo-Json -Compress
"@
        $out = & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script 2>&1 | ForEach-Object { "$_" }
        $json = $out | Where-Object { $_ -like '{*' } | Select-Object -Last 1
        $json | Should -Not -BeNullOrEmpty -Because ($out -join "`n")
        $r = $json | ConvertFrom-Json

        $r.DockerFound | Should -BeFalse
        $r.Transport | Should -BeLike 'api:*'
        $r.Log | Should -Contain 'Stdout:out-line'
        $r.Log | Should -Contain 'Stderr:err-line'
        $r.VmSha | Should -Be $r.HostSha
        $r.BackSha | Should -Be $r.HostSha
        $r.InAllocatedMB | Should -BeLessThan 25 -Because 'the file is streamed into the tar, never held (it is 50 MB)'
        $r.OutAllocatedMB | Should -BeLessThan 25 -Because 'the tar is streamed onto the disk, never held (it is 50 MB)'
        $r.Folder | Should -Be 'folder-content'
        $r.MissingPath | Should -BeLike 'DockerVmPathNotFound,*'
        $r.Checkpoints | Should -Be 1
        $r.Restored | Should -Be 'before'
        $r.CheckpointsLeft | Should -Be 0
        $r.MissingCheckpoint | Should -BeLike 'DockerVmCheckpointNotFound,*'
        Get-DockerStatus $name | Should -Be 'absent'
    }
}
