# Runs last (Invoke-PesterSuite.ps1 runs it after every other suite): nothing the suite labelled may remain.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    . $PSScriptRoot/SecondEngine.ps1
    Assert-Engine
}

Describe 'Leak check' -Tag 'E2E', 'Leaks' {
    It 'leaves no container carrying the run label dockervm.test=<run>' {
        $left = & docker ps -a --filter "label=dockervm.test=$script:TestRun" --format '{{.Names}}'
        $left | Should -BeNullOrEmpty -Because "every test removes what it creates (left: $($left -join ', '))"
    }

    It 'leaves nothing labelled on the second engine of the fault tests either' {
        if (Test-E2Engine) {
            $left = Invoke-E2Docker ps -a --filter "label=dockervm.test=$script:TestRun" --format '{{.Names}}'
            $left | Should -BeNullOrEmpty -Because "left: $($left -join ', ')"
        }
        else {
            Test-Path $E2Root | Should -BeFalse -Because 'a second engine that ran must still answer to be checked'
        }
    }
}
