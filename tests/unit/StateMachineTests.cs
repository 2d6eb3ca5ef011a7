using Xunit;

namespace DockerVm.Tests;

/// <summary>
/// The transition table (about_DockerVm; cloudeng.io/vms), written out here by hand. Nothing below is computed
/// from StateMachine, so a change to the table in the code shows up as a failure.
/// </summary>
public class StateMachineTests
{
    // The table, row by row: state -> allowed actions -> next state. (waiting) is VmAction.None.
    // Every (state, action) pair not listed is refused.
    private static readonly Dictionary<(VmState, VmAction), VmState> Allowed = new()
    {
        [(VmState.Initial, VmAction.Clone)] = VmState.Cloning,
        [(VmState.Initial, VmAction.Delete)] = VmState.Deleting,

        [(VmState.Cloning, VmAction.None)] = VmState.Cloning,

        [(VmState.Starting, VmAction.None)] = VmState.Starting,

        [(VmState.Running, VmAction.Stop)] = VmState.Stopping,
        [(VmState.Running, VmAction.Suspend)] = VmState.Suspending,

        [(VmState.Stopping, VmAction.None)] = VmState.Stopping,

        [(VmState.Stopped, VmAction.Start)] = VmState.Starting,
        [(VmState.Stopped, VmAction.Stop)] = VmState.Stopped,
        [(VmState.Stopped, VmAction.Delete)] = VmState.Deleting,

        [(VmState.Suspending, VmAction.None)] = VmState.Suspending,

        [(VmState.Suspended, VmAction.Start)] = VmState.Starting,
        [(VmState.Suspended, VmAction.Suspend)] = VmState.Suspended,
        [(VmState.Suspended, VmAction.Delete)] = VmState.Deleting,

        [(VmState.Deleting, VmAction.None)] = VmState.Deleting,

        [(VmState.Deleted, VmAction.Clone)] = VmState.Cloning,

        [(VmState.ErrorUnknown, VmAction.Delete)] = VmState.Deleting,
    };

    // The actions a user can take in each state (the (waiting) of a transient state is none).
    private static readonly Dictionary<VmState, VmAction[]> ValidActionsByState = new()
    {
        [VmState.Initial] = new[] { VmAction.Clone, VmAction.Delete },
        [VmState.Cloning] = Array.Empty<VmAction>(),
        [VmState.Starting] = Array.Empty<VmAction>(),
        [VmState.Running] = new[] { VmAction.Stop, VmAction.Suspend },
        [VmState.Stopping] = Array.Empty<VmAction>(),
        [VmState.Stopped] = new[] { VmAction.Start, VmAction.Stop, VmAction.Delete },
        [VmState.Suspending] = Array.Empty<VmAction>(),
        [VmState.Suspended] = new[] { VmAction.Start, VmAction.Suspend, VmAction.Delete },
        [VmState.Deleting] = Array.Empty<VmAction>(),
        [VmState.Deleted] = new[] { VmAction.Clone },
        [VmState.ErrorUnknown] = new[] { VmAction.Delete },
    };

    public static IEnumerable<object[]> EveryPair() =>
        from state in Enum.GetValues<VmState>()
        from action in Enum.GetValues<VmAction>()
        select new object[] { state, action };

    public static IEnumerable<object[]> EveryState() => Enum.GetValues<VmState>().Select(s => new object[] { s });

    [Fact]
    public void The_pairs_cover_11_states_by_6_actions()
    {
        Assert.Equal(66, EveryPair().Count());
        Assert.Equal(11, ValidActionsByState.Count);
    }

    [Fact]
    public void States_are_in_contract_order()
    {
        var expected = new[]
        {
            "Initial", "Cloning", "Starting", "Running", "Stopping", "Stopped",
            "Suspending", "Suspended", "Deleting", "Deleted", "ErrorUnknown",
        };
        Assert.Equal(expected, Enum.GetNames<VmState>());
        Assert.Equal(expected, StateMachine.States.Select(s => s.ToString()));
    }

    [Fact]
    public void Actions_are_in_contract_order()
    {
        var expected = new[] { "None", "Clone", "Start", "Stop", "Suspend", "Delete" };
        Assert.Equal(expected, Enum.GetNames<VmAction>());
        Assert.Equal(expected, StateMachine.Actions.Select(a => a.ToString()));
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Transition_table(VmState state, VmAction action)
    {
        var allowed = Allowed.TryGetValue((state, action), out var expectedNext);

        Assert.Equal(allowed, StateMachine.Allowed(state, action));
        Assert.Equal(allowed, StateMachine.TryTransition(state, action, out var next));
        if (allowed)
        {
            Assert.Equal(expectedNext, next);
            Assert.Equal(expectedNext, StateMachine.Transition(state, action, "vm1"));
        }
        else
        {
            Assert.Equal(state, next); // a refusal does not move the state
            var e = Assert.Throws<DockerVmException>(() => StateMachine.Transition(state, action, "vm1"));
            Assert.Equal(DockerVmErrorKind.InvalidTransition, e.Kind);
            Assert.Equal("DockerVmInvalidTransition", e.ErrorId);
            Assert.Equal(state, e.State);
            Assert.Equal(action, e.Action);
            Assert.Equal("vm1", e.VmName);
        }
    }

    [Theory]
    [MemberData(nameof(EveryState))]
    public void Valid_actions_per_state(VmState state)
    {
        Assert.Equal(ValidActionsByState[state], StateMachine.ValidActions(state));
    }

    [Theory]
    [InlineData(VmAction.Clone, VmState.Stopped)]
    [InlineData(VmAction.Start, VmState.Running)]
    [InlineData(VmAction.Stop, VmState.Stopped)]
    [InlineData(VmAction.Suspend, VmState.Suspended)]
    [InlineData(VmAction.Delete, VmState.Deleted)]
    public void Success_state_per_action(VmAction action, VmState expected)
    {
        Assert.Equal(expected, StateMachine.SuccessState(action));
    }

    [Fact]
    public void None_has_no_success_state()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StateMachine.SuccessState(VmAction.None));
    }

    // "Successful operations": the states each action starts from.
    [Theory]
    [InlineData(VmAction.Clone, new[] { VmState.Initial, VmState.Deleted })]
    [InlineData(VmAction.Start, new[] { VmState.Stopped, VmState.Suspended })]
    [InlineData(VmAction.Stop, new[] { VmState.Running, VmState.Stopped })]
    [InlineData(VmAction.Suspend, new[] { VmState.Running, VmState.Suspended })]
    [InlineData(VmAction.Delete, new[] { VmState.Initial, VmState.Stopped, VmState.Suspended, VmState.ErrorUnknown })]
    public void Successful_operations_start_from(VmAction action, VmState[] from)
    {
        Assert.Equal(from, Enum.GetValues<VmState>().Where(s => StateMachine.Allowed(s, action)));
    }

    [Fact]
    public void Refusal_names_action_state_and_valid_actions()
    {
        var e = Assert.Throws<DockerVmException>(() => StateMachine.Transition(VmState.Stopped, VmAction.Suspend, "web1"));

        Assert.Equal("DockerVmInvalidTransition", e.ErrorId);
        Assert.Contains("Suspend", e.Message);
        Assert.Contains("Stopped", e.Message);
        Assert.Contains("web1", e.Message);
        Assert.Contains("Start, Stop, Delete", e.Message);
        Assert.False(string.IsNullOrEmpty(e.RecommendedAction));
    }

    [Fact]
    public void Refusal_in_a_transient_state_says_there_is_nothing_to_do_but_wait()
    {
        var e = Failures.InvalidTransition(VmState.Starting, VmAction.Stop, "web1");

        Assert.Equal("DockerVmInvalidTransition", e.ErrorId);
        Assert.Contains("Stop", e.Message);
        Assert.Contains("Starting", e.Message);
        Assert.Contains("none", e.Message);
        Assert.Contains("Wait", e.RecommendedAction);
    }

    [Fact]
    public void Refusal_uses_the_action_label_when_given()
    {
        var e = Failures.InvalidTransition(VmState.Stopped, VmAction.Start, "web1", "resume");
        Assert.StartsWith("Cannot resume VM 'web1'", e.Message);
        Assert.Contains("Start", e.Message);
    }

    [Fact]
    public void Printed_table_has_one_row_per_state_and_the_successful_operations()
    {
        var text = StateMachine.Print();
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        Assert.Contains(lines, l => l.StartsWith("Initial") && l.Contains("Clone -> Cloning") && l.Contains("Delete -> Deleting"));
        Assert.Contains(lines, l => l.StartsWith("Cloning") && l.Contains("(waiting) -> Cloning"));
        Assert.Contains(lines, l => l.StartsWith("Stopped ") && l.Contains("Start -> Starting, Stop -> Stopped, Delete -> Deleting"));
        Assert.Contains(lines, l => l.StartsWith("ErrorUnknown") && l.Contains("Delete -> Deleting"));
        Assert.Contains(lines, l => l.Trim() == "Delete   [Initial, Stopped, Suspended, ErrorUnknown] -> Deleted");
        Assert.Contains(lines, l => l.Trim() == "Clone    [Initial, Deleted] -> Stopped");
    }
}

/// <summary>The error ids (about_DockerVm), and docker's name rule (Labels.cs).</summary>
public class ErrorIdAndNameTests
{
    [Theory]
    [InlineData(DockerVmErrorKind.InvalidTransition, "DockerVmInvalidTransition")]
    [InlineData(DockerVmErrorKind.NotFound, "DockerVmNotFound")]
    [InlineData(DockerVmErrorKind.NotRunning, "DockerVmNotRunning")]
    [InlineData(DockerVmErrorKind.NameConflict, "DockerVmNameConflict")]
    [InlineData(DockerVmErrorKind.InvalidName, "DockerVmInvalidName")]
    [InlineData(DockerVmErrorKind.ImageNotFound, "DockerVmImageNotFound")]
    [InlineData(DockerVmErrorKind.StartFailed, "DockerVmStartFailed")]
    [InlineData(DockerVmErrorKind.ExecFailed, "DockerVmExecFailed")]
    [InlineData(DockerVmErrorKind.Timeout, "DockerVmTimeout")]
    [InlineData(DockerVmErrorKind.EngineUnavailable, "DockerEngineUnavailable")]
    [InlineData(DockerVmErrorKind.CliNotFound, "DockerCliNotFound")]
    [InlineData(DockerVmErrorKind.CommandFailed, "DockerCommandFailed")]
    [InlineData(DockerVmErrorKind.NotReady, "DockerVmNotReady")]
    [InlineData(DockerVmErrorKind.PathNotFound, "DockerVmPathNotFound")]
    [InlineData(DockerVmErrorKind.CheckpointNotFound, "DockerVmCheckpointNotFound")]
    [InlineData(DockerVmErrorKind.PoolNotFound, "DockerVmPoolNotFound")]
    public void Error_ids_are_the_contracts(DockerVmErrorKind kind, string id)
    {
        Assert.Equal(id, DockerVmException.IdOf(kind));
        Assert.Equal(id, new DockerVmException(kind, "m").ErrorId);
    }

    [Fact]
    public void Every_kind_has_a_test_above()
    {
        Assert.Equal(16, Enum.GetValues<DockerVmErrorKind>().Length);
    }

    [Theory]
    [InlineData("ab", true)]
    [InlineData("web1", true)]
    [InlineData("dockervm-0a1b2c3d", true)]
    [InlineData("A_b.c-D", true)]
    [InlineData("9lives", true)]
    [InlineData("a", false)]          // docker wants at least two characters
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("-web", false)]
    [InlineData(".web", false)]
    [InlineData("_web", false)]
    [InlineData("unitfix bad", false)]
    [InlineData("web/1", false)]
    [InlineData("wéb", false)]
    public void Names_follow_dockers_rule(string? name, bool valid)
    {
        Assert.Equal(valid, VmName.IsValid(name));
        if (valid)
        {
            VmName.Validate(name);
        }
        else
        {
            var e = Assert.Throws<DockerVmException>(() => VmName.Validate(name));
            Assert.Equal("DockerVmInvalidName", e.ErrorId);
        }
    }

    [Fact]
    public void Default_names_are_dockervm_and_8_hex()
    {
        var name = VmName.NewDefault();
        Assert.Matches("^dockervm-[0-9a-f]{8}$", name);
        Assert.True(VmName.IsValid(name));
    }

    [Fact]
    public void Container_command_label_round_trips()
    {
        var command = new[] { "sh", "-c", "echo \"hi\" $HOME; exit 0", "naïve" };
        var label = Labels.EncodeCommand(command);
        Assert.Equal(command, Labels.DecodeCommand(label));
        Assert.Null(Labels.DecodeCommand(null));
        Assert.Null(Labels.DecodeCommand(""));
        Assert.Null(Labels.DecodeCommand("not json"));
    }
}
