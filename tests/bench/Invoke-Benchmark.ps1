<#
.SYNOPSIS
    DockerVm against the raw docker CLI, side by side (issue 5): lifecycle, stop latency, listing,
    bulk throughput and import time, each with its target.
.DESCRIPTION
    Every side is interleaved round by round (the order rotating, so each side runs first, last and
    after each other equally often) so a ratio holds on a noisy machine. The sides: the raw docker
    CLI (started with System.Diagnostics.Process, output read whole: the floor a CLI wrapper cannot
    beat), the Engine API floor (the same work as direct Engine API calls, one curl --unix-socket
    process per request), and DockerVm on each transport of -Transport (DOCKERVM_TRANSPORT=api, cli;
    the bars hold for the first). -Verbose of a cmdlet names each request and its duration: that is
    where to look when a bar is missed. Ratios only: nothing here is a test assertion.

    Writes OUTPUT/bench.json (machine-readable: date, machine, every figure with its target and
    whether it holds), OUTPUT/bench.svg (chart) and OUTPUT/bench.md (a table a README can include),
    and prints the table. Missed targets are reported, not failed: the exit code is non-zero only
    when the benchmark itself could not run.

    Every container it creates carries the label dockervm.bench=1 and this run's
    dockervm.bench.run=ID; they are all removed in a finally block (also on Ctrl+C). Containers
    without this run's label are never touched.
.EXAMPLE
    dotnet pwsh ./build.ps1 Bench
.EXAMPLE
    dotnet pwsh tests/bench/Invoke-Benchmark.ps1 -ModulePath out/DockerVm/DockerVm.psd1 -Quick
#>
[CmdletBinding()]
param(
    # The staged module manifest (out/DockerVm/DockerVm.psd1).
    [Parameter(Mandatory)]
    [string] $ModulePath,

    # Where bench.json, bench.svg and bench.md go.
    [string] $OutputPath = (Join-Path $PSScriptRoot '../../out/bench'),

    # Interleaved rounds of the lifecycle and listing measurements (and of import time, at least 5).
    [ValidateRange(1, 1000)]
    [int] $Rounds = 7,

    # VM counts for the listing figure (created with raw docker create, never started). Strings such
    # as '100,500' are split, so `pwsh -File ... -ListCounts 20,40` means 20 and 40 (not 2040).
    [string[]] $ListCounts = @('100', '500'),

    # VMs per bulk round.
    [ValidateRange(1, 5000)]
    [int] $BulkCount = 50,

    # Interleaved bulk rounds (each creates BulkCount VMs twice); default min(Rounds, 5).
    [ValidateRange(0, 100)]
    [int] $BulkRounds = 0,

    # Parallelism of bulk runs and of creating the listing VMs.
    [ValidateRange(1, 64)]
    [int] $ThrottleLimit = 8,

    [string] $Image = 'dockervm/busybox:latest',

    # A smoke run: tiny sizes, two rounds.
    [switch] $Quick,

    # The sections to run (default all): Lifecycle (with stop latency), Listing, Bulk, Import, Pool.
    [ValidateSet('Lifecycle', 'Listing', 'Bulk', 'Import', 'Pool')]
    [string[]] $Section = @('Lifecycle', 'Listing', 'Bulk', 'Import', 'Pool'),

    # Waiting VMs of the warm pool the Pool section takes from.
    [ValidateRange(1, 20)]
    [int] $PoolSize = 2,

    # The DockerVm transports measured side by side (DOCKERVM_TRANSPORT); the first is the one the
    # bars hold for (api: the default on a local engine) and the one Bulk runs on.
    [ValidateSet('api', 'cli')]
    [string[]] $Transport = @('api', 'cli'),

    # Untimed pause after each side's clean-up (a removal leaves the engine busy for a moment), so
    # no side pays for the one before it.
    [ValidateRange(0, 5000)]
    [int] $SettleMs = 150
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
if ($env:CI -or [Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }

if ($Quick) {
    if (-not $PSBoundParameters.ContainsKey('Rounds')) { $Rounds = 2 }
    if (-not $PSBoundParameters.ContainsKey('ListCounts')) { $ListCounts = @('5', '10') }
    if (-not $PSBoundParameters.ContainsKey('BulkCount')) { $BulkCount = 4 }
    if (-not $PSBoundParameters.ContainsKey('BulkRounds')) { $BulkRounds = 1 }
}
if ($BulkRounds -eq 0) { $BulkRounds = [Math]::Min($Rounds, 5) }
$ImportRounds = if ($Quick) { [Math]::Max($Rounds, 2) } else { [Math]::Max($Rounds, 5) }
$ListSizes = [int[]]@($ListCounts | ForEach-Object { "$_" -split '[,;\s]+' } | Where-Object { $_ } | ForEach-Object {
        $n = 0
        if (-not [int]::TryParse($_, [System.Globalization.NumberStyles]::None, [cultureinfo]::InvariantCulture, [ref]$n) -or $n -lt 1 -or $n -gt 5000) {
            throw "-ListCounts: '$_' is not a VM count from 1 to 5000."
        }
        $n
    } | Sort-Object -Unique)

$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
New-Item -ItemType Directory $OutputPath -Force | Out-Null
$OutputPath = (Resolve-Path -LiteralPath $OutputPath).ProviderPath

$RunId = [Guid]::NewGuid().ToString('N').Substring(0, 8)
$Prefix = "dvmbench-$RunId"
$BenchLabel = 'dockervm.bench=1'
$RunLabel = "dockervm.bench.run=$RunId"
$ModuleLabels = @{ 'dockervm.bench' = '1'; 'dockervm.bench.run' = $RunId }
$DefaultCommand = @('tail', '-f', '/dev/null')

$Docker = (Get-Command docker -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
if (-not $Docker) { throw 'The docker CLI is not on PATH.' }
$Curl = (Get-Command curl -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
if (-not $Curl) { throw 'curl is not on PATH (the Engine API floor is measured with curl --unix-socket; build.ps1 Bootstrap installs it).' }
$Socket = if ($env:DOCKER_HOST -like 'unix://*') { $env:DOCKER_HOST.Substring(7) } elseif ($env:DOCKER_HOST) { throw "The curl floor needs a unix socket engine; DOCKER_HOST is $env:DOCKER_HOST." } else { '/var/run/docker.sock' }
$ApiVersion = (& $Docker version --format '{{.Server.APIVersion}}').Trim()

# ---- helpers ---------------------------------------------------------------------------------

function Write-Step([string] $Message) { Write-Host "==> $Message" -ForegroundColor Cyan }
function Write-Detail([string] $Message) { Write-Host "    $Message" }

function Invoke-Cli {
    # The raw docker CLI: one process, arguments verbatim, stdout read whole. Throws on a non-zero exit
    # (with -AllowMissing, not when every stderr line is docker's "No such object/container": a
    # container removed by someone else between `ps` and `inspect`, which the module tolerates too).
    param([Parameter(Mandatory)][string[]] $ArgumentList, [switch] $AllowMissing)
    $run = Invoke-Program $script:Docker $ArgumentList
    if ($run.ExitCode -ne 0) {
        $stderr = $run.StandardError.Trim()
        $lines = @($stderr -split "`n" | Where-Object { $_.Trim() })
        if ($AllowMissing -and $lines.Count -gt 0 -and -not ($lines | Where-Object { $_ -notmatch 'No such (object|container)' })) { return $run.StandardOutput }
        $display = "docker $($ArgumentList -join ' ')"
        if ($display.Length -gt 160) { $display = $display.Substring(0, 160) + " ... ($($ArgumentList.Count) arguments)" }
        throw "$display failed (exit $($run.ExitCode)): $stderr"
    }
    return $run.StandardOutput
}

function Invoke-Program([string] $Program, [string[]] $ArgumentList) {
    # One process, arguments verbatim, stdin closed, both outputs read whole (the timed unit of the CLI and curl sides).
    $psi = [System.Diagnostics.ProcessStartInfo]::new($Program)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $p = [System.Diagnostics.Process]::Start($psi)
    try {
        $p.StandardInput.Close()
        $err = $p.StandardError.ReadToEndAsync()
        $out = $p.StandardOutput.ReadToEnd()
        $p.WaitForExit()
        return [pscustomobject]@{ ExitCode = $p.ExitCode; StandardOutput = $out; StandardError = $err.GetAwaiter().GetResult() }
    }
    finally { $p.Dispose() }
}

function Invoke-Curl {
    # The Engine API floor: one curl process per request, over the engine's unix socket; stdout read
    # whole. Throws on a transport failure or an HTTP status >= 400 (--fail-with-body).
    param([Parameter(Mandatory)][string] $Method, [Parameter(Mandatory)][string] $Path, [string] $Body)
    $arguments = @('-sS', '--fail-with-body', '--unix-socket', $script:Socket, '-X', $Method)
    if ($Body) { $arguments += @('-H', 'Content-Type: application/json', '--data-binary', $Body) }
    $run = Invoke-Program $script:Curl ($arguments + "http://localhost/v$($script:ApiVersion)$Path")
    if ($run.ExitCode -ne 0) { throw "curl $Method $Path failed (exit $($run.ExitCode)): $($run.StandardError.Trim()) $($run.StandardOutput)" }
    return $run.StandardOutput
}

function Get-Rotation([string[]] $Sides, [int] $Round) {
    # The order of the sides in a round: rotated by one each round, reversed every other cycle, so each
    # side runs first, last and after each other side equally often.
    $k = ($Round - 1) % $Sides.Count
    $order = @($Sides[$k..($Sides.Count - 1)]) + @(if ($k) { $Sides[0..($k - 1)] })
    if ([Math]::Floor(($Round - 1) / $Sides.Count) % 2) { [array]::Reverse($order) }
    return $order
}

function Use-Transport([string] $Name) { $env:DOCKERVM_TRANSPORT = $Name }

function Measure-ApiRequests {
    # Runs the block on the API transport with -Verbose on; returns the requests its trace names.
    param([scriptblock] $Block, [hashtable] $State = @{})
    $saved = $env:DOCKERVM_TRANSPORT
    $env:DOCKERVM_TRANSPORT = 'api'
    try {
        $records = & { $VerbosePreference = 'Continue'; $null = & $Block $State } 4>&1
    }
    finally { $env:DOCKERVM_TRANSPORT = $saved }
    @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '> api *' } | ForEach-Object { $_.Message.Substring(6) })
}

function Get-Median([double[]] $Values) {
    if ($null -eq $Values -or $Values.Count -eq 0) { return [double]::NaN }
    $s = [double[]]($Values | Sort-Object)
    $mid = [int][Math]::Floor($s.Count / 2)
    if ($s.Count % 2) { return $s[$mid] }
    return ($s[$mid - 1] + $s[$mid]) / 2
}

function Get-Elapsed([scriptblock] $Block, [hashtable] $State) {
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $null = & $Block $State
    return $sw.Elapsed.TotalMilliseconds
}

function Get-BenchContainerIds {
    # Only this run's containers.
    @((Invoke-Cli ps, '-aq', '--no-trunc', '--filter', "label=$RunLabel", '--filter', "label=$BenchLabel") -split "`n" |
        ForEach-Object Trim | Where-Object { $_ })
}

function Remove-BenchContainers {
    # Removes every container of this run (never one without the run's label), 50 per rm, 4 at once.
    for ($pass = 0; $pass -lt 2; $pass++) {
        $ids = @(Get-BenchContainerIds)
        if ($ids.Count -eq 0) { return 0 }
        $ids | & xargs -r -n 50 -P 4 $Docker rm --force > $null 2> $null
        if ($pass -eq 0) { Start-Sleep -Milliseconds 200 }   # a create racing with Ctrl+C may land late
    }
    return @(Get-BenchContainerIds).Count
}

function New-RawVms {
    # Creates managed VMs the way New-DockerVm labels them, with docker create in parallel (xargs -P); never starts them.
    param([string[]] $Names)
    if ($Names.Count -eq 0) { return }
    $labels = @(
        '--label', 'dockervm.managed=true', '--label', "dockervm.image=$Image", '--label', 'dockervm.stop-timeout=10',
        '--label', 'dockervm.polling-interval=200', '--label', ('dockervm.command=' + (ConvertTo-Json -Compress -InputObject $DefaultCommand)),
        '--label', $BenchLabel, '--label', $RunLabel)
    $Names | & xargs -P $ThrottleLimit -I '{}' $Docker create --init --name '{}' @labels $Image @DefaultCommand > $null
    if ($LASTEXITCODE -ne 0) { throw "creating $($Names.Count) VMs with xargs -P $ThrottleLimit docker create failed (exit $LASTEXITCODE)" }
}

function Measure-CliCalls {
    # Runs the block with DOCKERVM_CLI set to the counting wrapper; returns the docker command lines it ran.
    param([scriptblock] $Block, [hashtable] $State = @{})
    Set-Content -LiteralPath $script:CountFile -Value $null -NoNewline
    $env:DOCKERVM_CLI = $script:Wrapper
    $savedTransport = $env:DOCKERVM_TRANSPORT
    $env:DOCKERVM_TRANSPORT = 'cli'
    try { $null = & $Block $State }
    finally { $env:DOCKERVM_CLI = $script:SavedCli; $env:DOCKERVM_TRANSPORT = $savedTransport }
    @(Get-Content -LiteralPath $script:CountFile | Where-Object { $_ })
}

function Get-PwshCommand {
    # This pwsh, started fresh: `dotnet pwsh.dll` when this process is dotnet (the local tool), else the executable.
    $exe = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { return @($exe, (Join-Path $PSHOME 'pwsh.dll')) }
    return @($exe)
}

function Format-Number([double] $Value, [string] $Unit) {
    if ([double]::IsNaN($Value)) { return 'n/a' }
    switch ($Unit) {
        'ms' { return '{0:0} ms' -f $Value }
        's' { return '{0:0.000} s' -f $Value }
        'x' { return '{0:0.00}x' -f $Value }
        'VMs/s' { return '{0:0.00} VMs/s' -f $Value }
        'processes' { return '{0:0}' -f $Value }
        default { return '{0:0.###} {1}' -f $Value, $Unit }
    }
}

$Figures = [System.Collections.Generic.List[object]]::new()
function Add-Figure {
    param(
        [string] $Id, [string] $Group, [string] $Name, [string] $Unit, [double] $Value,
        [object] $Target = $null, [string] $Comparison = '<=',
        [object] $Module = $null, [object] $Raw = $null, [string] $ModuleUnit = '', [string] $Calls = '',
        # For a figure without a target: the value the chart draws as 1.0.
        [double] $ChartReference = 1, [hashtable] $Extra = @{})
    $holds = $null
    if ($null -ne $Target) { $holds = if ($Comparison -eq '<=') { $Value -le $Target } else { $Value -ge $Target } }
    $f = [ordered]@{
        id = $Id; group = $Group; name = $Name; unit = $Unit; value = [Math]::Round($Value, 4)
        target = $Target; comparison = if ($null -ne $Target) { $Comparison } else { $null }; holds = $holds
        module = if ($null -ne $Module) { [Math]::Round([double]$Module, 3) } else { $null }
        raw = if ($null -ne $Raw) { [Math]::Round([double]$Raw, 3) } else { $null }
        moduleUnit = $ModuleUnit
        cliCalls = $Calls
        chartReference = if ($null -eq $Target) { $ChartReference } else { $null }
    }
    foreach ($k in $Extra.Keys) { $f[$k] = $Extra[$k] }
    $script:Figures.Add([pscustomobject]$f)
}

# ---- machine ---------------------------------------------------------------------------------

function Get-LoadAverage {
    # 1-minute load average (Linux), to judge how noisy the machine was.
    $l = Get-Content /proc/loadavg -ErrorAction Ignore
    if ($l) { return [double]::Parse(($l -split ' ')[0], [cultureinfo]::InvariantCulture) }
    return $null
}

function Get-Machine {
    $mem = (Get-Content /proc/meminfo -ErrorAction Ignore | Select-String '^MemTotal:\s+(\d+)' | ForEach-Object { [long]$_.Matches[0].Groups[1].Value * 1KB }) -as [long]
    $cpu = (Get-Content /proc/cpuinfo -ErrorAction Ignore | Select-String '^model name\s*:\s*(.+)$' | Select-Object -First 1 | ForEach-Object { $_.Matches[0].Groups[1].Value.Trim() })
    $versions = (Invoke-Cli version, '--format', '{{.Server.Version}}|{{.Client.Version}}|{{.Server.APIVersion}}').Trim() -split '\|'
    [ordered]@{
        hostname = [Environment]::MachineName
        os = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription
        nproc = [Environment]::ProcessorCount
        cpu = $cpu
        memoryBytes = $mem
        memoryGiB = if ($mem) { [Math]::Round($mem / 1GB, 1) } else { $null }
        dockerServerVersion = $versions[0]
        dockerClientVersion = if ($versions.Count -gt 1) { $versions[1] } else { $null }
        dockerApiVersion = if ($versions.Count -gt 2) { $versions[2] } else { $null }
        curlVersion = ((& $script:Curl --version | Select-Object -First 1) -split ' ')[1]
        pwshVersion = $PSVersionTable.PSVersion.ToString()
        dotnetVersion = [Environment]::Version.ToString()
    }
}

# ---- 1. lifecycle (and 2. stop latency) ------------------------------------------------------

$LifecycleSteps = @(
    @{ Name = 'New'; Module = 'New-DockerVm'; Raw = 'docker create --init'; Curl = 'POST /containers/create'
        RawBlock = { param($s) Invoke-Cli create, '--init', '--name', $s.Name, '--label', 'dockervm.managed=true', '--label', $BenchLabel, '--label', $RunLabel, $Image, 'tail', '-f', '/dev/null' }
        CurlBlock = { param($s)
            $body = ConvertTo-Json -Compress -Depth 5 -InputObject ([ordered]@{ Image = $Image; Cmd = $DefaultCommand; Labels = @{ 'dockervm.managed' = 'true'; 'dockervm.bench' = '1'; 'dockervm.bench.run' = $RunId }; HostConfig = @{ Init = $true } })
            $null = Invoke-Curl POST "/containers/create?name=$($s.Name)" $body }
        ModuleBlock = { param($s) $s.Vm = New-DockerVm -Image $Image -Name $s.Name -Label $ModuleLabels } }
    @{ Name = 'Start'; Module = 'Start-DockerVm'; Raw = 'docker start'; Curl = 'POST /containers/{id}/start'
        RawBlock = { param($s) Invoke-Cli start, $s.Name }
        CurlBlock = { param($s) $null = Invoke-Curl POST "/containers/$($s.Name)/start" }
        ModuleBlock = { param($s) Start-DockerVm -VM $s.Vm } }
    @{ Name = 'Properties'; Module = 'Get-DockerVmProperties'; Raw = 'docker inspect'; Curl = 'GET /containers/{id}/json'
        RawBlock = { param($s) Invoke-Cli inspect, $s.Name }
        CurlBlock = { param($s) $null = Invoke-Curl GET "/containers/$($s.Name)/json" }
        ModuleBlock = { param($s) Get-DockerVmProperties -VM $s.Vm } }
    @{ Name = 'Exec'; Module = 'Invoke-DockerVmExec echo hello'; Raw = 'docker exec echo hello'; Curl = 'exec create, start, inspect'
        RawBlock = { param($s) $o = Invoke-Cli exec, $s.Name, 'echo', 'hello'; if ($o.Trim() -ne 'hello') { throw "raw exec printed '$o'" } }
        CurlBlock = { param($s)
            $id = (Invoke-Curl POST "/containers/$($s.Name)/exec" '{"AttachStdout":true,"AttachStderr":true,"Cmd":["echo","hello"]}' | ConvertFrom-Json).Id
            $o = Invoke-Curl POST "/exec/$id/start" '{"Detach":false,"Tty":false}'
            if ($o -notmatch 'hello') { throw "curl exec printed '$o'" }
            if ((Invoke-Curl GET "/exec/$id/json" | ConvertFrom-Json).ExitCode -ne 0) { throw 'curl exec: exit code not 0' } }
        ModuleBlock = { param($s) $o = Invoke-DockerVmExec -VM $s.Vm echo hello; if ("$o" -ne 'hello') { throw "Invoke-DockerVmExec printed '$o'" } } }
    @{ Name = 'Stop'; Module = 'Stop-DockerVm'; Raw = 'docker stop --timeout 10'; Curl = 'POST /containers/{id}/stop?t=10'
        RawBlock = { param($s) Invoke-Cli stop, '--timeout', '10', $s.Name }
        CurlBlock = { param($s) $null = Invoke-Curl POST "/containers/$($s.Name)/stop?t=10" }
        ModuleBlock = { param($s) Stop-DockerVm -VM $s.Vm } }
    @{ Name = 'Remove'; Module = 'Remove-DockerVm'; Raw = 'docker rm --force'; Curl = 'DELETE /containers/{id}?force=1'
        RawBlock = { param($s) Invoke-Cli rm, '--force', $s.Name }
        CurlBlock = { param($s) $null = Invoke-Curl DELETE "/containers/$($s.Name)?force=1" }
        ModuleBlock = { param($s) Remove-DockerVm -VM $s.Vm } }
)
# Processes (raw CLI, curl) or requests (api) per step of the baselines.
$CurlRequests = @{ New = 1; Start = 1; Properties = 1; Exec = 3; Stop = 1; Remove = 1 }

function Invoke-Lifecycle([string] $Side, [string] $Name) {
    # One full lifecycle on one side (raw, curl, or a transport's name); returns the milliseconds of each step.
    $state = @{ Name = $Name; Vm = $null }
    $times = [ordered]@{}
    $blockOf = switch ($Side) { 'raw' { 'RawBlock' } 'curl' { 'CurlBlock' } default { Use-Transport $Side; 'ModuleBlock' } }
    foreach ($step in $LifecycleSteps) {
        $times[$step.Name] = Get-Elapsed $step[$blockOf] $state
    }
    if ($SettleMs) { Start-Sleep -Milliseconds $SettleMs }
    return $times
}

function Measure-Lifecycle {
    $sides = @('raw', 'curl') + $Transport
    Write-Step "1-2. lifecycle and stop latency: $Rounds interleaved rounds (+1 warm-up) of $($sides -join ', '), image $Image"
    foreach ($side in $sides) { $null = Invoke-Lifecycle $side "$Prefix-$($side)w" }

    # Requests (api) and processes (cli) per module step, not timed.
    $counts = @{}
    foreach ($t in $Transport) {
        $state = @{ Name = "$Prefix-$($t)c"; Vm = $null }
        $counts[$t] = [ordered]@{}
        foreach ($step in $LifecycleSteps) {
            $calls = @(if ($t -eq 'api') { Measure-ApiRequests $step.ModuleBlock $state } else { Measure-CliCalls $step.ModuleBlock $state })
            $counts[$t][$step.Name] = [pscustomobject]@{ Count = $calls.Count; Commands = @($calls | ForEach-Object { ($_ -split ' ')[0..1] -join ' ' }) }
        }
        Write-Detail ("$t $(if ($t -eq 'api') { 'requests' } else { 'CLI processes' }) per step: " + (($counts[$t].Keys | ForEach-Object { "$_ $($counts[$t][$_].Count)" }) -join ', '))
    }

    $results = for ($r = 1; $r -le $Rounds; $r++) {
        $round = @{}
        foreach ($side in (Get-Rotation $sides $r)) { $round[$side] = Invoke-Lifecycle $side "$Prefix-$($side[0..2] -join '')$r" }
        $totals = @{}
        foreach ($side in $sides) { $totals[$side] = ($round[$side].Values | Measure-Object -Sum).Sum }
        Write-Detail (("round {0}/{1}: " -f $r, $Rounds) + (($sides | ForEach-Object { '{0} {1:0} ms' -f $_, $totals[$_] }) -join ', ') +
            ('; {0}/raw {1:0.00}x, {0}/curl {2:0.00}x' -f $Transport[0], ($totals[$Transport[0]] / $totals.raw), ($totals[$Transport[0]] / $totals.curl)))
        [pscustomobject]@{ Steps = $round; Totals = $totals }
    }
    $med = { param([string] $Side) Get-Median ([double[]]($results | ForEach-Object { $_.Totals[$Side] })) }
    $ratio = { param([string] $A, [string] $B) [double[]]($results | ForEach-Object { $_.Totals[$A] / $_.Totals[$B] }) }
    $samples = @{}
    foreach ($side in $sides) { $samples["$($side)Ms"] = @($results | ForEach-Object { [Math]::Round($_.Totals[$side], 1) }) }
    $callsOf = { param([string] $t) ($counts[$t].Values | ForEach-Object Count | Measure-Object -Sum).Sum }
    $main = $Transport[0]
    foreach ($t in $Transport) {
        $unit = if ($t -eq 'api') { 'requests' } else { 'processes' }
        $r = & $ratio $t 'raw'
        Add-Figure -Id "lifecycle.$t.raw" -Group 'Lifecycle' -Name "Lifecycle, all six steps, $t transport / raw CLI" -Unit 'x' -Value (Get-Median $r) `
            -Target ($t -eq 'api' ? 0.92 : 1.10) -Module (& $med $t) -Raw (& $med 'raw') -ModuleUnit 'ms' -Calls "$(& $callsOf $t) $unit / 6 processes" `
            -Extra @{ transport = $t; samples = $samples; ratio = @($r | ForEach-Object { [Math]::Round($_, 4) }) }
        if ($t -eq 'api') {
            $r = & $ratio $t 'curl'
            Add-Figure -Id "lifecycle.$t.curl" -Group 'Lifecycle' -Name "Lifecycle, all six steps, $t transport / curl floor" -Unit 'x' -Value (Get-Median $r) `
                -Target 1.03 -Module (& $med $t) -Raw (& $med 'curl') -ModuleUnit 'ms' -Calls "$(& $callsOf $t) requests / 8 curl processes" `
                -Extra @{ transport = $t; ratio = @($r | ForEach-Object { [Math]::Round($_, 4) }) }
        }
    }
    $r = & $ratio 'curl' 'raw'
    Add-Figure -Id 'lifecycle.curl.raw' -Group 'Lifecycle' -Name 'Lifecycle, curl floor / raw CLI' -Unit 'x' -Value (Get-Median $r) `
        -Module (& $med 'curl') -Raw (& $med 'raw') -ModuleUnit 'ms' -Calls '8 / 6 processes' -Extra @{ ratio = @($r | ForEach-Object { [Math]::Round($_, 4) }) }
    foreach ($step in $LifecycleSteps) {
        $n = $step.Name
        $ms = @{}
        foreach ($side in $sides) { $ms[$side] = [double[]]($results | ForEach-Object { $_.Steps[$side][$n] }) }
        $stepRatio = [double[]](0..($results.Count - 1) | ForEach-Object { $ms[$main][$_] / $ms.raw[$_] })
        $medians = [ordered]@{}
        foreach ($side in $sides) { $medians[$side] = [Math]::Round((Get-Median $ms[$side]), 1) }
        $calls = [ordered]@{}
        foreach ($t in $Transport) { $calls[$t] = $counts[$t][$n].Count }
        Add-Figure -Id "lifecycle.$($n.ToLowerInvariant())" -Group 'Lifecycle step' -Name "$($step.Module) ($main) vs $($step.Raw)" -Unit 'x' -Value (Get-Median $stepRatio) `
            -Module (Get-Median $ms[$main]) -Raw (Get-Median $ms.raw) -ModuleUnit 'ms' -Calls "$($counts[$main][$n].Count) / 1" `
            -Extra @{ medianMs = $medians; calls = $calls; curlRequests = $CurlRequests[$n]; curl = $step.Curl
                apiRequests = if ($counts.ContainsKey('api')) { $counts.api[$n].Commands } else { $null }
                samples = @{ rawMs = @($ms.raw | ForEach-Object { [Math]::Round($_, 1) }); moduleMs = @($ms[$main] | ForEach-Object { [Math]::Round($_, 1) }) } }
    }
    $stops = [double[]]($results | ForEach-Object { $_.Steps[$main]['Stop'] / 1000 })
    Add-Figure -Id 'stop.default' -Group 'Stop' -Name "Stop-DockerVm ($main), default container command (median)" -Unit 's' -Value (Get-Median $stops) `
        -Target 0.5 -Calls "$($counts[$main]['Stop'].Count) / 1" -Module (Get-Median $stops) -Raw (Get-Median ([double[]]($results | ForEach-Object { $_.Steps.raw['Stop'] / 1000 }))) -ModuleUnit 's' `
        -Extra @{ containerCommand = ($DefaultCommand -join ' '); samples = @{ moduleS = @($stops | ForEach-Object { [Math]::Round($_, 4) }) } }
}

# ---- 3. listing ------------------------------------------------------------------------------

function Measure-Listing {
    $created = 0
    $sides = @('raw', 'curl') + $Transport
    foreach ($count in $ListSizes) {
        $names = @(($created + 1)..$count | ForEach-Object { "$Prefix-l$_" })
        Write-Step "3. listing: creating $($names.Count) more VMs (raw docker create, xargs -P $ThrottleLimit, never started) for $count"
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        New-RawVms $names
        $created = $count
        Write-Detail ('created in {0:0.0} s' -f $sw.Elapsed.TotalSeconds)

        $blocks = @{
            raw = {
                $ids = @((Invoke-Cli ps, '-aq', '--filter', 'label=dockervm.managed=true') -split "`n" | ForEach-Object Trim | Where-Object { $_ })
                $null = Invoke-Cli (@('inspect') + $ids) -AllowMissing
                $ids.Count
            }
            # The floor: the one list request that carries names, states, labels and addresses.
            curl = { @(Invoke-Curl GET ('/containers/json?all=1&filters=' + [uri]::EscapeDataString('{"label":["dockervm.managed=true"]}')) | ConvertFrom-Json).Count }
            module = { @(Get-DockerVm).Count }
        }
        $run = { param([string] $Side) if ($Side -in 'raw', 'curl') { & $blocks[$Side] } else { Use-Transport $Side; & $blocks.module } }
        # Warm-up, and the VM count each side sees (the engine may hold other managed VMs too).
        $seen = [ordered]@{}
        foreach ($side in $sides) { $seen[$side] = & $run $side }
        $cliCalls = @(Measure-CliCalls { Get-DockerVm })
        $apiCalls = @(Measure-ApiRequests { Get-DockerVm })
        $benchSeen = @(Get-DockerVm -Name "$Prefix-l*").Count
        if ($benchSeen -ne $count) { throw "Get-DockerVm found $benchSeen of the $count listing VMs" }
        Write-Detail ("VMs seen: " + (($seen.Keys | ForEach-Object { "$_ $($seen[$_])" }) -join ', ') + "; cli processes per call: $($cliCalls.Count), api requests per call: $($apiCalls.Count)")

        $t = @{}
        foreach ($side in $sides) { $t[$side] = [System.Collections.Generic.List[double]]::new() }
        for ($r = 1; $r -le $Rounds; $r++) {
            foreach ($side in (Get-Rotation $sides $r)) { $t[$side].Add((Get-Elapsed { param($x) & $run $x.Side } @{ Side = $side })) }
            Write-Detail (('round {0}/{1}: ' -f $r, $Rounds) + (($sides | ForEach-Object { '{0} {1:0} ms' -f $_, $t[$_][-1] }) -join ', '))
        }
        $samples = @{}
        foreach ($side in $sides) { $samples["$($side)Ms"] = @($t[$side] | ForEach-Object { [Math]::Round($_, 1) }) }
        foreach ($side in $Transport + 'curl') {
            $ratio = [double[]](0..($Rounds - 1) | ForEach-Object { $t[$side][$_] / $t.raw[$_] })
            $name = if ($side -eq 'curl') { "One list request by curl over $count VMs / raw ps + inspect" } else { "Get-DockerVm ($side) over $count VMs / raw ps + inspect" }
            $calls = switch ($side) { 'api' { "$($apiCalls.Count) requests / 2 processes" } 'cli' { "$($cliCalls.Count) / 2 processes" } default { '1 / 2 processes' } }
            $target = switch ($side) { 'api' { 0.5 } 'cli' { 1.5 } default { $null } }
            Add-Figure -Id "list.$count.$side" -Group 'Listing' -Name $name -Unit 'x' -Value (Get-Median $ratio) -Target $target `
                -Calls $calls -Module (Get-Median ([double[]]$t[$side])) -Raw (Get-Median ([double[]]$t.raw)) -ModuleUnit 'ms' `
                -Extra @{ vms = $count; vmsListed = $seen[$side]; samples = $samples }
        }
        if ('cli' -in $Transport) {
            Add-Figure -Id "list.$count.processes" -Group 'Listing' -Name "CLI processes per Get-DockerVm (cli) over $count VMs" -Unit 'processes' -Value $cliCalls.Count `
                -Target 3 -Calls "$($cliCalls.Count) / 2" -Module $cliCalls.Count -Raw 2 -ModuleUnit 'processes' -Extra @{ vms = $count; commands = @($cliCalls) | ForEach-Object { if ($_.Length -gt 120) { $_.Substring(0, 120) + '...' } else { $_ } } }
        }
    }
    Write-Detail "removing the $created listing VMs"
    @(1..$created | ForEach-Object { "$Prefix-l$_" }) | & xargs -n 50 -P 4 $Docker rm --force > $null
}

# ---- 4. bulk ---------------------------------------------------------------------------------

$BulkRawScript = @'
n="$1"; shift
docker="$DOCKERVM_BENCH_DOCKER"
"$docker" create --init --name "$n" "$@" > /dev/null &&
"$docker" start "$n" > /dev/null &&
[ "$("$docker" exec "$n" echo hello)" = hello ] &&
"$docker" rm --force "$n" > /dev/null
'@

function Invoke-BulkRaw([string] $NamePrefix) {
    $names = @(1..$BulkCount | ForEach-Object { "$NamePrefix-$_" })
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $names | & xargs -P $ThrottleLimit -I '{}' sh -c $BulkRawScript sh '{}' --label dockervm.managed=true --label $BenchLabel --label $RunLabel $Image @DefaultCommand
    $ms = $sw.Elapsed.TotalMilliseconds
    if ($LASTEXITCODE -ne 0) { throw "raw bulk (xargs -P $ThrottleLimit) failed (exit $LASTEXITCODE)" }
    return $ms
}

$BulkModuleBlock = {
    param($s)
    Import-Module $s.ModulePath
    $vm = New-DockerVm -Image $s.Image -Name $s.Name -Label $s.Labels -ErrorAction Stop
    Start-DockerVm -VM $vm -ErrorAction Stop
    $o = Invoke-DockerVmExec -VM $vm echo hello -ErrorAction Stop
    if ("$o" -ne 'hello') { throw "Invoke-DockerVmExec printed '$o'" }
    Remove-DockerVm -VM $vm -Force -ErrorAction Stop
}

function Invoke-BulkModule([string] $NamePrefix) {
    $items = @(1..$BulkCount | ForEach-Object { @{ Name = "$NamePrefix-$_"; ModulePath = $ModulePath; Image = $Image; Labels = $ModuleLabels } })
    $body = $BulkModuleBlock.ToString()
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $items | ForEach-Object -ThrottleLimit $ThrottleLimit -Parallel {
        $block = [scriptblock]::Create($using:body)
        & $block $_
    }
    return $sw.Elapsed.TotalMilliseconds
}

function Measure-Bulk {
    Write-Step "4. bulk: $BulkCount VMs created, started, exec'd, removed, $ThrottleLimit at once: $BulkRounds interleaved rounds, $($Transport[0]) transport"
    $env:DOCKERVM_BENCH_DOCKER = $Docker
    $bulkState = @{ Name = "$Prefix-bc"; ModulePath = $ModulePath; Image = $Image; Labels = $ModuleLabels }
    $calls = @(if ($Transport[0] -eq 'api') { Measure-ApiRequests $BulkModuleBlock $bulkState } else { Measure-CliCalls $BulkModuleBlock $bulkState })
    Use-Transport $Transport[0]
    $what = if ($Transport[0] -eq 'api') { 'requests' } else { 'CLI processes' }
    Write-Detail "module ($($Transport[0])) $what per VM: $($calls.Count) ($((@($calls | ForEach-Object { ($_ -split ' ')[0..1] -join ' ' })) -join ', ')), raw CLI processes 4 (create, start, exec, rm)"
    $raw = @(); $mod = @(); $ratio = @()
    for ($r = 1; $r -le $BulkRounds; $r++) {
        $order = if ($r % 2) { 'raw', 'module' } else { 'module', 'raw' }
        $t = @{}
        foreach ($side in $order) {
            $t[$side] = if ($side -eq 'raw') { Invoke-BulkRaw "$Prefix-br$r" } else { Invoke-BulkModule "$Prefix-bm$r" }
        }
        $rawTp = $BulkCount / ($t.raw / 1000); $modTp = $BulkCount / ($t.module / 1000)
        $raw += $rawTp; $mod += $modTp; $ratio += $modTp / $rawTp
        Write-Detail ('round {0}/{1}: raw {2:0.00} VMs/s ({3:0.0} s), module {4:0.00} VMs/s ({5:0.0} s) ({6:0.00}x)' -f $r, $BulkRounds, $rawTp, ($t.raw / 1000), $modTp, ($t.module / 1000), ($modTp / $rawTp))
    }
    Add-Figure -Id 'bulk.throughput' -Group 'Bulk' -Name "Bulk $BulkCount VMs, $ThrottleLimit-way (module / raw throughput)" -Unit 'x' -Value (Get-Median $ratio) `
        -Target 0.9 -Comparison '>=' -Calls "$($calls.Count) / 4 per VM" -Module (Get-Median $mod) -Raw (Get-Median $raw) -ModuleUnit 'VMs/s' `
        -Extra @{ vms = $BulkCount; parallelism = $ThrottleLimit; moduleProcessesPerVm = $calls.Count; rawProcessesPerVm = 4
            samples = @{ rawVmsPerSec = @($raw | ForEach-Object { [Math]::Round($_, 3) }); moduleVmsPerSec = @($mod | ForEach-Object { [Math]::Round($_, 3) }) } }
}

# ---- 5. import -------------------------------------------------------------------------------

function Measure-Import {
    Write-Step "5. import: Import-Module in a fresh pwsh -NoProfile, $ImportRounds times (interleaved with a one-function script module, the floor)"
    $pwsh = @(Get-PwshCommand)
    $exe = $pwsh[0]
    $pre = @($pwsh | Select-Object -Last ($pwsh.Count - 1))  # its leading arguments (pwsh.dll under dotnet)
    # The floor: what any module costs PowerShell to import in a fresh process (manifest + script module).
    $floorDir = Join-Path $OutputPath "floor-$RunId/BenchFloor"
    New-Item -ItemType Directory $floorDir -Force | Out-Null
    Set-Content (Join-Path $floorDir 'BenchFloor.psm1') 'function Get-BenchFloor { 1 }'
    Set-Content (Join-Path $floorDir 'BenchFloor.psd1') "@{ ModuleVersion = '1.0'; RootModule = 'BenchFloor.psm1'; FunctionsToExport = 'Get-BenchFloor'; CmdletsToExport = @(); AliasesToExport = @(); VariablesToExport = @() }"
    $measure = {
        param([string] $Path)
        $quoted = "'" + $Path.Replace("'", "''") + "'"
        $command = "`$sw = [System.Diagnostics.Stopwatch]::StartNew(); Import-Module $quoted -ErrorAction Stop; `$ms = `$sw.Elapsed.TotalMilliseconds; [Console]::Out.WriteLine(`$ms.ToString([cultureinfo]::InvariantCulture))"
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $out = & $exe @pre -NoProfile -NonInteractive -Command $command
        $wall = $sw.Elapsed.TotalMilliseconds
        if ($LASTEXITCODE -ne 0) { throw "a fresh pwsh failed to import $Path (exit $LASTEXITCODE)" }
        [pscustomobject]@{ Ms = [double]::Parse(($out | Select-Object -Last 1), [cultureinfo]::InvariantCulture); WallMs = $wall }
    }
    $samples = @(); $walls = @(); $floor = @()
    try {
        for ($r = 1; $r -le $ImportRounds; $r++) {
            $order = if ($r % 2) { 'floor', 'module' } else { 'module', 'floor' }
            foreach ($side in $order) {
                if ($side -eq 'floor') { $floor += (& $measure (Join-Path $floorDir 'BenchFloor.psd1')).Ms }
                else { $m = & $measure $ModulePath; $samples += $m.Ms; $walls += $m.WallMs }
            }
            Write-Detail ('run {0}/{1}: Import-Module DockerVm {2:0} ms (process wall {3:0} ms); one-function module {4:0} ms' -f $r, $ImportRounds, $samples[-1], $walls[-1], $floor[-1])
        }
    }
    finally { Remove-Item (Split-Path $floorDir) -Recurse -Force -ErrorAction Ignore }
    Add-Figure -Id 'import' -Group 'Import' -Name 'Import-Module DockerVm in a fresh pwsh (median)' -Unit 'ms' -Value (Get-Median $samples) -Target 400 `
        -Module (Get-Median $samples) -ModuleUnit 'ms' `
        -Extra @{ pwsh = ($pwsh -join ' '); samples = @{ importMs = @($samples | ForEach-Object { [Math]::Round($_, 1) }); processWallMs = @($walls | ForEach-Object { [Math]::Round($_, 1) }) } }
    Add-Figure -Id 'import.floor' -Group 'Import' -Name 'Import-Module of a one-function script module (floor)' -Unit 'ms' -Value (Get-Median $floor) `
        -Module (Get-Median $floor) -ModuleUnit 'ms' -ChartReference 400 -Extra @{ samples = @{ importMs = @($floor | ForEach-Object { [Math]::Round($_, 1) }) } }
}

# ---- 6. warm pools ---------------------------------------------------------------------------
# New-DockerVm -Pool P -Start against a cold New-DockerVm -Start, interleaved (order alternating).
# Before each take the pool is back to its size (the background replacement is not timed, and
# does not run during a measurement); every VM is removed after its round, untimed.

function Wait-PoolReady([string] $Pool) {
    $deadline = [DateTime]::UtcNow.AddSeconds(120)
    while ((Get-DockerVmPool $Pool).Ready -lt $PoolSize) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "warm pool $Pool did not refill to $PoolSize within 120 s" }
        Start-Sleep -Milliseconds 50
    }
}

function Measure-Pool {
    $sides = @(foreach ($t in $Transport) { "pool-$t"; "cold-$t" })
    Write-Step "6. warm pools: $Rounds interleaved rounds (+1 warm-up) of New-DockerVm -Pool -Start vs a cold New-DockerVm -Start on $($Transport -join ' and '), pool size $PoolSize"
    $pool = "$Prefix-pool"
    $null = New-DockerVmPool $pool -Image $Image -Size $PoolSize -Label $ModuleLabels
    try {
        $blocks = @{
            pool = { param($s) $s.Vm = New-DockerVm -Pool $pool -Name $s.Name -Start }
            cold = { param($s) $s.Vm = New-DockerVm -Image $Image -Name $s.Name -Label $ModuleLabels -Start }
        }
        $take = {
            param([string] $Side, [string] $Name)
            $kind, $t = $Side -split '-'
            # Untimed, the same for both kinds: the pool back to its size (the background replacement
            # of the last take done) and the engine settled after the last removal.
            Wait-PoolReady $pool
            if ($SettleMs) { Start-Sleep -Milliseconds $SettleMs }
            Use-Transport $t
            $state = @{ Name = $Name; Vm = $null }
            $ms = Get-Elapsed $blocks[$kind] $state
            if ($state.Vm.State -ne 'Running') { throw "$Side VM $Name is $($state.Vm.State), not Running" }
            Remove-DockerVm -VM $state.Vm -Force
            $ms
        }
        foreach ($side in $sides) { $null = & $take $side "$Prefix-w$side" }
        Wait-PoolReady $pool
        $counted = @{ Vm = $null }
        $calls = @{}
        foreach ($t in $Transport) {
            $block = { param($s) $s.Vm = New-DockerVm -Pool $pool -Name $s.Name -Start }
            $counted.Name = "$Prefix-c$t"
            $calls[$t] = @(if ($t -eq 'api') { Measure-ApiRequests $block $counted } else { Measure-CliCalls $block $counted })
            Remove-DockerVm -VM $counted.Vm -Force
            Wait-PoolReady $pool
            Write-Detail "$t take: $($calls[$t].Count) $(if ($t -eq 'api') { 'requests' } else { 'CLI processes' }): $((@($calls[$t] | ForEach-Object { ($_ -split '\?')[0] })) -join '; ')"
        }
        $results = for ($r = 1; $r -le $Rounds; $r++) {
            $round = @{}
            foreach ($side in (Get-Rotation $sides $r)) { $round[$side] = & $take $side "$Prefix-$($side -replace '-', '')$r" }
            Write-Detail (('round {0}/{1}: ' -f $r, $Rounds) + (($Transport | ForEach-Object { '{0}: cold {1:0} ms, pool {2:0} ms ({3:0.000}x)' -f $_, $round["cold-$_"], $round["pool-$_"], ($round["pool-$_"] / $round["cold-$_"]) }) -join '; '))
            $round
        }
        foreach ($t in $Transport) {
            $poolMs = [double[]]($results | ForEach-Object { $_["pool-$t"] })
            $coldMs = [double[]]($results | ForEach-Object { $_["cold-$t"] })
            $ratios = [double[]](0..($Rounds - 1) | ForEach-Object { $poolMs[$_] / $coldMs[$_] })
            Add-Figure -Id "pool.take.$t" -Group 'Warm pool' -Name "New-DockerVm -Pool -Start vs cold New-DockerVm -Start, $t transport (pool / cold)" -Unit 'x' -Value (Get-Median $ratios) `
                -Target 0.15 -Module (Get-Median $poolMs) -Raw (Get-Median $coldMs) -ModuleUnit 'ms' `
                -Calls "$($calls[$t].Count) $(if ($t -eq 'api') { 'requests' } else { 'processes' })" `
                -Extra @{ transport = $t; poolSize = $PoolSize; takeCalls = @($calls[$t]); samples = @{ poolMs = @($poolMs | ForEach-Object { [Math]::Round($_, 1) }); coldMs = @($coldMs | ForEach-Object { [Math]::Round($_, 1) }); ratio = @($ratios | ForEach-Object { [Math]::Round($_, 4) }) } }
        }
    }
    finally { Remove-DockerVmPool $pool -Confirm:$false }
}

# ---- reports ---------------------------------------------------------------------------------

function Format-Target($f) {
    if ($null -eq $f.target) { return '-' }
    $op = if ($f.comparison -eq '<=') { '<=' } else { '>=' }
    return "$op $(Format-Number $f.target $f.unit)"
}

function Format-Result($f) {
    if ($null -eq $f.holds) { return 'info' }
    if ($f.holds) { 'PASS' } else { 'MISS' }
}

function Get-TableRows {
    foreach ($f in $Figures) {
        [pscustomobject]@{
            Figure = if ($f.group -eq 'Lifecycle step') { "  $($f.name)" } else { $f.name }
            Module = if ($null -ne $f.module) { Format-Number $f.module $f.moduleUnit } else { '' }
            Raw = if ($null -ne $f.raw) { Format-Number $f.raw $f.moduleUnit } else { '' }
            Value = Format-Number $f.value $f.unit
            Target = Format-Target $f
            Result = Format-Result $f
            'CLI calls' = $f.cliCalls
        }
    }
}

function Get-MachineLine($m) {
    "$($m.nproc) CPUs ($($m.cpu)), $($m.memoryGiB) GiB, Docker $($m.dockerServerVersion), PowerShell $($m.pwshVersion), $($m.os)"
}

function Write-Markdown([string] $Path, $Report) {
    $esc = { param($s) "$s".Replace('|', '\|') }
    $lines = @(
        "Benchmark of DockerVm against the raw docker CLI and the Engine API floor (curl), $($Report.date) on $(Get-MachineLine $Report.machine), Engine API $($Report.machine.dockerApiVersion), curl $($Report.machine.curlVersion)."
        "DockerVm transports: $($Report.parameters.transports -join ' and ') (DOCKERVM_TRANSPORT; the bars hold for $($Report.parameters.transports[0]), the default on a local engine). Rounds: $($Report.parameters.rounds) (lifecycle, listing, pool), $($Report.parameters.bulkRounds) (bulk); every side interleaved round by round, the order rotating; $($Report.parameters.settleMs) ms untimed pause after each side's clean-up. Figures are medians of per-round ratios."
        "Noise: the machine is shared (other engineers compile on its $($Report.machine.nproc) CPUs): load average $($Report.loadAverage.start) at the start, $($Report.loadAverage.end) at the end. Absolute times move with the load; the interleaved ratios are what counts."
        ''
        '| Figure | DockerVm | Baseline | Value | Target | Holds | Requests / processes (DockerVm / baseline) |'
        '|---|---:|---:|---:|---|---|---|'
    )
    foreach ($row in Get-TableRows) {
        $figure = $row.Figure -replace '^  ', '&nbsp;&nbsp;&nbsp;'
        $lines += "| $(& $esc $figure) | $($row.Module) | $($row.Raw) | $($row.Value) | $(& $esc $row.Target) | $($row.Result) | $($row.'CLI calls') |"
    }
    $steps = @($Report.figures | Where-Object { $_.group -eq 'Lifecycle step' -and $_.medianMs })
    if ($steps) {
        $sides = @($steps[0].medianMs.Keys)
        $lines += ''
        $lines += 'Lifecycle steps, median ms of each side (requests: api transport; processes: cli transport):'
        $lines += ''
        $lines += '| Step | ' + ($sides -join ' | ') + ' | api requests | cli processes | curl requests |'
        $lines += '|---|' + (($sides | ForEach-Object { '---:' }) -join '|') + '|---|---:|---:|'
        foreach ($f in $steps) {
            $apiReq = if ($f.apiRequests) { "$(@($f.apiRequests).Count): " + ((@($f.apiRequests) | ForEach-Object { ($_ -replace '/v1\.\d+', '' -replace '[0-9a-f]{64}', '{id}' -replace '\?.*$', '') }) -join ', ') } else { '' }
            $stepName = $f.name -replace ' \(.*$', ''
            $lines += "| $(& $esc $stepName) | " + (($sides | ForEach-Object { '{0:0}' -f $f.medianMs[$_] }) -join ' | ') + " | $(& $esc $apiReq) | $($f.calls['cli']) | $($f.curlRequests) |"
        }
    }
    $lines += ''
    $lines += '![DockerVm vs the raw docker CLI](bench.svg)'
    Set-Content -LiteralPath $Path -Value $lines
}

function Write-Svg([string] $Path, $Report) {
    # Hand-written SVG: one bar per figure, drawn as a share of its target (the line at 1.0), so
    # ratios, seconds and process counts share one axis; value and target are printed beside it.
    $x = { param($s) [System.Security.SecurityElement]::Escape("$s") }
    $rows = @($Report.figures)
    $labelW = 430; $barW = 360; $textW = 250; $rowH = 22; $top = 98
    $width = $labelW + $barW + $textW + 20
    $height = $top + $rows.Count * $rowH + 40
    $max = 2.0
    foreach ($f in $rows) {
        $share = if ($null -ne $f.target -and $f.comparison -eq '>=') { $f.target / [Math]::Max($f.value, 1e-9) } elseif ($null -ne $f.target) { $f.value / $f.target } else { $f.value / $f.chartReference }
        if ($share -gt $max) { $max = [Math]::Min([Math]::Ceiling($share * 2) / 2, 6) }
    }
    $scale = $barW / $max
    $inv = [cultureinfo]::InvariantCulture
    $n = { param([double] $v) $v.ToString('0.#', $inv) }
    $sb = [System.Text.StringBuilder]::new()
    $null = $sb.AppendLine("<svg xmlns=`"http://www.w3.org/2000/svg`" width=`"$width`" height=`"$height`" viewBox=`"0 0 $width $height`" font-family=`"Segoe UI, Helvetica, Arial, sans-serif`" font-size=`"12`">")
    $null = $sb.AppendLine("<rect width=`"100%`" height=`"100%`" fill=`"#ffffff`"/>")
    $null = $sb.AppendLine("<text x=`"10`" y=`"22`" font-size=`"16`" font-weight=`"bold`">DockerVm vs the raw docker CLI</text>")
    $null = $sb.AppendLine("<text x=`"10`" y=`"40`" fill=`"#444`">$(& $x "$($Report.date) - $(Get-MachineLine $Report.machine) - load average $($Report.loadAverage.start)")</text>")
    $null = $sb.AppendLine("<text x=`"10`" y=`"58`" fill=`"#444`">Bars: each figure as a share of its target (ratios are module/raw; bulk is raw/module throughput): the dashed line at 1.0 is the target.</text>")
    $null = $sb.AppendLine("<text x=`"10`" y=`"74`" fill=`"#444`">Green holds, red misses. Grey has no target of its own: lifecycle steps are module/raw (1.0 = parity); the import floor is a share of 400 ms.</text>")
    $axisX = $labelW + $scale * 1.0
    for ($g = 0.0; $g -le $max + 1e-9; $g += 0.5) {
        $gx = $labelW + $scale * $g
        $null = $sb.AppendLine("<line x1=`"$(& $n $gx)`" y1=`"$($top - 4)`" x2=`"$(& $n $gx)`" y2=`"$($top + $rows.Count * $rowH)`" stroke=`"#eee`"/>")
        $null = $sb.AppendLine("<text x=`"$(& $n $gx)`" y=`"$($top + $rows.Count * $rowH + 14)`" text-anchor=`"middle`" fill=`"#666`">$($g.ToString('0.0', $inv))</text>")
    }
    $i = 0
    foreach ($f in $rows) {
        $y = $top + $i * $rowH
        $share = if ($null -eq $f.target) { $f.value / $f.chartReference } elseif ($f.comparison -eq '>=') { $f.target / [Math]::Max($f.value, 1e-9) } else { $f.value / $f.target }
        $color = if ($null -eq $f.holds) { '#b0b0b0' } elseif ($f.holds) { '#2e9d4f' } else { '#d0463c' }
        $w = [Math]::Max(1, [Math]::Min($share, $max) * $scale)
        $fill = if ($f.group -eq 'Lifecycle step') { ' fill="#555"' } else { '' }
        $null = $sb.AppendLine("<text x=`"$($labelW - 8)`" y=`"$($y + 15)`" text-anchor=`"end`"$fill>$(& $x $f.name)</text>")
        $null = $sb.AppendLine("<rect x=`"$labelW`" y=`"$($y + 4)`" width=`"$(& $n $w)`" height=`"$($rowH - 8)`" fill=`"$color`"/>")
        $text = "$(Format-Number $f.value $f.unit)"
        if ($null -ne $f.target) { $text += "  (target $(Format-Target $f)) $(Format-Result $f)" }
        $null = $sb.AppendLine("<text x=`"$($labelW + $barW + 8)`" y=`"$($y + 15)`">$(& $x $text)</text>")
        $i++
    }
    $null = $sb.AppendLine("<line x1=`"$(& $n $axisX)`" y1=`"$($top - 6)`" x2=`"$(& $n $axisX)`" y2=`"$($top + $rows.Count * $rowH + 2)`" stroke=`"#000`" stroke-width=`"1.5`" stroke-dasharray=`"4 3`"/>")
    $null = $sb.AppendLine("<text x=`"$(& $n $axisX)`" y=`"$($top - 8)`" text-anchor=`"middle`" font-size=`"11`">target</text>")
    $null = $sb.AppendLine("<text x=`"$($labelW + $barW / 2)`" y=`"$($top + $rows.Count * $rowH + 32)`" text-anchor=`"middle`" fill=`"#666`">share of target (lower is better)</text>")
    $null = $sb.AppendLine('</svg>')
    Set-Content -LiteralPath $Path -Value $sb.ToString() -NoNewline
}

# ---- main ------------------------------------------------------------------------------------

$SavedCli = $env:DOCKERVM_CLI
$SavedTransport = $env:DOCKERVM_TRANSPORT
$Wrapper = Join-Path $OutputPath 'docker-count.sh'
$CountFile = Join-Path $OutputPath "cli-calls-$RunId.txt"
$exitCode = 0
try {
    Copy-Item -LiteralPath (Join-Path $PSScriptRoot 'docker-count.sh') -Destination $Wrapper -Force
    if (-not $IsWindows) { [System.IO.File]::SetUnixFileMode($Wrapper, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute') }
    $env:DOCKERVM_BENCH_COUNT = $CountFile
    $env:DOCKERVM_BENCH_DOCKER = $Docker

    $machine = Get-Machine
    $null = Invoke-Cli image, 'inspect', '--format', '{{.Id}}', $Image   # never pulls: the image must be local
    Import-Module $ModulePath -Force
    $stale = @((Invoke-Cli ps, '-aq', '--filter', "label=$BenchLabel") -split "`n" | Where-Object { $_.Trim() })
    Write-Step "DockerVm benchmark run $RunId$(if ($Quick) { ' (quick)' }): $(Get-MachineLine $machine)"
    if ($stale.Count) { Write-Warning "$($stale.Count) containers of earlier benchmark runs exist (label $BenchLabel); they are listed as managed VMs too. Remove them with: docker rm -f `$(docker ps -aq --filter label=$BenchLabel)" }
    $started = Get-Date
    $loadStart = Get-LoadAverage
    Write-Detail ("rounds $Rounds, listing $($ListSizes -join ' and ') VMs, bulk $BulkCount VMs x $BulkRounds rounds, parallelism $ThrottleLimit; load average $loadStart")

    if ('Lifecycle' -in $Section) { Measure-Lifecycle }
    if ('Listing' -in $Section) { Measure-Listing }
    if ('Bulk' -in $Section) { Measure-Bulk }
    if ('Import' -in $Section) { Measure-Import }
    if ('Pool' -in $Section) { Measure-Pool }

    $report = [ordered]@{
        date = $started.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', [cultureinfo]::InvariantCulture)
        durationSec = [Math]::Round(((Get-Date) - $started).TotalSeconds, 1)
        runId = $RunId
        quick = [bool]$Quick
        machine = $machine
        loadAverage = [ordered]@{ start = $loadStart; end = (Get-LoadAverage) }
        module = [ordered]@{ path = $ModulePath; version = (Get-Module DockerVm).Version.ToString() }
        image = $Image
        parameters = [ordered]@{ rounds = $Rounds; listCounts = $ListSizes; bulkCount = $BulkCount; bulkRounds = $BulkRounds; throttleLimit = $ThrottleLimit; importRounds = $ImportRounds; transports = @($Transport); settleMs = $SettleMs; poolSize = $PoolSize }
        method = 'Every side (raw CLI, curl floor, DockerVm on each transport) interleaved round by round, the order rotating; raw = docker CLI started with System.Diagnostics.Process, output read whole; curl = curl --unix-socket, one process per Engine API request, output read whole; figures are medians (ratios: median of per-round ratios).'
        figures = @($Figures)
        targetsHeld = @($Figures | Where-Object { $_.holds -eq $true }).Count
        targetsMissed = @($Figures | Where-Object { $_.holds -eq $false }).Count
    }
    $report | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath (Join-Path $OutputPath 'bench.json')
    Write-Svg (Join-Path $OutputPath 'bench.svg') $report
    Write-Markdown (Join-Path $OutputPath 'bench.md') $report

    Write-Step "results ($($report.date), $(Get-MachineLine $machine))"
    Get-TableRows | Format-Table -AutoSize -Wrap | Out-String -Width 220 | Write-Host
    Write-Host "$($report.targetsHeld) targets hold, $($report.targetsMissed) missed (load average $($report.loadAverage.start) -> $($report.loadAverage.end)). Written: $(Join-Path $OutputPath 'bench.json'), bench.svg, bench.md"
    # One machine-readable line for logs and CI.
    Write-Host ('bench-summary: ' + (ConvertTo-Json -Compress -InputObject ([ordered]@{
                    date = $report.date; held = $report.targetsHeld; missed = $report.targetsMissed
                    figures = @($Figures | Where-Object { $null -ne $_.target } | ForEach-Object { [ordered]@{ id = $_.id; value = $_.value; target = $_.target; holds = $_.holds } })
                })))
}
catch {
    Write-Host "benchmark stopped: $($_.Exception.Message)" -ForegroundColor Red
    Write-Host $_.ScriptStackTrace
    $exitCode = 1
}
finally {
    $env:DOCKERVM_CLI = $SavedCli
    $env:DOCKERVM_TRANSPORT = $SavedTransport
    Remove-Item -LiteralPath $CountFile -ErrorAction Ignore
    try {
        $left = Remove-BenchContainers
        if ($left) { Write-Warning "$left containers labelled $RunLabel could not be removed." }
    }
    catch { Write-Warning "cleanup failed: $($_.Exception.Message). Remove with: docker rm -f `$(docker ps -aq --filter label=$RunLabel)" }
}
exit $exitCode
