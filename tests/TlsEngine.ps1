# An engine reached over tcp with TLS (PrivateEngine.ps1), for the transport tests: certificates made by openssl (a CA, a server
# certificate for 127.0.0.1, a client certificate), a dockerd of its own with --tlsverify on a loopback port,
# and a unix socket beside it for checking.
$script:TlsRoot = '/tmp/dvtls'
$script:TlsPort = 23761
$script:TlsHost = "tcp://127.0.0.1:$script:TlsPort"
$script:TlsSocket = "unix://$script:TlsRoot/docker.sock"
$script:TlsCerts = "$script:TlsRoot/certs"
$script:TlsBridge = 'dvtlsbr'

. $PSScriptRoot/PrivateEngine.ps1

function Invoke-TlsDocker { & env -u DOCKER_HOST -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH -u DOCKER_CONFIG docker -H $script:TlsSocket @args }
function Test-TlsEngine { Test-PrivateEngine $script:TlsSocket }
function Remove-TlsEngine { Remove-PrivateEngine $script:TlsRoot $script:TlsBridge }

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
    if (-not (Get-Command openssl -ErrorAction Ignore)) { throw 'openssl is not installed: run ./build.ps1 Bootstrap' }
    New-TlsCertificates $script:TlsCerts
    $c = $script:TlsCerts
    Start-PrivateEngine -Root $script:TlsRoot -Bridge $script:TlsBridge -BridgeAddress 10.214.0.1/24 -Listen $script:TlsHost `
        -Arguments '--tlsverify', "--tlscacert $c/ca.pem", "--tlscert $c/server-cert.pem", "--tlskey $c/server-key.pem"
}
