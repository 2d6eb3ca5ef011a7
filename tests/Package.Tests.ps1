# The staged module publishes to a local PSResourceGet repository, installs from it and imports.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Packaging' -Tag 'Package' {
    It 'publishes a nupkg that installs from a local repository and exports the contract cmdlets' {
        $moduleDir = Split-Path $ModulePath
        $repo = Join-Path $TestDrive 'repo'
        New-Item -ItemType Directory $repo | Out-Null
        $out = & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot '../build/Publish-Local.ps1') $moduleDir $repo 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $version = (Import-PowerShellDataFile (Join-Path $moduleDir 'DockerVm.psd1')).ModuleVersion
        Test-Path (Join-Path $repo "DockerVm.$version.nupkg") | Should -BeTrue
        ($out -join "`n") | Should -Match 'imported: OK'
        foreach ($c in 'New-DockerVm', 'Invoke-DockerVmExec', 'Wait-DockerVm') { ($out -join "`n") | Should -Match $c }
    }

    It 'stamps one version into the manifest and both builds' {
        $moduleDir = Split-Path $ModulePath
        $version = [version](Import-PowerShellDataFile (Join-Path $moduleDir 'DockerVm.psd1')).ModuleVersion
        foreach ($f in 'net10.0', 'netstandard2.0') {
            $dll = Join-Path $moduleDir "lib/$f/DockerVm.dll"
            [Reflection.AssemblyName]::GetAssemblyName($dll).Version.ToString(3) | Should -Be $version.ToString(3)
        }
    }
}
