# Issue 11: tcp + TLS engines, with the material from DOCKER_CERT_PATH/DOCKER_TLS_VERIFY and from a docker
# context's stored certificates, on both transports. A dockerd of the suite's own listens with --tlsverify.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    . $PSScriptRoot/TlsEngine.ps1
    Assert-Engine

    function Get-TlsStatus([string] $Name) {
        $s = Invoke-TlsDocker inspect --type container --format '{{.State.Status}}' $Name 2>$null
        if ($LASTEXITCODE -ne 0) { return 'absent' }
        return $s
    }
}

# NotPodman (build.ps1 Podman): runs a TLS dockerd of its own; it tests the transport, not the engine under test.
Describe 'An engine over tcp with TLS' -Tag 'E2E', 'Tls', 'NotPodman' {
    BeforeAll {
        Start-TlsEngine
        # A context holding the TLS material, in a docker config of the test's own.
        $script:config = Join-Path $TestDrive 'docker-config'
        New-Item -ItemType Directory $config | Out-Null
        $c = $TlsCerts
        $made = & env "DOCKER_CONFIG=$config" docker context create dvtls --docker "host=$TlsHost,ca=$c/ca.pem,cert=$c/cert.pem,key=$c/key.pem" 2>&1
        if ($LASTEXITCODE -ne 0) { throw "docker context create failed: $made" }
        $script:tlsEnv = @{ DOCKER_HOST = $TlsHost; DOCKER_TLS_VERIFY = '1'; DOCKER_CERT_PATH = $TlsCerts }
    }

    AfterAll {
        if (Test-TlsEngine) {
            $left = Invoke-TlsDocker ps -aq --filter "label=dockervm.test=$TestRun"
            if ($left) { Invoke-TlsDocker rm -f @left | Out-Null }
        }
        Remove-TlsEngine
    }

    It 'runs a VM through DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH' {
        Invoke-WithEnvironment $tlsEnv {
            $vm = New-TestVm 'tls' -Parameters @{ Start = $true }
            try {
                Get-TlsStatus $vm.Name | Should -Be 'running'
                Invoke-WithEnvironment @{ DOCKER_HOST = $null; DOCKER_TLS_VERIFY = $null; DOCKER_CERT_PATH = $null } { Get-DockerStatus $vm.Name } | Should -Be 'absent'
                # exec: the hijacked stream over TLS, both ways
                $r = Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'read l; echo "got $l"; echo err >&2; exit 3' -StandardInput 'over tls' -AsResult
                $r.ExitCode | Should -Be 3
                $r.StandardOutput.Trim() | Should -Be 'got over tls'
                $r.StandardError.Trim() | Should -Be 'err'
                (Get-DockerVm -Name $vm.Name).State | Should -Be 'Running'
                Stop-DockerVm -VM $vm
                Get-TlsStatus $vm.Name | Should -Be 'exited'
            }
            finally { Remove-DockerVm -VM $vm -Force }
            Get-TlsStatus $vm.Name | Should -Be 'absent'
        }
    }

    It 'runs a VM through a context that stores the TLS material' {
        Invoke-WithEnvironment @{ DOCKER_CONFIG = $config } {
            $vm = New-TestVm 'tlsctx' -Parameters @{ Context = 'dvtls'; Start = $true }
            try {
                $vm.Context | Should -Be 'dvtls'
                Get-TlsStatus $vm.Name | Should -Be 'running'
                (Invoke-DockerVmExec -VM $vm -Command echo -ArgumentList 'hello' -AsResult).StandardOutput.Trim() | Should -Be 'hello'
                (Get-DockerVm -Name $vm.Name -Context 'dvtls').State | Should -Be 'Running'
            }
            finally { Remove-DockerVm -VM $vm -Force }
            Get-TlsStatus $vm.Name | Should -Be 'absent'
        }
    }

    It 'refuses an engine whose certificate it cannot trust, with a clear error and nothing made' {
        $other = Join-Path $TestDrive 'other-ca'
        New-TlsCertificates $other   # another CA: the engine's certificate is not signed by it
        Copy-Item "$TlsCerts/cert.pem", "$TlsCerts/key.pem" $other -Force
        $name = New-TestName 'tlsbad'
        Invoke-WithEnvironment @{ DOCKER_HOST = $TlsHost; DOCKER_TLS_VERIFY = '1'; DOCKER_CERT_PATH = $other } {
            $err = $null
            try { New-DockerVm -Image $TestImage -Name $name -Label $TestLabel; throw 'no error' } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'DockerEngineUnavailable*'
            "$($err.Exception.Message)" | Should -Match 'certificate|x509|TLS'
        }
        Get-TlsStatus $name | Should -Be 'absent'
    }
}
