<#
.SYNOPSIS
    The main job: a short lifecycle on the local engine with the cmdlets, printing the typed objects.
    build.ps1 Demo runs it after Bootstrap and Build.
#>
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [string] $Image = 'dockervm/busybox:latest'
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

function Show([string] $Title, [scriptblock] $Action) {
    Write-Host "`n### $Title" -ForegroundColor Green
    Write-Host ("PS> " + $Action.ToString().Trim()) -ForegroundColor DarkGray
    & $Action | Out-Host
}

$name = 'demo-' + [Guid]::NewGuid().ToString('N').Substring(0, 6)
try {
    Show 'New-DockerVm creates the container (Clone: Initial -> Stopped)' { $script:vm = New-DockerVm -Image $Image -Name $name -Label @{ purpose = 'demo' }; $vm }
    Show 'Start-DockerVm waits until the engine reports running (Stopped -> Running)' { $vm | Start-DockerVm -PassThru }
    Show 'Invoke-DockerVmExec streams stdout lines; $LASTEXITCODE is set' { Invoke-DockerVmExec $vm.Name -- sh -c 'echo "hello from $(hostname)"; uname -sm'; "exit code: $LASTEXITCODE" }
    Show 'Invoke-DockerVmExec -AsResult gives one typed result, exact text, no error for a non-zero exit' { Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'echo out; echo err >&2; exit 3' -AsResult | Format-List }
    Show 'Get-DockerVmProperties reads the live properties' { Get-DockerVmProperties -VM $vm | Format-List Name, State, IPAddress, IPAddresses, CloneInfo, StartedAt, Networks }
    Show 'Suspend-DockerVm / Resume-DockerVm (docker pause / unpause)' { $vm | Suspend-DockerVm -PassThru; $vm | Resume-DockerVm -PassThru }
    Show 'Get-DockerVm lists managed VMs with live state' { Get-DockerVm -Name 'demo-*' }
    Show 'A refused transition names the valid actions' { try { $vm | Remove-DockerVm -ErrorAction Stop } catch { "$($_.FullyQualifiedErrorId): $_" } }
    Show 'Stop-DockerVm (Running -> Stopped, milliseconds thanks to --init)' { $took = Measure-Command { $vm | Stop-DockerVm }; $vm; "stopped in $([int]$took.TotalMilliseconds) ms" }
    Show 'Remove-DockerVm (Stopped -> Deleted)' { $vm | Remove-DockerVm -PassThru }
}
finally {
    Remove-DockerVm -Name $name -Force -ErrorAction SilentlyContinue
}
Write-Host "`nThe state machine (Get-Help about_DockerVm):" -ForegroundColor Green
[DockerVm.StateMachine]::Print() | Out-Host
