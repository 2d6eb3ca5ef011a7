# What PowerShell users expect, on the real engine: service images run their own command, strings
# pipe as names, one bad row is one error, -Debug never prompts, runbooks select their own VMs.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Assert-Engine
}

AfterAll {
    Remove-TestContainers
}

Describe 'Service images' -Tag 'E2E', 'Conventions' {
    BeforeAll {
        # An image whose own command serves a port, built here from the test image.
        $script:svcImage = "dockervm/svc-test:$($TestRun.ToLower())"
        $base = & docker create --label "dockervm.test=$TestRun" $TestImage sh -c 'mkdir -p /www && echo served > /www/index.html'
        & docker start -a $base | Out-Null
        & docker commit --change 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]' $base $script:svcImage | Out-Null
        & docker rm -f $base | Out-Null
    }
    AfterAll {
        & docker image rm -f $script:svcImage *> $null
    }

    It '-UseImageCommand runs the image''s own command, which serves its port' {
        $vm = New-TestVm 'svc' -Parameters @{ Image = $svcImage; UseImageCommand = $true; Start = $true }
        try {
            $vm.ContainerCommand | Should -BeNullOrEmpty
            (Get-DockerInspect $vm.Name).Config.Cmd | Should -Be @('httpd', '-f', '-p', '8080', '-h', '/www')
            Invoke-DockerVmExec -VM $vm -- wget -qO- 127.0.0.1:8080 | Should -Be 'served'
        }
        finally { Remove-DockerVm -VM $vm -Force }
    }

    It 'without it, the idle default runs instead' {
        $vm = New-TestVm 'idle' -Parameters @{ Image = $svcImage }
        try { (Get-DockerInspect $vm.Name).Config.Cmd | Should -Be @('tail', '-f', '/dev/null') }
        finally { Remove-DockerVm -VM $vm -Force }
    }
}

Describe 'Pipelines' -Tag 'E2E', 'Conventions' {
    It 'strings piped by value are names: ''a'',''b'' | Start-DockerVm, Get-Content names.txt | Remove-DockerVm' {
        $vms = 1..2 | ForEach-Object { New-TestVm 'str' }
        try {
            $vms.Name | Start-DockerVm
            $vms | ForEach-Object { Get-DockerStatus $_.Name | Should -Be 'running' }
            ($vms.Name | Get-DockerVm).State | Should -Be @('Running', 'Running')
            Set-Content (Join-Path $TestDrive 'names.txt') $vms.Name
            Get-Content (Join-Path $TestDrive 'names.txt') | Remove-DockerVm -Force
            $vms | ForEach-Object { Get-DockerStatus $_.Name | Should -Be 'absent' }
        }
        finally { $vms | ForEach-Object { & docker rm -f $_.Name *> $null } }
    }

    It 'Import-Csv | New-DockerVm with a bad middle row: one error, the other rows are created' {
        $prefix = New-TestName 'csv'
        $csv = Join-Path $TestDrive 'machines.csv'
        @"
Image,Name
$TestImage,$prefix-1
$TestImage,bad name!
$TestImage,$prefix-3
"@ | Set-Content $csv
        try {
            $made = Import-Csv $csv | New-DockerVm -Label $TestLabel -ErrorVariable err -ErrorAction SilentlyContinue
            $made.Name | Should -Be @("$prefix-1", "$prefix-3")
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DockerVmInvalidName,*'
            Get-DockerStatus "$prefix-3" | Should -Be 'created'
        }
        finally { "$prefix-1", "$prefix-3" | ForEach-Object { & docker rm -f $_ *> $null } }
    }

    It 'Get-DockerVm -Label selects a run''s own VMs, so a runbook cleans up only what it made' {
        $run = [Guid]::NewGuid().ToString('N').Substring(0, 8)
        $mine = 1..2 | ForEach-Object { New-TestVm 'lbl' -Parameters @{ Label = @{ run = $run } } }
        $other = New-TestVm 'lbl' -Parameters @{ Label = @{ run = 'someone-else' } }
        try {
            (Get-DockerVm -Label @{ run = $run }).Name | Sort-Object | Should -Be ($mine.Name | Sort-Object)
            Get-DockerVm -Label @{ run = $run } | Remove-DockerVm -Force
            $mine | ForEach-Object { Get-DockerStatus $_.Name | Should -Be 'absent' }
            Get-DockerStatus $other.Name | Should -Be 'created'
        }
        finally { ($mine + $other) | ForEach-Object { & docker rm -f $_.Name *> $null } }
    }
}

Describe 'Runbooks' -Tag 'E2E', 'Conventions' {
    It '-Debug never prompts, even under pwsh -NonInteractive, and still shows each engine command' {
        $name = New-TestName 'dbg'
        $script = "Import-Module '$ModulePath'; `$vm = New-DockerVm -Image '$TestImage' -Name '$name' -Label @{ 'dockervm.test' = '$TestRun' } -Start -Debug; `$vm | Remove-DockerVm -Force -Debug; 'finished'"
        $out = & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script 2>&1 | ForEach-Object { "$_" }
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'finished'
        ($out | Where-Object { $_ -match 'docker (create|start|rm)|api (POST|DELETE) \S*/containers' }) | Should -Not -BeNullOrEmpty   # the CLI's command or the API's request
        ($out -join "`n") | Should -Not -Match 'NonInteractive'
        Get-DockerStatus $name | Should -Be 'absent'
    }

    It 'a wildcard that reaches VMs another process created is skipped with a warning where nobody can confirm' {
        $vm = New-TestVm 'other'   # created by this process: another process sees it as someone else's
        try {
            $script = "Import-Module '$ModulePath'; Remove-DockerVm '$($vm.Name.Substring(0, $vm.Name.Length - 2))*' -WarningVariable w -WarningAction SilentlyContinue; `$w.Count"
            $out = & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script
            $out | Select-Object -Last 1 | Should -Be '1'
            Get-DockerStatus $vm.Name | Should -Be 'created'
            $script = "Import-Module '$ModulePath'; Remove-DockerVm '$($vm.Name.Substring(0, $vm.Name.Length - 2))*' -Confirm:`$false"
            & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $script
            Get-DockerStatus $vm.Name | Should -Be 'absent'
        }
        finally { & docker rm -f $vm.Name *> $null }
    }
}
