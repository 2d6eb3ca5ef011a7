# Prints the Core's transition table (DockerVm.StateMachine.Print) to a file, for about_DockerVm.
param([Parameter(Mandatory)][string] $CoreDll, [Parameter(Mandatory)][string] $OutFile)
$ErrorActionPreference = 'Stop'
Add-Type -Path $CoreDll
Set-Content -Path $OutFile -Value ([DockerVm.StateMachine]::Print()) -NoNewline
