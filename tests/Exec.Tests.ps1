# Invoke-DockerVmExec on the real engine: streaming, exact text, exit codes, options, verbatim arguments.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Assert-Engine
    $script:vm = New-TestVm 'exec' -Parameters @{ Start = $true }
}

AfterAll {
    if ($script:vm) { $script:vm | Remove-DockerVm -Force -ErrorAction Continue }
}

Describe 'Invoke-DockerVmExec' -Tag 'E2E', 'Exec' {
    It 'streams stdout lines to the pipeline as strings and sets $LASTEXITCODE to 0' {
        $global:LASTEXITCODE = 99
        $out = Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'echo one; echo two'
        $out | Should -Be @('one', 'two')
        $out[0] | Should -BeOfType ([string])
        $LASTEXITCODE | Should -Be 0
    }

    It 'emits lines while the command runs, not at its end' {
        $stamps = Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'echo first; sleep 2; echo second' |
            ForEach-Object { [DateTime]::UtcNow }
        ($stamps[1] - $stamps[0]).TotalSeconds | Should -BeGreaterThan 1.5
    }

    It 'sends stderr to the information stream tagged stderr, not to the error stream' {
        $err = $null
        $out = Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'echo out; echo progress >&2' -ErrorVariable err -InformationVariable info -ErrorAction Stop
        $out | Should -Be 'out'
        $err | Should -BeNullOrEmpty
        $info | Should -HaveCount 1
        "$($info[0].MessageData)" | Should -Be 'progress'
        $info[0].Tags | Should -Contain 'stderr'
    }

    It 'writes one DockerVmExecFailed error with the exit code for a non-zero exit, and sets $LASTEXITCODE' {
        $err = $null
        $out = Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'echo partial; echo boom >&2; exit 3' -ErrorAction SilentlyContinue -ErrorVariable err 6>$null
        $out | Should -Be 'partial'
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmExecFailed,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidResult'
        $err[0].Exception.ExitCode | Should -Be 3
        $err[0].Exception.Message | Should -Match 'boom'
        $err[0].TargetObject | Should -Be $vm
        $LASTEXITCODE | Should -Be 3
        { Invoke-DockerVmExec -VM $vm -Command false -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmExecFailed,*'
    }

    It '-AsResult emits one result with exact text and no error for a non-zero exit' {
        $err = $null
        $r = Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'printf "a\n\nb  \n"; printf "e1\ne2" >&2; exit 5' -AsResult -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $r | Should -BeOfType ([DockerVm.DockerVmExecResult])
        $r.Name | Should -Be $vm.Name
        $r.Command | Should -Be 'sh'
        $r.Arguments | Should -Be @('-c', 'printf "a\n\nb  \n"; printf "e1\ne2" >&2; exit 5')
        $r.ExitCode | Should -Be 5
        $r.StandardOutput | Should -BeExactly "a`n`nb  `n"
        $r.StandardError | Should -BeExactly "e1`ne2"
        $r.Duration | Should -BeOfType ([TimeSpan])
        $r.Duration | Should -BeGreaterThan ([TimeSpan]::Zero)
        $LASTEXITCODE | Should -Be 5
    }

    It 'passes arguments verbatim: <Label>' -ForEach @(
        @{ Label = 'quotes'; Value = 'say "hi" and ''bye''' }
        @{ Label = 'dollar and semicolon'; Value = '$HOME; echo injected' }
        @{ Label = 'newline'; Value = "line1`nline2" }
        @{ Label = 'non-ASCII'; Value = 'héllo wörld ✓ 日本' }
        @{ Label = 'glob and backslash'; Value = '* \t ? [a]' }
        @{ Label = 'leading dash'; Value = '-n' }
    ) {
        $r = Invoke-DockerVmExec -VM $vm -Command printf -ArgumentList '%s', $Value -AsResult
        $r.ExitCode | Should -Be 0
        $r.StandardOutput | Should -BeExactly $Value
    }

    It 'passes an empty argument as an argument' {
        # $0 = x, $1 = '', $2 = y
        $r = Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'echo $#:$1:$2', 'x', '', 'y' -AsResult
        $r.StandardOutput | Should -BeExactly "2::y`n"
    }

    It 'takes remaining arguments after -- positionally' {
        $out = Invoke-DockerVmExec $vm.Name -- sh -c 'echo $0-$1' zero one
        $out | Should -Be 'zero-one'
    }

    It 'sets -Environment, -WorkingDirectory and -User' {
        $r = Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'echo "$FOO|$BAR|$(pwd)|$(id -u)"' `
            -Environment @{ FOO = 'foo value'; BAR = 'x=y' } -WorkingDirectory /tmp -User 65534 -AsResult
        $r.StandardOutput | Should -BeExactly "foo value|x=y|/tmp|65534`n"
    }

    It 'passes variables a shell cannot name (spring.profiles.active) to the command, from the VM and from -Environment' {
        $java = New-TestVm 'execenv' -Parameters @{ Start = $true; Environment = @{ 'spring.profiles.active' = 'dev'; '1X' = 'one' } }
        try {
            $seen = Invoke-DockerVmExec -VM $java -Command env -Environment @{ 'app.mode' = 'test' }
            $seen | Should -Contain 'spring.profiles.active=dev'
            $seen | Should -Contain '1X=one'
            $seen | Should -Contain 'app.mode=test'
            # and in a VM whose own variables are plain names, through -Environment alone
            Invoke-DockerVmExec -VM $vm -Command env -Environment @{ 'a.b' = '1' } | Should -Contain 'a.b=1'
        }
        finally { $java | Remove-DockerVm -Force }
    }

    It 'feeds -StandardInput to the process' {
        $text = "line one`nline two ünïcode`n"
        $r = Invoke-DockerVmExec -VM $vm -Command cat -StandardInput $text -AsResult
        $r.StandardOutput | Should -BeExactly $text
        (Invoke-DockerVmExec -VM $vm -Command wc -ArgumentList '-l' -StandardInput "a`nb`nc`n").Trim() | Should -Be '3'
    }

    It 'keeps 20 000 lines of output intact' {
        $lines = Invoke-DockerVmExec -VM $vm -Command seq -ArgumentList '1', '20000'
        $lines | Should -HaveCount 20000
        $lines[0] | Should -Be '1'
        $lines[-1] | Should -Be '20000'
        ($lines -join ',') | Should -Be ((1..20000) -join ',')
        $r = Invoke-DockerVmExec -VM $vm -Command seq -ArgumentList '1', '20000' -AsResult
        $r.StandardOutput | Should -BeExactly (((1..20000) -join "`n") + "`n")
    }

    It 'kills a command that runs past -TimeoutSec with DockerVmTimeout, leaving nothing running' {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        { Invoke-DockerVmExec -VM $vm -Command sleep -ArgumentList '30' -TimeoutSec 1 -ErrorAction Stop } | Should -Throw -ErrorId 'DockerVmTimeout,*'
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 15
        $procs = Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'ps -o args | grep "^sleep 30" | grep -v grep || true'
        $procs | Should -BeNullOrEmpty
        $vm.State | Should -Be 'Running'
    }

    It 'ends the exec, in the container too, when the pipeline stops early (Select-Object -First)' {
        $first = Invoke-DockerVmExec -VM $vm -Command yes -ArgumentList 'dockervm-first' | Select-Object -First 2
        $first | Should -Be @('dockervm-first', 'dockervm-first')
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        do {
            $left = Invoke-DockerVmExec -VM $vm -Command sh -ArgumentList '-c', 'ps -o args | grep "^yes dockervm-first" || true'
            if (-not $left) { break }
            Start-Sleep -Milliseconds 200
        } while ([DateTime]::UtcNow -lt $deadline)
        $left | Should -BeNullOrEmpty
    }

    It 'lets break from downstream end the loop without an error' {
        $before = $Error.Count
        $count = 0
        foreach ($i in 1..3) {
            $count++
            Invoke-DockerVmExec -VM $vm -Command yes -ArgumentList 'dockervm-break' | ForEach-Object { break }
        }
        $count | Should -Be 1
        $Error.Count | Should -Be $before
    }

    It 'reports a command that does not exist as exit code 126 or 127 with docker''s message' {
        $r = Invoke-DockerVmExec -VM $vm -Command no-such-program -AsResult
        $r.ExitCode | Should -BeIn 126, 127
        $r.StandardError | Should -Match 'no-such-program'
        $r.StandardOutput | Should -BeExactly ''
        $err = $null
        $out = Invoke-DockerVmExec -VM $vm -Command no-such-program -ErrorAction SilentlyContinue -ErrorVariable err -InformationVariable info
        $out | Should -BeNullOrEmpty
        "$($info.MessageData)" | Should -Match 'no-such-program'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmExecFailed,*'
    }

    It 'works by name and with a wildcard' {
        Invoke-DockerVmExec -Name $vm.Name -Command echo -ArgumentList byname | Should -Be 'byname'
        Invoke-DockerVmExec -Name ($vm.Name.Substring(0, $vm.Name.Length - 3) + '*') -Command echo -ArgumentList wild | Should -Be 'wild'
    }
}

Describe 'Invoke-DockerVmExec on a VM that is not running' -Tag 'E2E', 'Exec' {
    It 'is DockerVmNotRunning for a <State> VM' -ForEach @(@{ State = 'Stopped' }, @{ State = 'Suspended' }) {
        $v = New-TestVm 'notrun' -Parameters @{ Start = ($State -eq 'Suspended') }
        try {
            if ($State -eq 'Suspended') { $v | Suspend-DockerVm }
            $err = $null
            Invoke-DockerVmExec -VM $v -Command echo -ArgumentList x -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmNotRunning,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $v.State | Should -Be $State
        }
        finally { $v | Remove-DockerVm -Force }
    }
}

Describe '-Verbose leaves out DockerVm''s own bookkeeping' -Tag 'E2E', 'Exec' {
    It 'New-DockerVm and Invoke-DockerVmExec -Verbose name neither DOCKERVM_EXEC_ID nor the dockervm.* labels (-WhatIf still does: WhatIfTests)' {
        $name = New-TestName 'quiet'
        $v = $null
        try {
            $made = New-TestVm -Parameters @{ Name = $name; Start = $true; Label = @{ team = 'blue' }; Verbose = $true } 4>&1
            $v = $made | Where-Object { $_ -is [DockerVm.DockerVmInstance] }
            $exec = Invoke-DockerVmExec -VM $v -Command sh -ArgumentList '-c', 'echo out; exit 4' -Verbose -ErrorAction SilentlyContinue -ErrorVariable err 4>&1
            $verbose = @($made) + @($exec) + @($err) | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -or $_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { "$_" }
            $verbose.Count | Should -BeGreaterThan 3
            $verbose -join "`n" | Should -Not -Match 'DOCKERVM_EXEC_ID|dockervm\.managed|dockervm\.create-token'
            ($verbose -match 'team=blue') | Should -Not -BeNullOrEmpty
            $err | Should -HaveCount 1
            # the exec ran with its marker and the VM carries its labels all the same
            (Get-DockerInspect $name).Config.Labels.'dockervm.managed' | Should -Be 'true'
        }
        finally { if ($v) { $v | Remove-DockerVm -Force } }
    }
}
