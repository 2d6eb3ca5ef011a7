# The fault-injection engines (Faults.ps1, tests/faults/*.py) themselves, against the real engine:
# a hung engine never answers, a slow one answers every request late, streams included.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    . $PSScriptRoot/Faults.ps1
    Assert-Engine

    function Measure-Docker([string[]] $Arguments, [object] $InputObject) {
        # Runs the docker CLI bounded by coreutils timeout: Output, ExitCode (124: killed at the bound), Ms.
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $out = if ($null -ne $InputObject) { $InputObject | & timeout @Arguments 2>&1 } else { & timeout @Arguments 2>&1 }
        $sw.Stop()
        [pscustomobject]@{ Output = $out; ExitCode = $LASTEXITCODE; Ms = $sw.ElapsedMilliseconds }
    }
}

Describe 'Fault engines' -Tag 'E2E', 'Faults' {
    AfterAll {
        Stop-FaultEngine -All
    }

    It 'a hung engine takes the connection and never answers' {
        $f = Start-HungEngine
        try {
            $r = Measure-Docker @('3', 'docker', '-H', $f.DockerHost, 'ps')
            $r.ExitCode | Should -Be 124 -Because "the CLI must still be waiting when killed at 3 s ($($r.Output))"
            $r.Ms | Should -BeGreaterOrEqual 2900
            (Wait-FaultRequest $f -Pattern '^(HEAD|GET) /_ping$')[0].Answered | Should -BeFalse
        } finally {
            Stop-FaultEngine $f
        }
        Test-Path $f.Directory | Should -BeFalse
        $f.Process.HasExited | Should -BeTrue
    }

    It 'a slow engine answers every request on a reused connection, each one late' {
        $f = Start-SlowEngine -DelayMs 300
        try {
            $direct = & docker version --format '{{.Server.Version}}'
            $r = Measure-Docker @('20', 'docker', '-H', $f.DockerHost, 'version', '--format', '{{.Server.Version}}')
            $r.ExitCode | Should -Be 0 -Because "$($r.Output)"
            $r.Output | Should -Be $direct
            $r.Ms | Should -BeGreaterOrEqual 300
            $seen = @(Get-FaultRequest $f)
            $seen.Count | Should -BeGreaterOrEqual 2 -Because 'the CLI pings, then asks for the version'
            @($seen.Connection | Sort-Object -Unique).Count | Should -Be 1 -Because 'both go over one keep-alive connection'
            $seen | ForEach-Object { $_.Status | Should -BeLessThan 300; $_.DelayedMs | Should -Be 300 }
            $r.Ms | Should -BeGreaterOrEqual (300 * $seen.Count)
        } finally {
            Stop-FaultEngine $f
        }
        Test-Path $f.Directory | Should -BeFalse
    }

    It 'a slow engine passes a hijacked stream (run -i: stdin, stdout, exit code) through' {
        $f = Start-SlowEngine -DelayMs 50
        try {
            $r = Measure-Docker @('30', 'docker', '-H', $f.DockerHost, 'run', '--rm', '-i', '--label', "dockervm.test=$TestRun",
                $TestImage, 'sh', '-c', 'wc -l; exit 3') -InputObject @('one', 'two')
            $r.ExitCode | Should -Be 3 -Because "$($r.Output)"
            "$($r.Output)".Trim() | Should -Be '2'
            (Get-FaultRequest $f | Where-Object Target -match '/attach\?' ).Status | Should -Be 101
        } finally {
            Stop-FaultEngine $f
        }
    }

    It 'a slow engine with -HangAfter answers that many requests, then none' {
        $f = Start-SlowEngine -DelayMs 0 -HangAfter 1
        try {
            $r = Measure-Docker @('3', 'docker', '-H', $f.DockerHost, 'version', '--format', '{{.Server.Version}}')
            $r.ExitCode | Should -Be 124 -Because "$($r.Output)"
            $seen = @(Get-FaultRequest $f)
            $seen[0].Answered | Should -BeTrue
            $seen[1].Answered | Should -BeFalse
            $seen[1].Target | Should -Match '/version$'
        } finally {
            Stop-FaultEngine $f
        }
    }
}
