# Fault-injection engines for the hardening tests (bounded time on a sick engine). Dot-source it:
#   $f = Start-HungEngine [-Tcp] [-Context <name>]                    accepts, reads, never answers
#   $f = Start-SlowEngine -DelayMs 500 [-Match <regex>] [-HangAfter N [-HangForward]] [-Context <name>]
#                                                                       the real engine, every answer late
#   & docker -H $f.DockerHost ps        (or the module's -Context $f.Context when -Context was given)
#   Get-FaultRequest $f / Wait-FaultRequest $f -Pattern 'POST .*/start'   what reached the fault engine
#   Stop-FaultEngine $f                 (Stop-FaultEngine -All in AfterAll as the safety net)
# Each engine is a python3 process (tests/faults/*.py) with its socket, log and output in a folder of
# its own under <temp>/dockervm-faults; it exits by itself after -MaxSeconds or when this pwsh is gone.
$script:FaultScripts = Join-Path $PSScriptRoot 'faults'
$script:FaultRoot = Join-Path ([IO.Path]::GetTempPath()) 'dockervm-faults'
if ($script:FaultRoot.Length -gt 60) { $script:FaultRoot = '/tmp/dockervm-faults' }  # unix socket paths are short
if (-not (Get-Variable FaultEngines -Scope Script -ErrorAction Ignore)) {
    $script:FaultEngines = [Collections.Generic.List[object]]::new()
}
# Folders of engines that are gone (a running one keeps its ready file) and whose pwsh died before
# Stop-FaultEngine: clear them; the 2-minute margin spares an engine another process is starting.
Get-ChildItem $script:FaultRoot -Directory -ErrorAction Ignore |
    Where-Object { -not (Test-Path (Join-Path $_.FullName 'ready')) -and $_.LastWriteTimeUtc -lt [DateTime]::UtcNow.AddMinutes(-2) } |
    Remove-Item -Recurse -Force -ErrorAction Ignore

function Start-FaultProcess {
    param([string] $Kind, [string] $Script, [string[]] $Arguments, [string] $Context, [int] $MaxSeconds, [hashtable] $Extra = @{})
    $dir = Join-Path $script:FaultRoot "$Kind-$([Guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Force $dir | Out-Null
    $socket = Join-Path $dir 'engine.sock'
    $ready = Join-Path $dir 'ready'
    $log = Join-Path $dir 'log'
    # sh only redirects (no pipe to fill, no console to share) and execs: the process is python's.
    $psi = [Diagnostics.ProcessStartInfo]::new('/bin/sh')
    $psi.UseShellExecute = $false
    foreach ($a in @('-c', 'exec python3 "$@" < /dev/null > "$0/stdout" 2> "$0/stderr"', $dir,
            (Join-Path $script:FaultScripts $Script), $socket) + $Arguments +
        @('--ready-file', $ready, '--log', $log, '--max-seconds', "$MaxSeconds", '--watch-pid', "$PID")) {
        $psi.ArgumentList.Add($a)
    }
    $process = [Diagnostics.Process]::Start($psi)
    $f = [pscustomobject]@{
        Kind       = $Kind
        Socket     = $socket
        DockerHost = "unix://$socket"
        TcpHost    = $null
        Context    = $null
        Process    = $process
        Directory  = $dir
        Log        = $log
    }
    foreach ($k in $Extra.Keys) { $f | Add-Member -NotePropertyName $k -NotePropertyValue $Extra[$k] }
    $script:FaultEngines.Add($f)
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while (-not (Test-Path $ready)) {
        if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) {
            $err = Get-Content (Join-Path $dir 'stderr') -Raw -ErrorAction Ignore
            Stop-FaultEngine $f
            throw "the $Kind fault engine did not get ready within 10 s: $err"
        }
        Start-Sleep -Milliseconds 50
    }
    $tcp = (Get-Content $ready) -match '^tcp=' | Select-Object -First 1
    if ($tcp) { $f.TcpHost = 'tcp://' + $tcp.Substring(4) }
    if ($Context) {
        & docker context rm -f $Context *> $null
        $out = & docker context create $Context --docker "host=$($f.DockerHost)" 2>&1
        if ($LASTEXITCODE -ne 0) { Stop-FaultEngine $f; throw "docker context create $Context failed: $out" }
        $f.Context = $Context
    }
    return $f
}

function Start-HungEngine {
    # An engine that accepts every connection and never answers (reads and discards).
    # -Tcp also listens on 127.0.0.1 (a free port): .TcpHost is 'tcp://127.0.0.1:<port>'.
    param([switch] $Tcp, [string] $Context, [int] $MaxSeconds = 900)
    $a = @()
    if ($Tcp) { $a += '--tcp', '0' }
    Start-FaultProcess -Kind 'hung' -Script 'hung_engine.py' -Arguments $a -Context $Context -MaxSeconds $MaxSeconds
}

function Start-SlowEngine {
    # A proxy in front of the real engine that holds every answer back -DelayMs (each request, also on a
    # reused connection; streams and exec/attach pass through). -Match: only requests whose
    # 'METHOD /v1.xx/path?query' matches are delayed and counted. -HangAfter N: answer N (matching)
    # requests, then swallow the next and never answer on its connection; -HangForward: the engine still
    # gets (and acts on) that request, only its answer is lost.
    param(
        [int] $DelayMs = 500,
        [string] $Match,
        [Nullable[int]] $HangAfter,
        [switch] $HangForward,
        # The engine the suite runs against: DOCKER_HOST's socket when it names one (build.ps1 Podman), else docker's.
        [string] $Upstream = ($env:DOCKER_HOST -match '^unix://(.+)$' ? $Matches[1] : '/var/run/docker.sock'),
        [string] $Context,
        [int] $MaxSeconds = 900
    )
    $a = @('--delay-ms', "$DelayMs", '--upstream', $Upstream)
    if ($Match) { $a += '--match', $Match }
    if ($null -ne $HangAfter) { $a += '--hang-after', "$HangAfter" }
    if ($HangForward) { $a += '--hang-forward' }
    Start-FaultProcess -Kind 'slow' -Script 'slow_proxy.py' -Arguments $a -Context $Context -MaxSeconds $MaxSeconds -Extra @{ DelayMs = $DelayMs }
}

function Stop-FaultEngine {
    # SIGTERM (the engine closes its connections and removes its socket), SIGKILL after 5 s; then the
    # folder and the docker context go. Takes engines from the pipeline; -All stops every one started here.
    param([Parameter(ValueFromPipeline, Position = 0)] [object[]] $Fault, [switch] $All)
    begin { if ($All) { $Fault = @($script:FaultEngines) } }
    process {
        foreach ($f in @($Fault)) {
            if (-not $f) { continue }
            $p = $f.Process
            if ($p -and -not $p.HasExited) {
                & /bin/sh -c "kill -TERM $($p.Id)" 2>$null
                if (-not $p.WaitForExit(5000)) {
                    try { $p.Kill() } catch { }
                    $null = $p.WaitForExit(5000)
                }
            }
            if ($f.Context) { & docker context rm -f $f.Context *> $null }
            Remove-Item -LiteralPath $f.Directory -Recurse -Force -ErrorAction Ignore
            $null = $script:FaultEngines.Remove($f)
        }
    }
}

function Get-FaultRequest {
    # The requests that reached a fault engine, in order: Time (UTC), Connection, N (on that connection),
    # Method, Target, Answered (false: hung/swallowed), Status and DelayedMs (slow engine, once answered).
    param([Parameter(Mandatory, Position = 0)] $Fault)
    $requests = [ordered]@{}
    foreach ($line in (Get-Content $Fault.Log -ErrorAction Ignore)) {
        $w = $line -split ' '
        if ($w.Count -lt 3) { continue }
        $time = [DateTimeOffset]::FromUnixTimeMilliseconds([long]([double]$w[0] * 1000)).UtcDateTime
        $conn = $w[2] -replace '^conn=', ''
        switch ($w[1]) {
            { $_ -in 'req', 'hang' } {
                $n = $w[3] -replace '^n=', ''
                $requests["$conn/$n"] = [pscustomobject]@{
                    Time = $time; Connection = [int]$conn; N = [int]$n; Method = $w[4]; Target = $w[5]
                    Answered = $w[1] -eq 'req'; Status = $null; DelayedMs = $null
                }
            }
            'request' {
                # hung engine: the first line a connection sent
                $requests["$conn/1"] = [pscustomobject]@{
                    Time = $time; Connection = [int]$conn; N = 1; Method = $w[3]; Target = $w[4]
                    Answered = $false; Status = $null; DelayedMs = $null
                }
            }
            'resp' {
                $r = $requests["$conn/$($w[3] -replace '^n=', '')"]
                if ($r) { $r.Status = [int]$w[4]; $r.DelayedMs = [int]($w[5] -replace '^delayed=', '') }
            }
        }
    }
    $requests.Values
}

function Wait-FaultRequest {
    # Waits until -Count requests matching -Pattern ('METHOD target' regex) reached the engine (a client
    # is now stuck on a hung one, say); returns them. Throws after -TimeoutSec.
    param([Parameter(Mandatory, Position = 0)] $Fault, [string] $Pattern = '.', [int] $Count = 1, [int] $TimeoutSec = 10)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ($true) {
        $seen = @(Get-FaultRequest $Fault | Where-Object { "$($_.Method) $($_.Target)" -match $Pattern })
        if ($seen.Count -ge $Count) { return $seen }
        if ([DateTime]::UtcNow -gt $deadline) {
            throw "no $Count request(s) matching '$Pattern' reached the $($Fault.Kind) engine within $TimeoutSec s (saw: $((Get-FaultRequest $Fault | ForEach-Object { "$($_.Method) $($_.Target)" }) -join '; '))"
        }
        Start-Sleep -Milliseconds 50
    }
}
