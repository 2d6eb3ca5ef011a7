<#
.SYNOPSIS
    The one front door of DockerVm: Bootstrap | Build | Test | Package | Bench | Demo | Stress | Podman.
    Podman (not in Test or CI): the engine-generic suites against Podman's Docker-compatible API socket (docs/podman.md).
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Bootstrap', 'Build', 'Test', 'Package', 'Bench', 'Demo', 'Stress', 'Podman')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester tags to run (Test); all when empty.
    [string[]] $Tag,

    # The transports the end-to-end suites run on (Test); the first runs every suite.
    [ValidateSet('api', 'cli')]
    [string[]] $Transport = @('api', 'cli')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
if ($env:CI -or [Console]::IsOutputRedirected) { $PSStyle.OutputRendering = "PlainText" }

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$Staged = Join-Path $Out 'DockerVm'
$Packages = Join-Path $Out 'packages'
$PesterVersion = '5.7.1'
$DefaultImage = 'dockervm/busybox:latest'
$Manifest = Import-PowerShellDataFile (Join-Path $Root 'DockerVm.psd1')
$Version = $env:DOCKERVM_VERSION ? $env:DOCKERVM_VERSION : $Manifest.ModuleVersion

function Write-Step([string] $Message) { Write-Host "==> $Message" -ForegroundColor Cyan }

function Invoke-Native {
    # Runs a native command (first argument) and fails the build when it fails.
    $file, $rest = $args
    & $file @rest
    if ($LASTEXITCODE -ne 0) { throw "'$file $($rest -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Invoke-ChildPwsh {
    # A child pwsh (same version as this one) so the built DLL is never loaded into the build's process.
    param([Parameter(Mandatory)][string] $File, [string[]] $ArgumentList = @())
    & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File $File @ArgumentList | Out-Host
    return $LASTEXITCODE
}

function Test-Engine {
    if (-not (Get-Command docker -ErrorAction Ignore)) { return $false }
    $p = Start-Process docker -ArgumentList 'info', '--format', '{{.ServerVersion}}' -PassThru -NoNewWindow `
        -RedirectStandardOutput (Join-Path $Out 'docker-info.txt') -RedirectStandardError (Join-Path $Out 'docker-info.err')
    if (-not $p.WaitForExit(15000)) { $p.Kill(); return $false }
    return $p.ExitCode -eq 0
}

function Test-Root { return $IsLinux -and ((& id -u) -eq '0') }

function Install-AptPackage([string[]] $Names) {
    if (-not (Test-Root) -or -not (Get-Command apt-get -ErrorAction Ignore)) {
        throw "Missing: $($Names -join ', '). Install them (apt-get install $($Names -join ' ')) or run as root on Debian."
    }
    Write-Step "apt-get install $($Names -join ' ')"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-Native apt-get -qq update
    Invoke-Native apt-get install -y -qq @Names
}

function Test-StaticBusybox {
    # The default image needs a static busybox (Debian's busybox-static); a dynamic one cannot run in it.
    $busybox = @('/usr/bin/busybox', '/bin/busybox') | Where-Object { Test-Path $_ } | Select-Object -First 1
    if (-not $busybox) { return $false }
    $out = & ldd $busybox 2>&1
    return ($LASTEXITCODE -ne 0) -or ("$out" -match 'not a dynamic executable|statically linked')
}

function Install-Prerequisites {
    # What the engine and the tests need on a fresh Debian machine (the tests' second engine uses ip and kill).
    $missing = @()
    if (-not (Get-Command dockerd -ErrorAction Ignore)) { $missing += 'docker.io' }
    if (-not (Test-StaticBusybox)) { $missing += 'busybox-static' }
    if (-not (Get-Command ip -ErrorAction Ignore)) { $missing += 'iproute2' }
    if (-not (Get-Command kill -CommandType Application -ErrorAction Ignore)) { $missing += 'procps' }
    if (-not (Get-Command tmux -ErrorAction Ignore)) { $missing += 'tmux' }    # Enter-DockerVm's test drives a real terminal
    if (-not (Get-Command openssl -ErrorAction Ignore)) { $missing += 'openssl' }  # the TLS engine's test certificates
    if (-not (Get-Command curl -CommandType Application -ErrorAction Ignore)) { $missing += 'curl' }    # Bench: the Engine API floor (curl --unix-socket)
    if ($missing -and (Test-Root) -and (Get-Command apt-get -ErrorAction Ignore)) { Install-AptPackage $missing }
}

function Start-Engine {
    if (Test-Engine) { return }
    if (-not (Get-Command dockerd -ErrorAction Ignore)) { throw 'No Docker engine answers `docker info`, and dockerd is not installed (apt-get install docker.io, as root).' }
    if (-not (Test-Root)) { throw 'No Docker engine answers `docker info`, and starting one needs root.' }
    $log = Join-Path $Out 'dockerd.log'
    Write-Step "starting dockerd (log: $log)"
    Invoke-Native bash -c "setsid nohup dockerd > '$log' 2>&1 < /dev/null &"
    $deadline = [DateTime]::UtcNow.AddSeconds(90)
    while (-not (Test-Engine)) {
        if ([DateTime]::UtcNow -gt $deadline) {
            Get-Content $log -Tail 30 -ErrorAction Ignore | Write-Host
            throw 'dockerd did not answer `docker info` within 90 s.'
        }
        Start-Sleep -Milliseconds 500
    }
}

function New-DefaultImage {
    # No registry is reachable here: the default image is made from Debian's busybox-static.
    & docker image inspect $DefaultImage *> $null
    if ($LASTEXITCODE -eq 0) { return }
    $busybox = @('/usr/bin/busybox', '/bin/busybox') | Where-Object { Test-Path $_ } | Select-Object -First 1
    if (-not (Test-StaticBusybox)) {
        # Where busybox-static could not be installed, a reachable registry is the fallback.
        Write-Step "no static busybox here: pulling busybox as $DefaultImage"
        Invoke-Native docker pull busybox:latest
        Invoke-Native docker tag busybox:latest $DefaultImage
        return
    }
    Write-Step "building $DefaultImage from $busybox"
    $rootfs = Join-Path $Out 'rootfs'
    Remove-Item $rootfs -Recurse -Force -ErrorAction Ignore
    New-Item -ItemType Directory (Join-Path $rootfs 'bin'), (Join-Path $rootfs 'tmp'), (Join-Path $rootfs 'etc'), (Join-Path $rootfs 'root') | Out-Null
    Copy-Item $busybox (Join-Path $rootfs 'bin/busybox')
    Invoke-Native bash -c "cd '$rootfs/bin' && chmod 755 busybox && for a in `$(./busybox --list); do [ `"`$a`" = busybox ] || ln -sf busybox `"`$a`"; done && chmod 1777 '$rootfs/tmp'"
    Set-Content (Join-Path $rootfs 'etc/passwd') "root:x:0:0:root:/root:/bin/sh`nnobody:x:65534:65534:nobody:/:/bin/false"
    Set-Content (Join-Path $rootfs 'etc/group') "root:x:0:`nnogroup:x:65534:"
    Invoke-Native bash -c "tar -C '$rootfs' -c . | docker import -c 'ENV PATH=/bin' -c 'CMD [\`"sh\`"]' - $DefaultImage > /dev/null"
}

function Install-Pester {
    New-Item -ItemType Directory $Out -Force | Out-Null
    $pester = Join-Path $Packages "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $pester)) {
        Write-Step "fetching Pester $PesterVersion"
        Invoke-Native dotnet restore (Join-Path $Root 'build/tools.proj') --packages $Packages -v quiet
    }
}

function Invoke-Bootstrap {
    Install-Pester
    Install-Prerequisites
    Start-Engine
    New-DefaultImage
}

function Invoke-Build {
    Write-Step "building DockerVm $Version ($Configuration)"
    $publish = Join-Path $Out 'publish'
    Remove-Item $publish, $Staged -Recurse -Force -ErrorAction Ignore
    New-Item -ItemType Directory $Staged, (Join-Path $Staged 'en-US') | Out-Null
    # Two builds: net10.0 for PowerShell 7.6+ (CliWrap's own net10.0 build), netstandard2.0 for Windows PowerShell
    # and older PowerShell 7. DockerVm.psm1 loads the one that fits.
    foreach ($framework in 'net10.0', 'netstandard2.0') {
        Invoke-Native dotnet publish (Join-Path $Root 'src/DockerVm/DockerVm.csproj') -c $Configuration -f $framework -o (Join-Path $publish $framework) "-p:Version=$Version" --nologo -v quiet
        $lib = Join-Path $Staged "lib/$framework"
        New-Item -ItemType Directory $lib, (Join-Path $lib 'en-US') | Out-Null
        Get-ChildItem (Join-Path $publish $framework) -Filter *.dll | Where-Object Name -ne 'System.Management.Automation.dll' | Copy-Item -Destination $lib
    }
    Copy-Item (Join-Path $Root 'module/DockerVm.psm1') $Staged
    Copy-Item (Join-Path $Root 'module/DockerVm.format.ps1xml') $Staged
    Copy-Item (Join-Path $Root 'LICENSE') $Staged
    $psd1 = (Get-Content (Join-Path $Root 'DockerVm.psd1') -Raw) -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion          = '$Version'"
    Set-Content (Join-Path $Staged 'DockerVm.psd1') $psd1 -NoNewline
    # about_DockerVm: the state table is printed by the Core itself, so help and code cannot disagree.
    $table = Invoke-ChildPwsh (Join-Path $Root 'build/Get-StateTable.ps1') -ArgumentList (Join-Path $Staged 'lib/net10.0/DockerVm.Core.dll'), (Join-Path $Out 'state-table.txt')
    if ($table -ne 0) { throw 'printing the state table failed' }
    $about = (Get-Content (Join-Path $Root 'module/en-US/about_DockerVm.help.txt') -Raw).Replace('{{STATE_TABLE}}', ((Get-Content (Join-Path $Out 'state-table.txt')) | ForEach-Object { "    $_".TrimEnd() }) -join [Environment]::NewLine)
    Set-Content (Join-Path $Staged 'en-US/about_DockerVm.help.txt') $about -NoNewline
    # Get-Help looks for a binary module's MAML beside the DLL.
    $maml = Join-Path $Out 'DockerVm.dll-Help.xml'
    & (Join-Path $Root 'build/New-MamlHelp.ps1') -SourcePath (Join-Path $Root 'module/help') -OutputPath $maml
    foreach ($framework in 'net10.0', 'netstandard2.0') { Copy-Item $maml (Join-Path $Staged "lib/$framework/en-US") }
    Write-Step "staged $Staged"
}

function Invoke-Test {
    Invoke-Bootstrap
    Invoke-Build
    $results = Join-Path $Out 'test-results'
    Remove-Item $results -Recurse -Force -ErrorAction Ignore
    New-Item -ItemType Directory $results | Out-Null

    Write-Step 'xunit: tests/unit'
    & dotnet test (Join-Path $Root 'tests/unit/DockerVm.Tests.csproj') -c $Configuration --nologo -v quiet `
        --logger "trx;LogFileName=unit.trx" --results-directory $results
    $unitExit = $LASTEXITCODE
    $unit = @{ Passed = 0; Failed = 0 }
    $trx = Join-Path $results 'unit.trx'
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content $trx -Raw)).TestRun.ResultSummary.Counters
        $unit = @{ Passed = [int]$counters.passed; Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout }
    }
    if ($unitExit -ne 0 -and $unit.Failed -eq 0) { $unit.Failed = 1 }   # a build or runner failure counts as a failure

    # The end-to-end suites on both transports (DOCKERVM_TRANSPORT): every suite on the Engine API
    # transport (the default), and on the CLI transport every suite but the pure-cmdlet ones that
    # never reach an engine (tagged Interface/Package/Views) and the one that forces the API transport itself
    # (ApiOnly): the same behaviour, error ids and guarantees.
    $pester = @{ Passed = 0; Failed = 0 }
    foreach ($through in $Transport) {   # (PowerShell names are case-blind: not $transport)
        Write-Step "Pester: tests/*.Tests.ps1 against the real engine, DOCKERVM_TRANSPORT=$through"
        $pesterJson = Join-Path $results "pester-$through.json"
        $runnerArgs = @('-PesterPath', (Join-Path $Packages "pester/$PesterVersion/tools/Pester.psd1"), '-ModulePath', (Join-Path $Staged 'DockerVm.psd1'),
            '-TestsPath', (Join-Path $Root 'tests'), '-ResultPath', $pesterJson)
        if ($Tag) { $runnerArgs += @('-Tag', ($Tag -join ',')) }
        if ($through -ne $Transport[0]) { $runnerArgs += @('-ExcludeTag', 'Interface,Package,Views,ApiOnly') }
        $env:DOCKERVM_TRANSPORT = $through
        try { $pesterExit = Invoke-ChildPwsh (Join-Path $Root 'tests/Invoke-PesterSuite.ps1') -ArgumentList $runnerArgs }
        finally { Remove-Item Env:DOCKERVM_TRANSPORT -ErrorAction Ignore }
        $run = @{ Passed = 0; Failed = 1 }
        if (Test-Path $pesterJson) { $run = Get-Content $pesterJson -Raw | ConvertFrom-Json -AsHashtable }
        if ($pesterExit -ne 0 -and $run.Failed -eq 0) { $run.Failed = 1 }
        Write-Host "Pester ($through): $($run.Passed) passed, $($run.Failed) failed"
        $pester.Passed += $run.Passed
        $pester.Failed += $run.Failed
    }

    $passed = $unit.Passed + $pester.Passed
    $failed = $unit.Failed + $pester.Failed
    Write-Host "xunit: $($unit.Passed) passed, $($unit.Failed) failed; Pester: $($pester.Passed) passed, $($pester.Failed) failed"
    Write-Output "$passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Package {
    Invoke-Build
    $repo = Join-Path $Out 'repo'
    Remove-Item $repo -Recurse -Force -ErrorAction Ignore
    New-Item -ItemType Directory $repo | Out-Null
    $exit = Invoke-ChildPwsh (Join-Path $Root 'build/Publish-Local.ps1') -ArgumentList $Staged, $repo
    if ($exit -ne 0) { throw "packaging failed (exit $exit)" }
}

function Invoke-Bench {
    Invoke-Bootstrap
    Invoke-Build
    $exit = Invoke-ChildPwsh (Join-Path $Root 'tests/bench/Invoke-Benchmark.ps1') -ArgumentList '-ModulePath', (Join-Path $Staged 'DockerVm.psd1'), '-OutputPath', (Join-Path $Out 'bench')
    if ($exit -ne 0) { throw "benchmark failed (exit $exit)" }
}

function Invoke-Stress {
    # Issue 11: N short commands through CliWrap (as DockerCli runs them) and through ProcessRunner, on .NET 8 with the
    # netstandard2.0 builds (PowerShell 7.4) and on .NET 10 with the net10.0 builds; see docs/cliwrap-hang.md. Not in Test or CI.
    $count = if ($env:DOCKERVM_STRESS_COUNT) { [int]$env:DOCKERVM_STRESS_COUNT } else { 20000 }
    $project = Join-Path $Root 'build/stress/DockerVm.Stress.csproj'
    $stress = Join-Path $Out 'stress'
    Write-Step "stress: publishing (net8.0 self-contained, net10.0)"
    Invoke-Native dotnet publish $project -c Release -f net8.0 -r linux-x64 --self-contained -o (Join-Path $stress 'net8.0') --nologo -v quiet
    Invoke-Native dotnet build $project -c Release -f net10.0 -o (Join-Path $stress 'net10.0') --nologo -v quiet
    Write-Step "stress: $count commands a run, .NET 8 + netstandard2.0"
    & (Join-Path $stress 'net8.0/DockerVm.Stress') --selftest
    $selftest = $LASTEXITCODE
    & (Join-Path $stress 'net8.0/DockerVm.Stress') --suite --count $count --parallel 2 --out (Join-Path $stress 'net8.0.json')
    $net8 = $LASTEXITCODE
    Write-Step "stress: $count commands a run, .NET 10 + net10.0"
    & dotnet (Join-Path $stress 'net10.0/DockerVm.Stress.dll') --suite --count $count --parallel 2 --out (Join-Path $stress 'net10.0.json')
    if ($selftest -ne 0 -or $net8 -ne 0 -or $LASTEXITCODE -ne 0) { throw 'stress: ProcessRunner failed or hung (see above)' }
}

function Invoke-Podman {
    # Issue 11: the engine-generic suites against `podman system service` (its Docker-compatible API), on the API
    # transport, with a podman configuration, storage and network of their own that go at the end. Not in Test or CI.
    # The docker engine is not needed (its CLI is: the tests cross-check with it, through DOCKER_HOST).
    Install-Pester
    $missing = @()
    if (-not (Get-Command podman -ErrorAction Ignore)) { $missing += 'podman' }
    if (-not (Test-Path /usr/bin/catatonit)) { $missing += 'catatonit' }   # --init
    if (-not (Test-StaticBusybox)) { $missing += 'busybox-static' }
    if (-not (Get-Command docker -ErrorAction Ignore)) { $missing += 'docker.io' }
    if ($missing) { Install-AptPackage $missing }
    Invoke-Build
    $results = Join-Path $Out 'test-results'
    New-Item -ItemType Directory $results -Force | Out-Null
    $json = Join-Path $results 'pester-podman.json'
    Remove-Item $json -ErrorAction Ignore
    $exit = Invoke-ChildPwsh (Join-Path $Root 'build/Invoke-PodmanSuite.ps1') -ArgumentList '-PesterPath', (Join-Path $Packages "pester/$PesterVersion/tools/Pester.psd1"),
        '-ModulePath', (Join-Path $Staged 'DockerVm.psd1'), '-TestsPath', (Join-Path $Root 'tests'), '-ResultPath', $json, '-Image', $DefaultImage
    $run = @{ Passed = 0; Failed = 1 }
    if (Test-Path $json) { $run = Get-Content $json -Raw | ConvertFrom-Json -AsHashtable }
    if ($exit -ne 0 -and $run.Failed -eq 0) { $run.Failed = 1 }
    Write-Host "Pester (podman, api): $($run.Passed) passed, $($run.Failed) failed"
    Write-Output "$($run.Passed) passed, $($run.Failed) failed"
    if ($run.Failed -gt 0 -or $run.Passed -eq 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Bootstrap
    Invoke-Build
    $exit = Invoke-ChildPwsh (Join-Path $Root 'build/Demo.ps1') -ArgumentList (Join-Path $Staged 'DockerVm.psd1'), $DefaultImage
    if ($exit -ne 0) { throw "demo failed (exit $exit)" }
}

Push-Location $Root
try {
    foreach ($t in $Task) { & "Invoke-$t" }
}
finally {
    Pop-Location
}
