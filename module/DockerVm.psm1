# Loads the build of DockerVm that fits this PowerShell: net10.0 on PowerShell 7.6+ (.NET 10),
# netstandard2.0 on Windows PowerShell 5.1 and older PowerShell 7 releases.
$framework = if ($PSVersionTable.PSEdition -eq 'Core' -and [Environment]::Version.Major -ge 10) { 'net10.0' } else { 'netstandard2.0' }
Import-Module -Name (Join-Path $PSScriptRoot "lib/$framework/DockerVm.dll") -ErrorAction Stop

# Ephemeral VMs (New-DockerVm -Ephemeral) go when the session ends normally: on Remove-Module, and when
# PowerShell exits. After a crash, Get-DockerVm -Orphaned | Remove-DockerVm -Force clears them.
$ExecutionContext.SessionState.Module.OnRemove = { [DockerVm.EphemeralVms]::RemoveAll() }
$null = Register-EngineEvent -SourceIdentifier ([System.Management.Automation.PsEngineEvent]::Exiting) -Action { [DockerVm.EphemeralVms]::RemoveAll() }
Export-ModuleMember -Cmdlet @(
    'New-DockerVm', 'Start-DockerVm', 'Stop-DockerVm', 'Suspend-DockerVm', 'Resume-DockerVm', 'Remove-DockerVm',
    'Invoke-DockerVmExec', 'Get-DockerVmProperties', 'Get-DockerVm', 'Wait-DockerVm', 'Restart-DockerVm', 'Enter-DockerVm',
    'Get-DockerVmLog', 'Copy-DockerVmItem', 'Checkpoint-DockerVm', 'Get-DockerVmCheckpoint', 'Restore-DockerVmCheckpoint', 'Remove-DockerVmCheckpoint',
    'New-DockerVmPool', 'Get-DockerVmPool', 'Update-DockerVmPool', 'Remove-DockerVmPool'
)
