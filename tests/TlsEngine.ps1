# An engine reached over tcp with TLS, for the transport tests: certificates made by openssl (a CA, a server
# certificate for 127.0.0.1, a client certificate), a dockerd of its own with --tlsverify on a loopback port,
# its own data root and bridge (see SecondEngine.ps1 for why), and a unix socket beside it for checking.
$script:TlsRoot = '/tmp/dvtls'
$script:TlsPort = 23761
$script:TlsHost = "tcp://127.0.0.1:$script:TlsPort"
$script:TlsSocket = "unix://$script:TlsRoot/docker.sock"
$script:TlsCerts = "$script:TlsRoot/certs"
$script:TlsBridge = 'dvtlsbr'

function Invoke-TlsDocker { & docker -H $script:TlsSocket @args }

function Test-TlsEngine {
    $null = & docker -H $script:TlsSocket info --format '{{.ServerVersion}}' 2>&1
    return $LASTEXITCODE -eq 0
}

function New-TlsCertificates([string] $Dir) {
    New-Item -ItemType Directory -Force $Dir | Out-Null
    $script = @"
set -e
cd '$Dir'
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=dockervm test CA' -keyout ca-key.pem -out ca.pem
openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' -keyout server-key.pem -out server.csr
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -days 2 -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -extfile server.ext -out server-cert.pem
openssl req -newkey rsa:2048 -nodes -subj '/CN=client' -keyout key.pem -out client.csr
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl x509 -req -days 2 -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -extfile client.ext -out cert.pem
"@
    $out = & bash -c $script 2>&1
    if ($LASTEXITCODE -ne 0) { throw "making test certificates failed: $($out -join "`n")" }
}

function Start-TlsEngine {
    if (Test-TlsEngine) { return }
    if ((& id -u) -ne '0') { throw 'the TLS engine needs root (dockerd)' }
    if (-not (Get-Command openssl -ErrorAction Ignore)) { throw 'openssl is not installed: run ./build.ps1 Bootstrap' }
    New-Item -ItemType Directory -Force "$script:TlsRoot/data", "$script:TlsRoot/exec" | Out-Null
    New-TlsCertificates $script:TlsCerts
    & ip link show $script:TlsBridge *> $null
    if ($LASTEXITCODE -ne 0) {
        & ip link add $script:TlsBridge type bridge
        & ip addr add 10.214.0.1/24 dev $script:TlsBridge
    }
    & ip link set $script:TlsBridge up
    $c = $script:TlsCerts
    & bash -c "setsid nohup dockerd --data-root $script:TlsRoot/data --exec-root $script:TlsRoot/exec --pidfile $script:TlsRoot/dockerd.pid -H $script:TlsSocket -H $script:TlsHost --tlsverify --tlscacert $c/ca.pem --tlscert $c/server-cert.pem --tlskey $c/server-key.pem --bridge $script:TlsBridge --iptables=false --ip-masq=false >> $script:TlsRoot/dockerd.log 2>&1 < /dev/null &"
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not (Test-TlsEngine)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "the TLS dockerd did not start: $(Get-Content "$script:TlsRoot/dockerd.log" -Tail 20 -ErrorAction Ignore)" }
        Start-Sleep -Milliseconds 250
    }
    & bash -c "docker save '$script:TestImage' | docker -H '$script:TlsSocket' load > /dev/null"
    if ($LASTEXITCODE -ne 0) { throw 'loading the test image into the TLS engine failed' }
}

function Stop-TlsEngine {
    $pidFile = "$script:TlsRoot/dockerd.pid"
    if (Test-Path $pidFile) {
        $daemon = [int](Get-Content $pidFile)
        & bash -c "kill -TERM $daemon" 2>$null
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ((Test-Path "/proc/$daemon") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
    }
    & ip link delete $script:TlsBridge *> $null
    & bash -c "umount -R '$script:TlsRoot' 2>/dev/null; rm -rf '$script:TlsRoot'" *> $null
}
