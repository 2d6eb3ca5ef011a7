<#
.SYNOPSIS
    Publishes the staged module to a local PSResourceGet folder repository, then proves the package:
    saves it from that repository into a temporary path, imports it and lists its cmdlets.
#>
param([Parameter(Mandatory)][string] $ModuleDir, [Parameter(Mandatory)][string] $RepoDir)
$ErrorActionPreference = 'Stop'
$repo = 'DockerVmLocal' + [Guid]::NewGuid().ToString('N').Substring(0, 6)
Register-PSResourceRepository -Name $repo -Uri (Resolve-Path $RepoDir).Path -Trusted
try {
    Publish-PSResource -Path $ModuleDir -Repository $repo
    $nupkg = Get-ChildItem $RepoDir -Filter 'DockerVm.*.nupkg' | Select-Object -First 1
    if (-not $nupkg) { throw "no nupkg was written to $RepoDir" }
    Write-Host "published $($nupkg.FullName)"

    $target = Join-Path ([IO.Path]::GetTempPath()) ('dockervm-install-' + [Guid]::NewGuid().ToString('N').Substring(0, 6))
    New-Item -ItemType Directory $target | Out-Null
    try {
        Save-PSResource -Name DockerVm -Repository $repo -Path $target -TrustRepository
        $manifest = Get-ChildItem $target -Recurse -Filter DockerVm.psd1 | Select-Object -First 1
        Import-Module $manifest.FullName
        $commands = Get-Command -Module DockerVm
        $commands | Format-Table CommandType, Name, Version -AutoSize | Out-Host
        $expected = (Import-PowerShellDataFile (Join-Path $ModuleDir 'DockerVm.psd1')).CmdletsToExport
        if ($commands.Count -ne $expected.Count) { throw "the installed module exports $($commands.Count) cmdlets, not the manifest's $($expected.Count)" }
        if (-not (Get-Help New-DockerVm -Examples).examples) { throw 'the installed module has no help examples' }
        Write-Host "installed from '$repo' into $target and imported: OK"
    }
    finally {
        Remove-Module DockerVm -ErrorAction Ignore
        Remove-Item $target -Recurse -Force -ErrorAction Ignore
    }
}
finally {
    Unregister-PSResourceRepository -Name $repo
}
