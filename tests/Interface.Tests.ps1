# Interface consistency over every *-DockerVm* command: parameter sets, types, positions,
# pipeline binding and wildcard attributes, as docs/architecture.md and about_DockerVm describe them (ByName/ByObject sets).
BeforeDiscovery {
    $moduleRoot = $env:DOCKERVM_TEST_MODULE ? $env:DOCKERVM_TEST_MODULE : (Join-Path $PSScriptRoot '../out/DockerVm/DockerVm.psd1')
    Import-Module $moduleRoot -Force
    # Derived from the module itself, so every cmdlet added is checked without being listed here.
    $script:allCmdlets = (Get-Command -Module DockerVm -CommandType Cmdlet).Name | Sort-Object
    $script:targetCmdlets = Get-Command -Module DockerVm -CommandType Cmdlet |
        Where-Object { $_.Parameters['VM'] -and $_.Parameters['VM'].ParameterType -eq [DockerVm.DockerVmInstance[]] -and $_.ParameterSets.Name -contains 'ByName' } |
        ForEach-Object { @{ Name = $_.Name } }
    $script:mutating = Get-Command -Module DockerVm -CommandType Cmdlet | Where-Object { $_.Parameters['WhatIf'] } | ForEach-Object { @{ Name = $_.Name } }
    $script:passThru = Get-Command -Module DockerVm -CommandType Cmdlet | Where-Object { $_.Parameters['PassThru'] } | ForEach-Object { @{ Name = $_.Name } }
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    function Get-Param([string] $Command, [string] $Parameter, [string] $Set) {
        $cmd = Get-Command $Command
        $p = $cmd.Parameters[$Parameter]
        if (-not $p) { return $null }
        if ($Set) { return $p.ParameterSets[$Set] }
        return $p
    }
}

Describe 'Module surface' -Tag 'Interface' {
    It 'exports exactly the contract cmdlets' {
        $names = (Get-Command -Module DockerVm).Name | Sort-Object
        $names | Should -Be (@('Get-DockerVm', 'Get-DockerVmProperties', 'Invoke-DockerVmExec', 'New-DockerVm', 'Remove-DockerVm',
                'Resume-DockerVm', 'Start-DockerVm', 'Stop-DockerVm', 'Suspend-DockerVm', 'Wait-DockerVm',
                'Restart-DockerVm', 'Enter-DockerVm', 'Get-DockerVmLog',
                'Copy-DockerVmItem', 'Checkpoint-DockerVm', 'Get-DockerVmCheckpoint', 'Restore-DockerVmCheckpoint', 'Remove-DockerVmCheckpoint',
                'New-DockerVmPool', 'Get-DockerVmPool', 'Update-DockerVmPool', 'Remove-DockerVmPool') | Sort-Object)
        (Get-Command -Module DockerVm | Where-Object CommandType -ne 'Cmdlet') | Should -BeNullOrEmpty
    }

    It 'declares the contract enums in order' {
        [Enum]::GetNames([DockerVm.VmState]) -join ',' |
            Should -Be 'Initial,Cloning,Starting,Running,Stopping,Stopped,Suspending,Suspended,Deleting,Deleted,ErrorUnknown'
        [Enum]::GetNames([DockerVm.VmAction]) -join ',' | Should -Be 'None,Clone,Start,Stop,Suspend,Delete'
    }

    It 'has the contract properties on <_>' -ForEach @(
        @{ Type = 'DockerVm.DockerVmInstance'; Props = 'Name', 'Image', 'State', 'IPAddress', 'ContainerId', 'Context', 'Suspendable', 'ValidActions', 'StopTimeoutSec', 'ContainerCommand', 'CreatedAt' }
        @{ Type = 'DockerVm.DockerVmProperties'; Props = 'Name', 'IPAddress', 'CloneInfo', 'State' }
        @{ Type = 'DockerVm.DockerVmExecResult'; Props = 'Name', 'Command', 'Arguments', 'ExitCode', 'StandardOutput', 'StandardError', 'Duration' }
        @{ Type = 'DockerVm.CloneInfo'; Props = 'Image', 'Name' }
        @{ Type = 'DockerVm.DockerVmLogLine'; Props = 'Name', 'Stream', 'Timestamp', 'Text' }
        @{ Type = 'DockerVm.DockerVmCheckpoint'; Props = 'VMName', 'Name', 'ImageId', 'CreatedAt', 'Context' }
    ) {
        $t = $Type -as [type]
        $t | Should -Not -BeNullOrEmpty
        foreach ($p in $Props) { $t.GetProperty($p) | Should -Not -BeNullOrEmpty -Because "$Type needs $p" }
    }

    It 'types the contract properties' {
        [DockerVm.DockerVmInstance].GetProperty('State').PropertyType | Should -Be ([DockerVm.VmState])
        [DockerVm.DockerVmInstance].GetProperty('ValidActions').PropertyType | Should -Be ([DockerVm.VmAction[]])
        [DockerVm.DockerVmExecResult].GetProperty('Duration').PropertyType | Should -Be ([TimeSpan])
        [DockerVm.DockerVmProperties].GetProperty('CloneInfo').PropertyType | Should -Be ([DockerVm.CloneInfo])
        [DockerVm.DockerVmLogLine].GetProperty('Stream').PropertyType | Should -Be ([string])
        [DockerVm.DockerVmLogLine].GetProperty('Timestamp').PropertyType | Should -Be ([Nullable[datetime]])
        [DockerVm.DockerVmLogLine].GetProperty('Text').PropertyType | Should -Be ([string])
    }

    It 'formats a DockerVmLogLine as its Text' {
        [DockerVm.DockerVmLogLine]@{ Name = 'vm1'; Stream = 'stderr'; Text = 'hello' } | ForEach-Object ToString | Should -Be 'hello'
    }

    It 'has a view that never cuts the VM name for <_>' -ForEach 'DockerVm.DockerVmLogLine', 'DockerVm.DockerVmLogLine#Timestamps' {
        # Log lines stream: one line per object, docker compose style, never a table that cuts or waits for widths.
        $view = Get-FormatData -TypeName $_
        $view | Should -Not -BeNullOrEmpty
        $view.FormatViewDefinition.Control | Should -BeOfType ([System.Management.Automation.CustomControl])
        $line = [DockerVm.DockerVmLogLine]@{ Name = 'a-vm-name-long-enough-to-be-cut-in-a-table-x'; Stream = 'stdout'; Text = 'hi'; Timestamp = [datetime]::new(2024, 5, 1, 10, 0, 0, [DateTimeKind]::Utc) }
        $o = [psobject]$line
        $o.PSObject.TypeNames.Insert(0, $_)
        ($o | Out-String -Width 200) | Should -Match 'a-vm-name-long-enough-to-be-cut-in-a-table-x stdout (2024-05-01T10:00:00.0000000Z )?\| hi'
        # On a narrow screen the line wraps: every character is still there, nothing is replaced by '…'.
        $narrow = $o | Out-String -Width 30
        $narrow | Should -Not -Match '…'
        ($narrow -replace '\r?\n', '') | Should -Match 'a-vm-name-long-enough-to-be-cut-in-a-table-x stdout'
    }

    It 'formats CloneInfo as image=IMAGE name=NAME' {
        [DockerVm.CloneInfo]::new('img:1', 'vm1').ToString() | Should -Be 'image=img:1 name=vm1'
    }

    It 'has a table view for <_>' -ForEach 'DockerVm.DockerVmInstance', 'DockerVm.DockerVmProperties', 'DockerVm.DockerVmExecResult', 'DockerVm.DockerVmCheckpoint' {
        $view = Get-FormatData -TypeName $_
        $view | Should -Not -BeNullOrEmpty
        $view.FormatViewDefinition.Control | Should -BeOfType ([System.Management.Automation.TableControl])
    }
}

Describe '<Name> parameter sets' -Tag 'Interface' -ForEach $targetCmdlets {
    It 'has ByName and ByObject sets, ByObject the default' {
        $cmd = Get-Command $Name
        $cmd.ParameterSets.Name | Should -Contain 'ByName'
        $cmd.ParameterSets.Name | Should -Contain 'ByObject'
        $cmd.DefaultParameterSet | Should -Be 'ByObject' -Because 'a piped VM object binds -VM, not -Name by property'
    }

    It 'takes -Name as string[] at position 0, by property name, with wildcards' {
        $p = (Get-Command $Name).Parameters['Name']
        $p.ParameterType | Should -Be ([string[]])
        $p.ParameterSets['ByName'].Position | Should -Be 0
        $p.ParameterSets['ByName'].ValueFromPipelineByPropertyName | Should -BeTrue
        $p.Attributes.Where({ $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }) | Should -Not -BeNullOrEmpty
        $p.Attributes.Where({ $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }) | Should -Not -BeNullOrEmpty
    }

    It 'takes -Context as string in ByName only' {
        $p = (Get-Command $Name).Parameters['Context']
        $p.ParameterType | Should -Be ([string])
        $p.ParameterSets.Keys | Should -Be @('ByName')
    }

    It 'takes -VM as DockerVmInstance[] at position 0 from the pipeline' {
        $p = (Get-Command $Name).Parameters['VM']
        $p.ParameterType | Should -Be ([DockerVm.DockerVmInstance[]])
        $p.ParameterSets['ByObject'].Position | Should -Be 0
        $p.ParameterSets['ByObject'].ValueFromPipeline | Should -BeTrue
        $p.ParameterSets['ByObject'].IsMandatory | Should -BeTrue
    }

    It 'declares an OutputType' {
        (Get-Command $Name).OutputType | Should -Not -BeNullOrEmpty
    }
}

Describe '<Name> supports -WhatIf and -Confirm' -Tag 'Interface' -ForEach $mutating {
    It 'has WhatIf and Confirm' {
        (Get-Command $Name).Parameters.Keys | Should -Contain 'WhatIf'
        (Get-Command $Name).Parameters.Keys | Should -Contain 'Confirm'
    }
}

Describe '<Name> has -PassThru' -Tag 'Interface' -ForEach $passThru {
    It 'is a switch' {
        (Get-Command $Name).Parameters['PassThru'].ParameterType | Should -Be ([switch])
    }
}

Describe 'Cmdlet-specific parameters' -Tag 'Interface' {
    It 'New-DockerVm: <P> is <T>' -ForEach @(
        @{ P = 'Image'; T = [string] }, @{ P = 'Name'; T = [string] }, @{ P = 'CreateArgument'; T = [string[]] },
        @{ P = 'ContainerCommand'; T = [string[]] }, @{ P = 'Environment'; T = [hashtable] }, @{ P = 'Label'; T = [hashtable] },
        @{ P = 'StopTimeoutSec'; T = [int] }, @{ P = 'PollingIntervalMs'; T = [int] }, @{ P = 'Start'; T = [switch] }, @{ P = 'Context'; T = [string] }
    ) {
        (Get-Command New-DockerVm).Parameters[$P].ParameterType | Should -Be $T
    }

    It 'New-DockerVm: -Image is mandatory at position 0, -Name at position 1' {
        $c = Get-Command New-DockerVm
        $c.Parameters['Image'].Attributes.Where({ $_ -is [Parameter] }).Mandatory | Should -Contain $true
        $c.Parameters['Image'].Attributes.Where({ $_ -is [Parameter] }).Position | Should -Contain 0
        $c.Parameters['Name'].Attributes.Where({ $_ -is [Parameter] }).Position | Should -Contain 1
    }

    It 'Invoke-DockerVmExec: -Command mandatory at 1, -ArgumentList at 2 taking the remaining arguments' {
        $c = Get-Command Invoke-DockerVmExec
        foreach ($set in 'ByName', 'ByObject') {
            $command = $c.ParameterSets.Where({ $_.Name -eq $set }).Parameters.Where({ $_.Name -eq 'Command' })
            $command.Position | Should -Be 1
            $command.IsMandatory | Should -BeTrue
            $arguments = $c.ParameterSets.Where({ $_.Name -eq $set }).Parameters.Where({ $_.Name -eq 'ArgumentList' })
            $arguments.Position | Should -Be 2
            $arguments.ValueFromRemainingArguments | Should -BeTrue
        }
        $c.Parameters['ArgumentList'].ParameterType | Should -Be ([string[]])
        $c.Parameters['Environment'].ParameterType | Should -Be ([hashtable])
        $c.Parameters['WorkingDirectory'].ParameterType | Should -Be ([string])
        $c.Parameters['User'].ParameterType | Should -Be ([string])
        $c.Parameters['StandardInput'].ParameterType | Should -Be ([string])
        $c.Parameters['TimeoutSec'].ParameterType | Should -Be ([int])
        $c.Parameters['AsResult'].ParameterType | Should -Be ([switch])
    }

    It 'Get-DockerVm: -Name optional string[] at 0 with wildcards, -State VmState[], -Context string[]' {
        $c = Get-Command Get-DockerVm
        $c.Parameters['Name'].ParameterType | Should -Be ([string[]])
        $c.Parameters['Name'].Attributes.Where({ $_ -is [Parameter] }).Position | Should -Contain 0
        $c.Parameters['Name'].Attributes.Where({ $_ -is [Parameter] }).Mandatory | Should -Not -Contain $true
        $c.Parameters['Name'].Attributes.Where({ $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }) | Should -Not -BeNullOrEmpty
        $c.Parameters['State'].ParameterType | Should -Be ([DockerVm.VmState[]])
        $c.Parameters['Context'].ParameterType | Should -Be ([string[]])
    }

    It 'Stop-DockerVm has -TimeoutSec and -Force; Remove-DockerVm has -Force; Start-DockerVm and Wait-DockerVm have -TimeoutSec' {
        (Get-Command Stop-DockerVm).Parameters['TimeoutSec'].ParameterType | Should -Be ([int])
        (Get-Command Stop-DockerVm).Parameters['Force'].ParameterType | Should -Be ([switch])
        (Get-Command Remove-DockerVm).Parameters['Force'].ParameterType | Should -Be ([switch])
        (Get-Command Start-DockerVm).Parameters['TimeoutSec'].ParameterType | Should -Be ([int])
        (Get-Command Wait-DockerVm).Parameters['TimeoutSec'].ParameterType | Should -Be ([int])
        (Get-Command Wait-DockerVm).Parameters['State'].ParameterType | Should -Be ([DockerVm.VmState])
    }

    It 'Wait-DockerVm: -ForLog string, -ForPort int, -Healthy switch, combinable with -State in every set' {
        $c = Get-Command Wait-DockerVm
        $c.Parameters['ForLog'].ParameterType | Should -Be ([string])
        $c.Parameters['ForPort'].ParameterType | Should -Be ([int])
        $c.Parameters['Healthy'].ParameterType | Should -Be ([switch])
        foreach ($p in 'State', 'ForLog', 'ForPort', 'Healthy', 'TimeoutSec') {
            $c.Parameters[$p].ParameterSets.Keys | Should -Be '__AllParameterSets' -Because "-$p combines with the others"
        }
    }

    It 'Get-DockerVmLog: -Tail int, -Since DateTime, -Follow and -Timestamps switches' {
        $c = Get-Command Get-DockerVmLog
        $c.Parameters['Tail'].ParameterType | Should -Be ([int])
        $c.Parameters['Since'].ParameterType | Should -Be ([datetime])
        $c.Parameters['Follow'].ParameterType | Should -Be ([switch])
        $c.Parameters['Timestamps'].ParameterType | Should -Be ([switch])
        $c.OutputType.Type | Should -Contain ([DockerVm.DockerVmLogLine])
    }
}

Describe 'Machine toolkit parameters: copy and checkpoints' -Tag 'Interface' {
    It 'Copy-DockerVmItem: -Path string[] at 0 from the pipeline, -Destination at 1, -ToVM or -FromVM (a VM or its name), -Context, -PassThru' {
        $c = Get-Command Copy-DockerVmItem
        $c.ParameterSets.Name | Sort-Object | Should -Be @('FromVM', 'ToVM')
        $c.Parameters['Path'].ParameterType | Should -Be ([string[]])
        $c.Parameters['Path'].Attributes.Where({ $_ -is [Parameter] }).Position | Should -Contain 0
        $c.Parameters['Path'].Attributes.Where({ $_ -is [Parameter] }).ValueFromPipeline | Should -Contain $true
        $c.Parameters['Destination'].ParameterType | Should -Be ([string])
        $c.Parameters['Destination'].Attributes.Where({ $_ -is [Parameter] }).Position | Should -Contain 1
        foreach ($p in 'ToVM', 'FromVM') {
            $c.Parameters[$p].ParameterType | Should -Be ([DockerVm.DockerVmInstance])
            $c.Parameters[$p].ParameterSets.Keys | Should -Be @($p)
            $c.Parameters[$p].Attributes.Where({ $_ -is [System.Management.Automation.ArgumentTransformationAttribute] }) | Should -Not -BeNullOrEmpty
        }
        $c.Parameters['Context'].ParameterType | Should -Be ([string])
        $c.Parameters['PassThru'].ParameterType | Should -Be ([switch])
    }

    It 'Checkpoint-DockerVm: -CheckpointName string at 1' {
        $p = (Get-Command Checkpoint-DockerVm).Parameters['CheckpointName']
        $p.ParameterType | Should -Be ([string])
        $p.Attributes.Where({ $_ -is [Parameter] }).Position | Should -Contain 1
    }

    It 'Get-DockerVmCheckpoint: -VMName and -Name string[] at 0 and 1 with wildcards and completion, -Context' {
        $c = Get-Command Get-DockerVmCheckpoint
        foreach ($p in @(@{ N = 'VMName'; P = 0 }, @{ N = 'Name'; P = 1 })) {
            $c.Parameters[$p.N].ParameterType | Should -Be ([string[]])
            $c.Parameters[$p.N].Attributes.Where({ $_ -is [Parameter] }).Position | Should -Contain $p.P
            $c.Parameters[$p.N].Attributes.Where({ $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }) | Should -Not -BeNullOrEmpty
            $c.Parameters[$p.N].Attributes.Where({ $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }) | Should -Not -BeNullOrEmpty
        }
        $c.Parameters['Context'] | Should -Not -BeNullOrEmpty
    }

    It '<_>: -Checkpoint from the pipeline, or -VMName and -Name (completed)' -ForEach 'Restore-DockerVmCheckpoint', 'Remove-DockerVmCheckpoint' {
        $c = Get-Command $_
        $c.ParameterSets.Name | Sort-Object | Should -Be @('ByCheckpoint', 'ByName')
        $c.DefaultParameterSet | Should -Be 'ByCheckpoint'
        $c.Parameters['Checkpoint'].ParameterType.GetElementType() ?? $c.Parameters['Checkpoint'].ParameterType | Should -Be ([DockerVm.DockerVmCheckpoint])
        $c.Parameters['Checkpoint'].ParameterSets['ByCheckpoint'].ValueFromPipeline | Should -BeTrue
        $c.Parameters['VMName'].ParameterSets['ByName'].IsMandatory | Should -BeTrue
        $c.Parameters['Name'].ParameterSets['ByName'].IsMandatory | Should -BeTrue
        $c.Parameters['Name'].Attributes.Where({ $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }) | Should -Not -BeNullOrEmpty
    }

    It 'Restore-DockerVmCheckpoint has -Start and -PassThru; New-DockerVm -Checkpoint is a set of its own' {
        (Get-Command Restore-DockerVmCheckpoint).Parameters['Start'].ParameterType | Should -Be ([switch])
        $p = (Get-Command New-DockerVm).Parameters['Checkpoint']
        $p.ParameterType | Should -Be ([DockerVm.DockerVmCheckpoint])
        $p.ParameterSets.Keys | Should -Be @('FromCheckpoint')
        (Get-Command New-DockerVm).Parameters['Image'].ParameterSets.Keys | Should -Not -Contain 'FromCheckpoint'
    }
}

Describe 'Help' -Tag 'Interface', 'Help' {
    It '<_> has a synopsis and at least two examples' -ForEach $allCmdlets {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\S+-DockerVm\w*\s+\['  # not the auto-generated syntax line
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        foreach ($p in (Get-Command $_).Parameters.Values | Where-Object { $_.Name -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_.Name -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters }) {
            ($help.parameters.parameter | Where-Object name -eq $p.Name).description | Should -Not -BeNullOrEmpty -Because "-$($p.Name) of $_ needs help"
        }
    }

    It 'about_DockerVm prints the state table from the Core' {
        $about = Get-Help about_DockerVm | Out-String
        $about | Should -Match 'Suspended\s+Start -> Starting, Suspend -> Suspended, Delete -> Deleting'
        $about | Should -Match 'ErrorUnknown\s+Delete -> Deleting'
        $about | Should -Not -Match '\{\{STATE_TABLE\}\}'
        $about | Should -Match 'DockerEngineUnavailable'
    }
}

Describe 'Help matches the code' -Tag 'Interface', 'Help' {
    # The markdown sources under module/help carry each parameter's metadata; they must not drift from the cmdlets.
    It '<_> documents each parameter as the code declares it' -ForEach $allCmdlets {
        $c = Get-Command $_
        $h = Get-Help $_
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $documented = @{}
        foreach ($p in @($h.parameters.parameter)) { $documented[$p.name] = $p }
        $problems = foreach ($name in $c.Parameters.Keys | Where-Object { $_ -notin $common -or $_ -in 'WhatIf', 'Confirm' }) {
            $md = $c.Parameters[$name]
            $hp = $documented[$name]
            if (-not $hp) { "-$name is not documented"; continue }
            $documented.Remove($name)
            $attrs = $md.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
            $required = [bool]($attrs | Where-Object Mandatory)
            $position = @($attrs | ForEach-Object Position | Where-Object { $_ -ge 0 } | Select-Object -Unique)
            $positionText = $position.Count ? "$($position[0])" : 'named'
            $byValue = [bool]($attrs | Where-Object ValueFromPipeline)
            $byProperty = [bool]($attrs | Where-Object ValueFromPipelineByPropertyName)
            $pipeline = if ($byValue -and $byProperty) { 'True (ByValue, ByPropertyName)' } elseif ($byValue) { 'True (ByValue)' } elseif ($byProperty) { 'True (ByPropertyName)' } else { 'False' }
            $globbing = [bool]($md.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            $type = $md.ParameterType.IsGenericType ? $md.ParameterType.GetGenericArguments()[0].Name : $md.ParameterType.Name
            if ("$($hp.required)" -ne "$required".ToLower()) { "-$name required: help $($hp.required), code $required" }
            if ("$($hp.position)" -ne $positionText) { "-$name position: help $($hp.position), code $positionText" }
            if ("$($hp.pipelineInput)" -ne $pipeline) { "-$name pipeline: help $($hp.pipelineInput), code $pipeline" }
            if ("$($hp.globbing)" -ne "$globbing".ToLower()) { "-$name wildcards: help $($hp.globbing), code $globbing" }
            if ($hp.type.name -ne $type) { "-$name type: help $($hp.type.name), code $type" }
        }
        $problems += $documented.Keys | ForEach-Object { "-$_ is documented but does not exist" }
        $problems | Should -BeNullOrEmpty
        @($h.syntax.syntaxItem).Count | Should -Be $c.ParameterSets.Count
    }
}

Describe 'Online help' -Tag 'Interface', 'Help' {
    It '<Name> has a HelpUri (Get-Help -Online)' -ForEach @(Get-Command -Module DockerVm | ForEach-Object { @{ Name = $_.Name } }) {
        (Get-Command $Name).HelpUri | Should -Be "https://github.com/dockervm/DockerVm/blob/main/module/help/$Name.md"
    }

    It 'the manifest has a well-formed HelpInfoURI (Update-Help)' {
        $uri = (Get-Module DockerVm).HelpInfoUri
        $uri | Should -Match '^https://.+/$'
        [Uri]::IsWellFormedUriString($uri, [UriKind]::Absolute) | Should -BeTrue
    }

    It 'Get-Help -Online finds the address: without a browser it fails for that reason alone' {
        # No PATH: no xdg-open, so no browser opens during the test.
        $path = $env:PATH
        try {
            $env:PATH = ''
            $err = $null
            try { Get-Help Start-DockerVm -Online -ErrorAction Stop } catch { $err = $_ }
        }
        finally { $env:PATH = $path }
        if ($err) { $err.Exception.Message | Should -Match ([regex]::Escape('https://github.com/dockervm/DockerVm/blob/main/module/help/Start-DockerVm.md')) }
    }

    It 'Update-Help -Module DockerVm fails gracefully where the project cannot be reached' {
        # Non-terminating: a runbook that updates help for every module goes on.
        Update-Help -Module DockerVm -UICulture en-US -Force -ErrorAction SilentlyContinue -ErrorVariable errors
        # Whatever went wrong (no network here), it was not a missing or malformed HelpInfoURI.
        $errors | ForEach-Object FullyQualifiedErrorId | Should -Not -Match 'HelpInfoUri'
        $errors | ForEach-Object { "$_" } | Should -Not -Match 'does not support updatable help'
    }
}
