<#
.SYNOPSIS
    Runs the Pester suite against the staged module and the real engine, then the leak check,
    and writes the counts to -ResultPath as JSON ({ Passed, Failed }).
    Called by build.ps1 Test in a child pwsh, so the built DLL is never loaded into the build.
#>
param(
    [Parameter(Mandatory)][string] $PesterPath,
    [Parameter(Mandatory)][string] $ModulePath,
    [Parameter(Mandatory)][string] $TestsPath,
    [Parameter(Mandatory)][string] $ResultPath,
    [string] $Tag,
    [string] $ExcludeTag
)
$ErrorActionPreference = 'Stop'
if ($env:CI) { $PSStyle.OutputRendering = 'PlainText' }
Import-Module $PesterPath -RequiredVersion 5.7.1

# Every container a test makes carries this label; the leak check looks for it.
$env:DOCKERVM_TEST_MODULE = (Resolve-Path $ModulePath).Path
$env:DOCKERVM_TEST_RUN = 'run-' + [Guid]::NewGuid().ToString('N').Substring(0, 8)

function Invoke-Suite([string[]] $Path, [string[]] $Tags, [string[]] $ExcludeTags) {
    $config = New-PesterConfiguration
    $config.Run.Path = $Path
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $config.Output.RenderMode = 'Plaintext'
    if ($Tags) { $config.Filter.Tag = $Tags }
    if ($ExcludeTags) { $config.Filter.ExcludeTag = $ExcludeTags }
    Invoke-Pester -Configuration $config
}

$suites = Get-ChildItem $TestsPath -Filter '*.Tests.ps1' | Where-Object Name -ne 'Leaks.Tests.ps1' | Sort-Object Name
Write-Host "transport: $($env:DOCKERVM_TRANSPORT ? $env:DOCKERVM_TRANSPORT : 'auto')"
$main = Invoke-Suite -Path $suites.FullName -Tags ($Tag ? ($Tag -split ',') : $null) -ExcludeTags ($ExcludeTag ? ($ExcludeTag -split ',') : $null)
$leaks = Invoke-Suite -Path (Join-Path $TestsPath 'Leaks.Tests.ps1')

# After the check has spoken, clear what a failed test may have left, so the engine starts clean next time.
$left = & docker ps -aq --filter "label=dockervm.test=$env:DOCKERVM_TEST_RUN"
if ($left) { & docker rm -f @left *> $null }
# Checkpoint images: untag them (a parent goes with its last child), then whatever is left.
$refs = & docker images --filter "label=dockervm.test=$env:DOCKERVM_TEST_RUN" --format '{{.Repository}}:{{.Tag}}' | Where-Object { $_ -notlike '*<none>*' }
if ($refs) { & docker rmi -f @refs *> $null }
$images = & docker images -a -q --filter "label=dockervm.test=$env:DOCKERVM_TEST_RUN"
if ($images) { & docker rmi -f @images *> $null }
$networks = & docker network ls -q --filter "label=dockervm.test=$env:DOCKERVM_TEST_RUN"
if ($networks) { & docker network rm @networks *> $null }

$passed = $main.PassedCount + $leaks.PassedCount
$failed = $main.FailedCount + $leaks.FailedCount + $main.FailedBlocksCount + $main.FailedContainersCount + $leaks.FailedContainersCount
@{ Passed = $passed; Failed = $failed } | ConvertTo-Json | Set-Content $ResultPath
Write-Host "Pester: $passed passed, $failed failed (run label dockervm.test=$env:DOCKERVM_TEST_RUN)"
exit ([int]($failed -gt 0))
