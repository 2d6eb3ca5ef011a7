# A Docker engine of a test suite's own, so fault, multi-engine and TLS tests never disturb the main one:
# its own data root, exec root, socket and bridge (a second dockerd in the host namespace must not use
# --bridge=none, which deletes docker0), no iptables changes, the test image loaded from the main engine.
# Stopping it removes everything it made (daemon, bridge, data root). Used by SecondEngine.ps1 and TlsEngine.ps1.

function Test-PrivateEngine([string] $Socket) {
    $null = & env -u DOCKER_HOST -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH docker -H $Socket info --format '{{.ServerVersion}}' 2>&1
    return $LASTEXITCODE -eq 0
}

function Start-PrivateEngine {
    param([string] $Root, [string] $Bridge, [string] $BridgeAddress, [string[]] $Listen = @(), [string[]] $Arguments = @())
    $socket = "unix://$Root/docker.sock"
    if (Test-PrivateEngine $socket) { return }
    if ((& id -u) -ne '0') { throw "the engine at $Root needs root (dockerd)" }
    if (-not (Get-Command dockerd -ErrorAction Ignore)) { throw 'dockerd is not installed: run ./build.ps1 Bootstrap' }
    New-Item -ItemType Directory -Force "$Root/data", "$Root/exec" | Out-Null
    & ip link show $Bridge *> $null
    if ($LASTEXITCODE -ne 0) {
        & ip link add $Bridge type bridge
        & ip addr add $BridgeAddress dev $Bridge
    }
    & ip link set $Bridge up
    $hosts = (@($socket) + @($Listen) | Where-Object { $_ } | ForEach-Object { "-H $_" }) -join ' '
    & bash -c "setsid nohup dockerd --data-root $Root/data --exec-root $Root/exec --pidfile $Root/dockerd.pid $hosts --bridge $Bridge --iptables=false --ip-masq=false $($Arguments -join ' ') >> $Root/dockerd.log 2>&1 < /dev/null &"
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not (Test-PrivateEngine $socket)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "the dockerd at $Root did not start: $(Get-Content "$Root/dockerd.log" -Tail 20 -ErrorAction Ignore)" }
        Start-Sleep -Milliseconds 250
    }
    $null = & docker -H $socket image inspect $script:TestImage 2>&1
    if ($LASTEXITCODE -ne 0) {
        & bash -c "docker save '$script:TestImage' | docker -H '$socket' load > /dev/null"
        if ($LASTEXITCODE -ne 0) { throw "loading the test image into the engine at $Root failed" }
    }
}

function Stop-PrivateEngine([string] $Root) {
    # SIGTERM, as a service manager stops it; waits until the daemon is gone. Its data stays (a restart finds it).
    $pidFile = "$Root/dockerd.pid"
    if (-not (Test-Path $pidFile)) { return }
    $daemon = [int](Get-Content $pidFile)
    & bash -c "kill -TERM $daemon" 2>$null
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ((Test-Path "/proc/$daemon") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
}

function Remove-PrivateEngine([string] $Root, [string] $Bridge) {
    # Stops it and removes everything it made: bridge, data root, socket, log.
    Stop-PrivateEngine $Root
    & ip link delete $Bridge *> $null
    & bash -c "rm -rf '$Root'" *> $null
}
