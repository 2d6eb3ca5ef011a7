# A second Docker engine for the fault and multi-engine tests, so they never disturb the main one:
# its own data root, socket and bridge (a second dockerd in the host namespace must not use
# --bridge=none, which deletes docker0), no iptables changes, the test image loaded from the main engine.
$script:E2Root = '/tmp/dve2'
$script:E2Socket = "unix://$script:E2Root/docker.sock"
$script:E2Context = 'dockervm-e2'
$script:E2Bridge = 'dve2br'

function Invoke-E2Docker { & docker -H $script:E2Socket @args }

function Test-E2Engine {
    $null = & docker -H $script:E2Socket info --format '{{.ServerVersion}}' 2>&1
    return $LASTEXITCODE -eq 0
}

function Start-E2Engine {
    if (Test-E2Engine) { return }
    if ((& id -u) -ne '0') { throw 'the second engine needs root (dockerd)' }
    if (-not (Get-Command dockerd -ErrorAction Ignore)) { throw 'dockerd is not installed: run ./build.ps1 Bootstrap' }
    New-Item -ItemType Directory -Force "$script:E2Root/data", "$script:E2Root/exec" | Out-Null
    & ip link show $script:E2Bridge *> $null
    if ($LASTEXITCODE -ne 0) {
        & ip link add $script:E2Bridge type bridge
        & ip addr add 10.213.0.1/24 dev $script:E2Bridge
    }
    & ip link set $script:E2Bridge up
    & bash -c "setsid nohup dockerd --data-root $script:E2Root/data --exec-root $script:E2Root/exec --pidfile $script:E2Root/dockerd.pid -H $script:E2Socket --bridge $script:E2Bridge --iptables=false --ip-masq=false >> $script:E2Root/dockerd.log 2>&1 < /dev/null &"
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not (Test-E2Engine)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "the second dockerd did not start: $(Get-Content "$script:E2Root/dockerd.log" -Tail 20 -ErrorAction Ignore)" }
        Start-Sleep -Milliseconds 250
    }
}

function Stop-E2Engine {
    # SIGTERM, as a service manager stops it; waits until the daemon is gone.
    $pidFile = "$script:E2Root/dockerd.pid"
    if (-not (Test-Path $pidFile)) { return }
    $daemon = [int](Get-Content $pidFile)
    & bash -c "kill -TERM $daemon" 2>$null
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ((Test-Path "/proc/$daemon") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
}

function Initialize-E2Engine {
    Start-E2Engine
    & docker image inspect $script:TestImage *> $null
    $null = Invoke-E2Docker image inspect $script:TestImage 2>&1
    if ($LASTEXITCODE -ne 0) {
        & bash -c "docker save '$script:TestImage' | docker -H '$script:E2Socket' load > /dev/null"
        if ($LASTEXITCODE -ne 0) { throw 'loading the test image into the second engine failed' }
    }
    $null = & docker context inspect $script:E2Context 2>&1
    if ($LASTEXITCODE -ne 0) { & docker context create $script:E2Context --docker "host=$script:E2Socket" | Out-Null }
}
