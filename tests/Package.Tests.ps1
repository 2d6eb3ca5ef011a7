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

# Issue 11: DockerVm next to another module that ships a different version of a dependency DockerVm ships
# (System.Text.Json: DockerVm's netstandard2.0 build ships 8.0.5; the neighbour, tests/neighbour, ships 6.0.11).
# Each child pwsh imports both, in both orders, and uses both (DockerVm parses the engine's JSON listing).
Describe 'Sharing a PowerShell process with other modules' -Tag 'Package' {
    BeforeAll {
        $neighbour = Join-Path $TestDrive 'Neighbour'
        $built = & dotnet publish (Join-Path $PSScriptRoot 'neighbour/Neighbour.csproj') -c Release -o $neighbour --nologo -v quiet 2>&1
        if ($LASTEXITCODE -ne 0) { throw "building the neighbour module failed: $($built -join "`n")" }
        $neighbourDll = Join-Path $neighbour 'Neighbour.dll'
        $moduleDir = Split-Path $ModulePath

        # Runs $Script in a fresh pwsh and returns its last output line as an object.
        function Invoke-Fresh([string] $Script) {
            $out = & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command "`$ErrorActionPreference = 'Stop'; $Script" 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            return ($out | Select-Object -Last 1) | ConvertFrom-Json
        }
        $use = @'
$n = Get-NeighbourJson 'x'
$vms = @(Get-DockerVm -Name 'no-such-vm-*')
@{ Neighbour = $n.Json; NeighbourJson = $n.JsonVersion; Listed = $vms.Count
   DockerVmJson = [string]([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'System.Text.Json' } | ForEach-Object { $_.GetName().Version } | Select-Object -First 1)
   DockerVmBuild = [DockerVm.DockerVmInstance].Assembly.Location } | ConvertTo-Json -Compress
'@
    }

    It 'works when the other module is imported first' {
        $r = Invoke-Fresh "Import-Module '$neighbourDll'; Import-Module '$ModulePath'; $use"
        $r.Neighbour | Should -Be '["x"]'
        $r.Listed | Should -Be 0
    }

    It 'works when DockerVm is imported first' {
        $r = Invoke-Fresh "Import-Module '$ModulePath'; Import-Module '$neighbourDll'; $use"
        $r.Neighbour | Should -Be '["x"]'
        $r.Listed | Should -Be 0
    }

    It 'works with the netstandard2.0 build (the one PowerShell 7.4/7.5 load) beside it' {
        $ns20 = Join-Path $moduleDir 'lib/netstandard2.0/DockerVm.dll'
        $r = Invoke-Fresh "Import-Module '$neighbourDll'; Import-Module '$ns20'; $use"
        $r.DockerVmBuild | Should -BeLike '*netstandard2.0*'
        $r.Neighbour | Should -Be '["x"]'
        $r.Listed | Should -Be 0
        # One System.Text.Json serves both: the runtime's own, not either module's shipped copy.
        $r.NeighbourJson | Should -Be $r.DockerVmJson
        [version]$r.DockerVmJson | Should -BeGreaterThan ([version]'8.0.0.0')
    }
}
