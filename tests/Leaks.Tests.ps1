# Runs last (Invoke-PesterSuite.ps1 runs it after every other suite): nothing the suite labelled may remain.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Assert-Engine
}

Describe 'Leak check' -Tag 'E2E', 'Leaks' {
    It 'leaves no container carrying the run label dockervm.test=<run>' {
        $left = & docker ps -a --filter "label=dockervm.test=$script:TestRun" --format '{{.Names}}'
        $left | Should -BeNullOrEmpty -Because "every test removes what it creates (left: $($left -join ', '))"
    }

    It 'leaves no image carrying the run label (checkpoints carry their VM''s labels)' {
        $left = & docker images -a --filter "label=dockervm.test=$script:TestRun" --format '{{.Repository}}:{{.Tag}} {{.ID}}'
        $left | Should -BeNullOrEmpty -Because "every test removes the checkpoints it takes (left: $($left -join ', '))"
    }

    It 'leaves no network carrying the run label' {
        $left = & docker network ls --filter "label=dockervm.test=$script:TestRun" --format '{{.Name}}'
        $left | Should -BeNullOrEmpty -Because "every test removes the networks it makes (left: $($left -join ', '))"
    }

}
