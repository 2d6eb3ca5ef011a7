@{
    RootModule             = 'DockerVm.psm1'
    ModuleVersion          = '0.1.0'
    CompatiblePSEditions   = @('Core', 'Desktop')
    GUID                   = '8f0d3c52-4b1e-4c8e-9a57-3d2f6e1b7a90'
    Author                 = 'DockerVm contributors'
    CompanyName            = 'DockerVm'
    Copyright              = '(c) DockerVm contributors. Apache-2.0.'
    Description            = 'Manage Docker containers as VM-like instances with an explicit lifecycle state machine (Initial, Stopped, Running, Suspended, Deleted ...). The PowerShell counterpart of cloudeng.io/vms/dockervm.'
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('DockerVm.format.ps1xml')
    # Update-Help reads DockerVm_<GUID>_HelpInfo.xml (and the help CAB) from here; cmdlets carry HelpUri for Get-Help -Online.
    HelpInfoURI            = 'https://github.com/dockervm/DockerVm/releases/latest/download/'
    CmdletsToExport        = @(
        'New-DockerVm'
        'Start-DockerVm'
        'Stop-DockerVm'
        'Suspend-DockerVm'
        'Resume-DockerVm'
        'Remove-DockerVm'
        'Invoke-DockerVmExec'
        'Get-DockerVmProperties'
        'Get-DockerVm'
        'Wait-DockerVm'
        'Restart-DockerVm'
        'Enter-DockerVm'
        'Get-DockerVmLog'
        'Copy-DockerVmItem'
        'Checkpoint-DockerVm'
        'Get-DockerVmCheckpoint'
        'Restore-DockerVmCheckpoint'
        'Remove-DockerVmCheckpoint'
        'New-DockerVmPool'
        'Get-DockerVmPool'
        'Update-DockerVmPool'
        'Remove-DockerVmPool'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('Docker', 'Container', 'VM', 'Lifecycle', 'PSEdition_Core', 'PSEdition_Desktop', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://www.apache.org/licenses/LICENSE-2.0'
            ProjectUri   = 'https://github.com/dockervm/DockerVm'
            ReleaseNotes = 'First release: the full lifecycle state machine, exec with streaming output and typed results, listing in a constant number of engine calls.'
        }
    }
}
