<#
.SYNOPSIS
    The engine-generic end-to-end suites against Podman's Docker-compatible API socket (docs/podman.md).
    build.ps1 Podman runs it after Build; not in Test or CI.
.DESCRIPTION
    Everything it makes lives in one temporary folder and goes at the end: a containers.conf and a
    storage.conf of its own (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF: the machine's /etc/containers and
    /var/lib/containers are not touched), podman's storage, a bridge network of its own (its own interface
    name and a subnet no route of this machine uses), the test image (imported from busybox-static, as
    Bootstrap makes it for docker) and `podman system service` on a socket in that folder. The suites run
    with DOCKER_HOST on that socket and DOCKERVM_TRANSPORT=api; tests tagged NotPodman are left out.
#>
param(
    [Parameter(Mandatory)][string] $PesterPath,
    [Parameter(Mandatory)][string] $ModulePath,
    [Parameter(Mandatory)][string] $TestsPath,
    [Parameter(Mandatory)][string] $ResultPath,
    [string] $Image = 'dockervm/busybox:latest',
    [string[]] $Tag = @('Lifecycle', 'Exec', 'Cmdlets', 'Hardening', 'Toolkit', 'Pools', 'Conventions', 'Views', 'Reliability', 'Faults')
)
$ErrorActionPreference = 'Stop'
if ($env:CI -or [Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }

function Get-FreeSubnet {
    # A /24 under 10.231-10.250 that no route of this machine uses (docker's bridges, a second engine's, ...).
    $routes = (& ip -4 route show) -join "`n"
    foreach ($b in 231..250) {
        if ($routes -notmatch "(^|\s)10\.$b\.") { return "10.$b.0.0/24" }
    }
    throw 'no free 10.231-250.x.0/24 subnet for the podman network'
}

function Wait-Socket([string] $Socket, [int] $Seconds = 60) {
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (Test-Path $Socket) {
            $null = & docker -H "unix://$Socket" version --format '{{.Server.Version}}' 2>&1
            if ($LASTEXITCODE -eq 0) { return }
        }
        Start-Sleep -Milliseconds 250
    }
    throw "podman system service did not answer on $Socket within $Seconds s"
}

function Test-NetavarkChains { [bool](& iptables -S NETAVARK_FORWARD 2>$null) }

function Remove-NetavarkChains {
    # Netavark keeps its base chains and their jumps after it tears down the last network. They go when this
    # run made them (none before it) and no network uses them now (empty); docker's chains are not touched.
    if (@(& iptables -S NETAVARK_FORWARD 2>$null).Count -gt 1 -or @(& iptables -t nat -S NETAVARK-HOSTPORT-DNAT 2>$null).Count -gt 1) { return }
    & iptables -D FORWARD -m comment --comment 'netavark firewall plugin rules' -j NETAVARK_FORWARD 2>$null
    & iptables -X NETAVARK_FORWARD 2>$null
    & iptables -t nat -D PREROUTING -m addrtype --dst-type LOCAL -j NETAVARK-HOSTPORT-DNAT 2>$null
    & iptables -t nat -D OUTPUT -m addrtype --dst-type LOCAL -j NETAVARK-HOSTPORT-DNAT 2>$null
    & iptables -t nat -D POSTROUTING -j NETAVARK-HOSTPORT-MASQ 2>$null
    foreach ($chain in 'NETAVARK-HOSTPORT-DNAT', 'NETAVARK-HOSTPORT-MASQ', 'NETAVARK-HOSTPORT-SETMARK') {
        & iptables -t nat -F $chain 2>$null
        & iptables -t nat -X $chain 2>$null
    }
}

$id = [Guid]::NewGuid().ToString('N').Substring(0, 8)
$hadChains = Test-NetavarkChains
$work = "/tmp/dvp-$id"                     # short: the socket's path must stay under 108 bytes
$socket = "$work/api.sock"
$network = "dockervm-podman-$id"
$saved = @{}
foreach ($name in 'CONTAINERS_CONF', 'CONTAINERS_STORAGE_CONF', 'DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKERVM_TRANSPORT', 'DOCKERVM_CLI') {
    $saved[$name] = [Environment]::GetEnvironmentVariable($name)
}
$service = $null
$exit = 1
New-Item -ItemType Directory $work, "$work/networks", "$work/tmp" | Out-Null
try {
    # runc (crun fails here), the --init binary, and ulimits a container may set: podman's default
    # (the host's own nofile and nproc) is refused inside this machine's containers.
    $subnet = Get-FreeSubnet
    @"
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
init_path = "/usr/bin/catatonit"

[engine]
runtime = "runc"
tmp_dir = "$work/tmp"
volume_path = "$work/volumes"
events_logger = "file"
events_logfile_path = "$work/events.log"

[network]
network_config_dir = "$work/networks"
default_network = "$network"
"@ | Set-Content "$work/containers.conf"
    @"
[storage]
driver = "overlay"
graphroot = "$work/storage"
runroot = "$work/run"
"@ | Set-Content "$work/storage.conf"
    $env:CONTAINERS_CONF = "$work/containers.conf"
    $env:CONTAINERS_STORAGE_CONF = "$work/storage.conf"
    Remove-Item Env:DOCKER_CONTEXT, Env:DOCKERVM_CLI -ErrorAction Ignore

    Write-Host "==> podman $(& podman version --format '{{.Client.Version}}'): network $network ($subnet, bridge dvp$id), storage $work/storage"
    # The network as a file in network_config_dir (podman 4.3's network create cannot name the bridge; podman0
    # may be another podman's).
    $gateway = $subnet -replace '0/24$', '1'
    [ordered]@{
        name = $network; id = ([Guid]::NewGuid().ToString('N') + [Guid]::NewGuid().ToString('N')); driver = 'bridge'
        network_interface = "dvp$id"; created = [DateTime]::UtcNow.ToString('o'); subnets = @(@{ subnet = $subnet; gateway = $gateway })
        ipv6_enabled = $false; internal = $false; dns_enabled = $false; ipam_options = @{ driver = 'host-local' }
    } | ConvertTo-Json -Depth 4 | Set-Content "$work/networks/$network.json"

    $busybox = @('/usr/bin/busybox', '/bin/busybox') | Where-Object { Test-Path $_ } | Select-Object -First 1
    $rootfs = "$work/rootfs"
    New-Item -ItemType Directory "$rootfs/bin", "$rootfs/tmp", "$rootfs/etc", "$rootfs/root" | Out-Null
    Copy-Item $busybox "$rootfs/bin/busybox"
    & bash -c "cd '$rootfs/bin' && chmod 755 busybox && for a in `$(./busybox --list); do [ `"`$a`" = busybox ] || ln -sf busybox `"`$a`"; done && chmod 1777 '$rootfs/tmp'"
    Set-Content "$rootfs/etc/passwd" "root:x:0:0:root:/root:/bin/sh`nnobody:x:65534:65534:nobody:/:/bin/false"
    Set-Content "$rootfs/etc/group" "root:x:0:`nnogroup:x:65534:"
    & bash -c "tar -C '$rootfs' -c . | podman import -q -c 'ENV PATH=/bin' -c 'CMD [\`"sh\`"]' - '$Image' > /dev/null"
    if ($LASTEXITCODE -ne 0) { throw "podman import of $Image failed" }

    $service = Start-Process podman -ArgumentList 'system', 'service', '--time=0', "unix://$socket" -PassThru `
        -RedirectStandardOutput "$work/service.out" -RedirectStandardError "$work/service.log"
    Wait-Socket $socket

    $env:DOCKER_HOST = "unix://$socket"
    $env:DOCKERVM_TRANSPORT = 'api'
    Write-Host "==> Pester against podman system service ($env:DOCKER_HOST), DOCKERVM_TRANSPORT=api, tags $($Tag -join ','), excluding NotPodman"
    & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File (Join-Path $TestsPath 'Invoke-PesterSuite.ps1') `
        -PesterPath $PesterPath -ModulePath $ModulePath -TestsPath $TestsPath -ResultPath $ResultPath -Tag ($Tag -join ',') -ExcludeTag 'NotPodman' | Out-Host
    $exit = $LASTEXITCODE
}
finally {
    # Everything goes: the service, then (podman CLI, same configuration) containers, images, the network,
    # then the folder with podman's storage (its overlay mounts first).
    if ($service -and -not $service.HasExited) {
        & kill -TERM $service.Id 2>$null
        if (-not $service.WaitForExit(10000)) { $service.Kill(); $null = $service.WaitForExit(5000) }
    }
    if ($env:CONTAINERS_CONF -eq "$work/containers.conf") {
        & podman rm --all --force --time 0 *> $null
        & podman rmi --all --force *> $null
        & podman network rm --force $network *> $null
    }
    # What podman started for this service and outlived it: an exec session's conmon waits out its --exit-delay
    # (300 s) after its container is gone. Each names this folder on its command line; ended by its id.
    foreach ($p in (Get-ChildItem /proc -Directory | Where-Object Name -match '^\d+$')) {
        $cmd = Get-Content "/proc/$($p.Name)/cmdline" -Raw -ErrorAction Ignore
        if ($cmd -and $cmd.Contains("$work/") -and [int]$p.Name -ne $PID) { & kill -KILL $p.Name 2>$null }
    }
    & bash -c "grep -o ' $work/[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l" 2>$null
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
    if (-not $hadChains) { Remove-NetavarkChains }
    foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
}
if (Test-Path $work) { Write-Warning "could not remove $work entirely" }
exit $exit
