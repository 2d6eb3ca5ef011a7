# What a user sees, on the real engine: the table views never cut a VM's name or an image, at 120
# and at 80 columns (Out-String -Width; $Host.UI.RawUI's width does not apply in a non-interactive
# host); tab completion offers VM names, images and contexts.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Assert-Engine

    $suffix = [Guid]::NewGuid().ToString('N').Substring(0, 6)
    # An image reference as long as a registry's: a second tag of the test image.
    $script:LongImage = "dvt-views/integration-runner:$suffix"
    & docker tag $TestImage $LongImage
    if ($LASTEXITCODE -ne 0) { throw "docker tag $TestImage $LongImage failed" }
    # Names as long as the ones users give CI runners (eco-integration-test-runner-01 and longer).
    $script:Prefix = "eco-integration-test-runner-$suffix"
    $script:Running = New-TestVm -Parameters @{ Name = $Prefix; Start = $true }
    $script:Stopped = New-TestVm -Parameters @{ Name = "$Prefix-b"; Image = $LongImage }
    $script:Vms = @($Running, $Stopped)

    function Get-TableLine {
        # The lines of the default formatting at a given width, trailing blanks trimmed; none may exceed the width.
        param([Parameter(ValueFromPipeline)] $InputObject, [int] $Width)
        begin { $all = [Collections.Generic.List[object]]::new() }
        process { $all.Add($InputObject) }
        end {
            $text = $all | Out-String -Width $Width
            $lines = @($text -split "`r?`n" | ForEach-Object TrimEnd | Where-Object Length)
            $lines | Where-Object Length -gt $Width | Should -BeNullOrEmpty -Because "Out-String -Width $Width bounds the lines"
            $lines
        }
    }

    function Assert-Whole([string[]] $Lines, [string] $Name, [string] $Image) {
        # One row begins with the whole name, then the whole image (nothing after the image but a space or the line's end).
        $pattern = '^' + [regex]::Escape($Name) + '\s+' + [regex]::Escape($Image) + '(\s|$)'
        @($Lines -match $pattern).Count | Should -Be 1 -Because "the row of $Name shows it and $Image whole:`n$($Lines -join "`n")"
    }
}

AfterAll {
    $Vms | Remove-DockerVm -Force -ErrorAction SilentlyContinue
    & docker rmi $LongImage *> $null
}

Describe 'Table views' -Tag 'E2E', 'Views' {
    It 'Get-DockerVm shows whole names and images at <Width> columns' -ForEach @(@{ Width = 120 }, @{ Width = 80 }) {
        $lines = Get-DockerVm "$Prefix*" | Get-TableLine -Width $Width
        $lines[0] | Should -Match '^Name\s+Image\s+State'
        Assert-Whole $lines $Running.Name $TestImage
        Assert-Whole $lines $Stopped.Name $LongImage

        # Format-Table uses the same view.
        $table = Get-DockerVm "$Prefix*" | Format-Table | Get-TableLine -Width $Width
        Assert-Whole $table $Running.Name $TestImage
        Assert-Whole $table $Stopped.Name $LongImage
    }

    It 'keeps State and IPAddress whole at 120 columns' {
        $lines = Get-DockerVm "$Prefix*" | Get-TableLine -Width 120
        $lines[0] | Should -Match '^Name\s+Image\s+State\s+IPAddress$'
        $ip = [regex]::Escape((Get-DockerVm $Running.Name).IPAddress)
        @($lines -match "^$([regex]::Escape($Running.Name))\s+\S+\s+Running\s+$ip$").Count | Should -Be 1
        @($lines -match "^$([regex]::Escape($Stopped.Name))\s+\S+\s+Stopped$").Count | Should -Be 1
        $lines -join "`n" | Should -Not -Match '…'
    }

    It 'shows the VM New-DockerVm emits whole at <Width> columns' -ForEach @(@{ Width = 120 }, @{ Width = 80 }) {
        Assert-Whole ($Stopped | Get-TableLine -Width $Width) $Stopped.Name $LongImage
    }

    It 'Get-DockerVmProperties shows whole names and images at <Width> columns' -ForEach @(@{ Width = 120 }, @{ Width = 80 }) {
        $lines = Get-DockerVmProperties -Name "$Prefix*" | Get-TableLine -Width $Width
        $lines[0] | Should -Match '^Name\s+Image\s+State'
        Assert-Whole $lines $Running.Name $TestImage
        Assert-Whole $lines $Stopped.Name $LongImage
    }

    It 'Invoke-DockerVmExec -AsResult shows the whole name at <Width> columns' -ForEach @(@{ Width = 120 }, @{ Width = 80 }) {
        $lines = Invoke-DockerVmExec -VM $Running -Command echo -ArgumentList hello -AsResult | Get-TableLine -Width $Width
        $lines[0] | Should -Match '^Name\s+ExitCode\s+Duration\s+Command'
        @($lines -match "^$([regex]::Escape($Running.Name))\s+0\s+\d[\d,]* ms\s+echo hello").Count | Should -Be 1
    }
}

Describe 'Tab completion' -Tag 'E2E', 'Views' {
    BeforeAll {
        function Get-Completion([string] $Line) {
            (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches |
                Where-Object { $_.CompletionText } | ForEach-Object CompletionText
        }
    }

    It 'offers VM names, not file names, for a name at position 0' {
        Get-Completion 'Start-DockerVm ' | Should -Contain $Running.Name
        Get-Completion "Stop-DockerVm $Prefix" | Should -Be @($Running.Name, $Stopped.Name)
        Get-Completion "Remove-DockerVm -VM $Prefix-" | Should -Be $Stopped.Name
    }

    It 'offers the engine''s images for New-DockerVm -Image' {
        Get-Completion 'New-DockerVm dvt-views/' | Should -Contain $LongImage
        Get-Completion 'New-DockerVm -Image dockervm/bus' | Should -Contain $TestImage
    }

    It 'offers default among the contexts for -Context' {
        Get-Completion 'Get-DockerVm -Context ' | Should -Contain 'default'
    }
}
