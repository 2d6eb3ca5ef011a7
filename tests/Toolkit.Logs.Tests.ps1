# The machine toolkit, logs and readiness (contract part 2 §7): Get-DockerVmLog's typed lines,
# -Tail, -Since, -Follow ended by the pipeline or Ctrl+C with no docker process left, and
# Wait-DockerVm -ForLog/-ForPort/-Healthy with DockerVmNotReady naming what was last seen.
# All on the real engine; every test removes what it made.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Assert-Engine

    function New-LogVm([string] $Prefix, [string] $Script, [hashtable] $More = @{}) {
        # A started VM whose container command is the shell script given.
        $p = @{ ContainerCommand = 'sh', '-c', $Script; Start = $true }
        foreach ($k in $More.Keys) { $p[$k] = $More[$k] }
        New-TestVm $Prefix -Parameters $p
    }

    function Wait-LogLine($Vm, [string] $Text) {
        # Waits (through docker itself) until the container wrote a line.
        Wait-Until { (& docker logs $Vm.ContainerId 2>&1 | ForEach-Object { "$_" }) -contains $Text } -TimeoutSec 30
    }

    function Get-LogClients($Vm) { Get-DockerClients "logs .*$($Vm.ContainerId)" }
}

Describe 'Get-DockerVmLog' -Tag 'E2E', 'Toolkit' {
    BeforeAll {
        $script:vm = New-LogVm 'logs' 'echo out1; echo err1 >&2; echo out2; echo err2 >&2; sleep 1; echo; echo "  spaced  "; echo done; sleep 3600'   # the pause orders the streams: docker reads stdout and stderr through two pipes
        Wait-LogLine $vm 'done'
    }

    AfterAll { $vm | Remove-DockerVm -Force }

    It 'emits typed lines, stdout and stderr told apart, dated by the engine, text exact' {
        $lines = @(Get-DockerVmLog -VM $vm)
        $lines | Should -HaveCount 7
        $lines | ForEach-Object { $_ | Should -BeOfType ([DockerVm.DockerVmLogLine]) }
        $lines.Name | Select-Object -Unique | Should -Be $vm.Name
        @($lines | Where-Object Stream -eq 'stdout' | ForEach-Object Text) | Should -Be @('out1', 'out2', '', '  spaced  ', 'done')
        @($lines | Where-Object Stream -eq 'stderr' | ForEach-Object Text) | Should -Be @('err1', 'err2')
        $started = (Get-DockerVmProperties -VM $vm).StartedAt
        foreach ($l in $lines) {
            $l.Timestamp | Should -Not -BeNullOrEmpty
            $l.Timestamp.Kind | Should -Be 'Utc'
            $l.Timestamp | Should -BeGreaterOrEqual $started.AddSeconds(-1)
            $l.Timestamp | Should -BeLessOrEqual ([DateTime]::UtcNow.AddSeconds(5))
            "$l" | Should -BeExactly $l.Text
        }
        # within a stream, in the order written (across streams the engine reads two pipes: no order)
        $stdout = @($lines | Where-Object Stream -eq 'stdout')
        for ($i = 1; $i -lt $stdout.Count; $i++) { $stdout[$i].Timestamp | Should -BeGreaterOrEqual $stdout[$i - 1].Timestamp }
    }

    It 'shows NAME STREAM | TEXT, with the time under -Timestamps, never cutting the name' {
        $plain = Get-DockerVmLog -VM $vm -Tail 1 | Out-String -Width 200
        $plain | Should -Match "$([regex]::Escape($vm.Name)) stdout \| done"
        $stamped = Get-DockerVmLog -VM $vm -Tail 1 -Timestamps | Out-String -Width 200
        $stamped | Should -Match "$([regex]::Escape($vm.Name)) stdout \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z \| done"
    }

    It '-Tail gives the last lines, -Tail 0 none' {
        @(Get-DockerVmLog -Name $vm.Name -Tail 2 | ForEach-Object Text) | Should -Be @('  spaced  ', 'done')
        Get-DockerVmLog -Name $vm.Name -Tail 0 | Should -BeNullOrEmpty
    }

    It '-Since gives the lines written at or after a time, local or UTC' {
        $vm2 = New-LogVm 'since' 'for i in $(seq 1 5); do echo "line $i"; sleep 0.3; done; sleep 3600'
        try {
            Wait-LogLine $vm2 'line 5'
            $all = @(Get-DockerVmLog -VM $vm2)
            $third = $all | Where-Object Text -eq 'line 3'
            @(Get-DockerVmLog -VM $vm2 -Since $third.Timestamp | ForEach-Object Text) | Should -Be @('line 3', 'line 4', 'line 5')
            @(Get-DockerVmLog -VM $vm2 -Since $third.Timestamp.ToLocalTime() | ForEach-Object Text) | Should -Be @('line 3', 'line 4', 'line 5')
            @(Get-DockerVmLog -VM $vm2 -Since $third.Timestamp -Tail 1 | ForEach-Object Text) | Should -Be @('line 5')
            Get-DockerVmLog -VM $vm2 -Since ([DateTime]::UtcNow.AddMinutes(5)) | Should -BeNullOrEmpty
        }
        finally { $vm2 | Remove-DockerVm -Force }
    }

    It 'is DockerVmNotFound for a name that matches no VM' {
        $err = $null
        Get-DockerVmLog -Name (New-TestName 'none') -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmNotFound,*'
    }
}

Describe 'Get-DockerVmLog -Follow' -Tag 'E2E', 'Toolkit' {
    BeforeAll {
        $script:ticker = New-LogVm 'follow' 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done'
        Wait-LogLine $ticker 'tick 2'
    }

    AfterAll { $ticker | Remove-DockerVm -Force }

    It 'ends promptly under Select-Object -First 5, with no docker process left behind' {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $lines = @(Get-DockerVmLog -VM $ticker -Follow -Tail 0 | Select-Object -First 5)
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 15
        $lines | Should -HaveCount 5
        $n = $lines | ForEach-Object { [int]($_.Text -replace '^tick ', '') }
        for ($i = 1; $i -lt 5; $i++) { $n[$i] | Should -Be ($n[$i - 1] + 1) -Because 'new lines come in order, none lost' }
        Wait-Until { -not (Get-LogClients $ticker) } -TimeoutSec 10
        (Get-DockerVm -Name $ticker.Name).State | Should -Be 'Running'
    }

    It 'ends on Ctrl+C within seconds, with no docker process left behind' {
        $seen = Join-Path ([IO.Path]::GetTempPath()) ('dvt-follow-' + [Guid]::NewGuid().ToString('N') + '.txt')
        $job = Start-Background "Get-DockerVmLog -Name '$($ticker.Name)' -Follow | ForEach-Object { Add-Content '$seen' `$_.Text }"
        try {
            # the CLI transport runs docker logs; the API transport has a stream open (lines arriving), and no process
            if ((Get-TestTransport) -eq 'cli') { Wait-Until { Get-LogClients $ticker } -TimeoutSec 30 }
            Wait-Until { (Test-Path $seen) -and @(Get-Content $seen).Count -ge 3 } -TimeoutSec 30
            (Stop-Background $job).TotalSeconds | Should -BeLessThan 10
            Wait-Until { -not (Get-LogClients $ticker) } -TimeoutSec 10
        }
        finally { Remove-Item $seen -ErrorAction Ignore }
    }

    It 'ends by itself when the container stops' {
        $short = New-LogVm 'followstop' 'echo first; sleep 3; echo last'
        try {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            @(Get-DockerVmLog -VM $short -Follow | ForEach-Object Text) | Should -Be @('first', 'last')
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 30
            # the log closes when the container's output does; the engine reports the exit a moment later
            Wait-DockerVm -VM $short -State Stopped -TimeoutSec 10 -PassThru | ForEach-Object State | Should -Be 'Stopped'
        }
        finally { $short | Remove-DockerVm -Force }
        Get-LogClients $short | Should -BeNullOrEmpty
    }
}

Describe 'Wait-DockerVm readiness' -Tag 'E2E', 'Toolkit' {
    It '-ForLog returns once a line written since the last start matches; an earlier run''s line does not count' {
        $vm = New-LogVm 'forlog' 'sleep 2; echo "server ready on :80"; sleep 3600'
        try {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $vm | Wait-DockerVm -ForLog 'SERVER READY on :\d+' -TimeoutSec 30 -PassThru | Should -Be $vm
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 30

            # Restarted, the old "ready" line is still in the log, yet only the new run counts.
            $vm | Stop-DockerVm -TimeoutSec 0
            $vm | Start-DockerVm
            $err = $null
            $vm | Wait-DockerVm -ForLog 'server ready' -TimeoutSec 0 -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmNotReady,*'
            $vm | Wait-DockerVm -ForLog 'server ready' -TimeoutSec 30
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It '-ForLog past -TimeoutSec is DockerVmNotReady (OperationTimeout) naming the last line' {
        $vm = New-LogVm 'forlogto' 'echo "booting step 1"; sleep 0.3; echo "booting step 3" >&2; sleep 3600'
        try {
            Wait-LogLine $vm 'booting step 3'
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $e = { $vm | Wait-DockerVm -ForLog 'never says this' -TimeoutSec 2 -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotReady,*' -PassThru
            $sw.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1.9
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 15
            $e.CategoryInfo.Category | Should -Be 'OperationTimeout'
            $e.Exception.Message | Should -Match "a log line matching 'never says this'"
            $e.Exception.Message | Should -Match "'booting step 3' \(stderr"
            $e.ErrorDetails.RecommendedAction | Should -Match 'Get-DockerVmLog'
            $e.TargetObject.Name | Should -Be $vm.Name
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It '-ForPort connects through the published port, telling docker''s port proxy from the service' {
        $vm = New-LogVm 'portpub' 'sleep 5; exec httpd -f -p 8080' @{ CreateArgument = '-p', '127.0.0.1::8080' }
        try {
            # Before httpd runs, the proxy accepts and closes: not ready.
            $err = $null
            $vm | Wait-DockerVm -ForPort 8080 -TimeoutSec 0 -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmNotReady,*'
            $err[0].Exception.Message | Should -Match 'published port 127\.0\.0\.1:\d+'
            $err[0].Exception.Message | Should -Match "closed it at once|refused|reset"

            $vm | Wait-DockerVm -ForPort 8080 -TimeoutSec 30
            $hostPort = ((Get-DockerVmProperties -VM $vm).Ports | Where-Object ContainerPort -eq '8080/tcp' | Select-Object -First 1).HostPort
            $client = [Net.Sockets.TcpClient]::new()
            try {
                $client.Connect('127.0.0.1', [int]$hostPort)
                $stream = $client.GetStream()
                $request = [Text.Encoding]::ASCII.GetBytes("GET / HTTP/1.0`r`n`r`n")
                $stream.Write($request, 0, $request.Length)
                $reader = [IO.StreamReader]::new($stream)
                $reader.ReadLine() | Should -Match '^HTTP/1\.[01] ' -Because 'httpd itself answers once the wait says ready'
            }
            finally { $client.Dispose() }
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It '-ForPort connects to the VM''s address when the port is not published; a closed port names the connect error' {
        $vm = New-LogVm 'portip' 'sleep 2; echo "starting httpd"; exec httpd -f -p 8080'
        try {
            $vm | Wait-DockerVm -ForLog 'starting httpd' -ForPort 8080 -TimeoutSec 30 -PassThru | Should -Be $vm
            $e = { $vm | Wait-DockerVm -ForPort 8081 -TimeoutSec 1 -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotReady,*' -PassThru
            $e.Exception.Message | Should -Match "TCP port 8081"
            $e.Exception.Message | Should -Match "connecting to $([regex]::Escape($vm.IPAddress)):8081: .*refused"
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It '-Healthy waits for the healthcheck, and past -TimeoutSec names the status and the last check''s output' {
        $vm = New-TestVm 'healthy' -Parameters @{
            Start          = $true
            CreateArgument = '--health-cmd', 'test -e /tmp/ready && echo ok || (echo not ready yet; exit 1)', '--health-interval', '1s', '--health-retries', '100'
        }
        try {
            Start-Sleep -Seconds 2   # at least one check has run
            $e = { $vm | Wait-DockerVm -Healthy -TimeoutSec 1 -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotReady,*' -PassThru
            $e.Exception.Message | Should -Match 'its healthcheck to report healthy'
            $e.Exception.Message | Should -Match "health status '(starting|unhealthy)'"
            $e.Exception.Message | Should -Match 'not ready yet'

            Invoke-DockerVmExec -VM $vm -Command touch -ArgumentList /tmp/ready
            $vm | Wait-DockerVm -Healthy -TimeoutSec 30
            (& docker inspect --format '{{.State.Health.Status}}' $vm.ContainerId) | Should -Be 'healthy'
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It '-Healthy on a VM without a healthcheck is DockerVmNotReady at once' {
        $vm = New-TestVm 'nohealth' -Parameters @{ Start = $true }
        try {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $e = { $vm | Wait-DockerVm -Healthy -TimeoutSec 60 -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotReady,*' -PassThru
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 10 -Because 'it could never become healthy: no wait'
            $e.Exception.Message | Should -Match 'has no healthcheck'
        }
        finally { $vm | Remove-DockerVm -Force }
    }

    It 'a VM that exits while its readiness is awaited is DockerVmNotReady at once, with its exit code' {
        $vm = New-LogVm 'exits' 'sleep 3; echo "fatal: no config" >&2; exit 3'
        try {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $e = { $vm | Wait-DockerVm -ForLog 'ready' -TimeoutSec 120 -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmNotReady,*' -PassThru
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 30
            $e.Exception.Message | Should -Match 'exit code 3'
            $vm.State | Should -Be 'Stopped'
        }
        finally { $vm | Remove-DockerVm -Force }
    }
}
