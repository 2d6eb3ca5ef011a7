using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace DockerVm
{
    /// <summary>
    /// The transition table of cloudeng.io/vms, kept as data. Every operation checks it before
    /// any engine call; the printer renders it for about_DockerVm.
    /// </summary>
    public static class StateMachine
    {
        // state -> (action -> transient state while the action runs)
        private static readonly IReadOnlyDictionary<VmState, IReadOnlyDictionary<VmAction, VmState>> Table =
            new Dictionary<VmState, IReadOnlyDictionary<VmAction, VmState>>
            {
                [VmState.Initial] = Map((VmAction.Clone, VmState.Cloning), (VmAction.Delete, VmState.Deleting)),
                [VmState.Cloning] = Map((VmAction.None, VmState.Cloning)),
                [VmState.Starting] = Map((VmAction.None, VmState.Starting)),
                [VmState.Running] = Map((VmAction.Stop, VmState.Stopping), (VmAction.Suspend, VmState.Suspending)),
                [VmState.Stopping] = Map((VmAction.None, VmState.Stopping)),
                [VmState.Stopped] = Map((VmAction.Start, VmState.Starting), (VmAction.Stop, VmState.Stopped), (VmAction.Delete, VmState.Deleting)),
                [VmState.Suspending] = Map((VmAction.None, VmState.Suspending)),
                [VmState.Suspended] = Map((VmAction.Start, VmState.Starting), (VmAction.Suspend, VmState.Suspended), (VmAction.Delete, VmState.Deleting)),
                [VmState.Deleting] = Map((VmAction.None, VmState.Deleting)),
                [VmState.Deleted] = Map((VmAction.Clone, VmState.Cloning)),
                [VmState.ErrorUnknown] = Map((VmAction.Delete, VmState.Deleting)),
            };

        // The state a successful action ends in.
        private static readonly IReadOnlyDictionary<VmAction, VmState> Outcome = new Dictionary<VmAction, VmState>
        {
            [VmAction.Clone] = VmState.Stopped,
            [VmAction.Start] = VmState.Running,
            [VmAction.Stop] = VmState.Stopped,
            [VmAction.Suspend] = VmState.Suspended,
            [VmAction.Delete] = VmState.Deleted,
        };

        private static IReadOnlyDictionary<VmAction, VmState> Map(params (VmAction Action, VmState Next)[] rows) =>
            rows.ToDictionary(r => r.Action, r => r.Next);

        /// <summary>All states, in contract order.</summary>
        public static IReadOnlyList<VmState> States { get; } = (VmState[])Enum.GetValues(typeof(VmState));

        /// <summary>All actions, in contract order.</summary>
        public static IReadOnlyList<VmAction> Actions { get; } = (VmAction[])Enum.GetValues(typeof(VmAction));

        /// <summary>The state entered when <paramref name="action"/> is taken in <paramref name="state"/>, and whether it is allowed.</summary>
        public static bool TryTransition(VmState state, VmAction action, out VmState next)
        {
            if (Table.TryGetValue(state, out var row) && row.TryGetValue(action, out next))
            {
                return true;
            }
            next = state;
            return false;
        }

        /// <summary>The state entered when <paramref name="action"/> is taken in <paramref name="state"/>; throws when the table refuses it.</summary>
        public static VmState Transition(VmState state, VmAction action, string? vmName = null)
        {
            if (TryTransition(state, action, out var next))
            {
                return next;
            }
            throw Failures.InvalidTransition(state, action, vmName);
        }

        /// <summary>True when the table allows <paramref name="action"/> in <paramref name="state"/>.</summary>
        public static bool Allowed(VmState state, VmAction action) => TryTransition(state, action, out _);

        /// <summary>The actions the table allows in <paramref name="state"/> (None is the wait of a transient state).</summary>
        public static VmAction[] ValidActions(VmState state) =>
            Table.TryGetValue(state, out var row) ? row.Keys.Where(a => a != VmAction.None).OrderBy(a => a).ToArray() : Array.Empty<VmAction>();

        /// <summary>The state a successful <paramref name="action"/> ends in.</summary>
        public static VmState SuccessState(VmAction action) =>
            Outcome.TryGetValue(action, out var s) ? s : throw new ArgumentOutOfRangeException(nameof(action));

        /// <summary>
        /// The engine's container status -> VM state: running Running; paused Suspended; created,
        /// exited Stopped; dead ErrorUnknown; removing Deleting; restarting Starting. (A container
        /// that is absent is Deleted, or Initial for a VM never cloned: see DockerVmInstance.)
        /// </summary>
        public static VmState StateOf(Engine.ContainerStatus status) => status switch
        {
            Engine.ContainerStatus.Running => VmState.Running,
            Engine.ContainerStatus.Paused => VmState.Suspended,
            Engine.ContainerStatus.Created => VmState.Stopped,
            Engine.ContainerStatus.Exited => VmState.Stopped,
            Engine.ContainerStatus.Dead => VmState.ErrorUnknown,
            Engine.ContainerStatus.Removing => VmState.Deleting,
            Engine.ContainerStatus.Restarting => VmState.Starting,
            _ => VmState.ErrorUnknown,
        };

        /// <summary>Renders the transition table as text (like cloudeng.io/vms PrintStates).</summary>
        public static string Print()
        {
            var sb = new StringBuilder();
            const int w = 14;
            sb.Append("State".PadRight(w)).Append("Allowed actions -> next state").AppendLine();
            sb.Append(new string('-', w - 1)).Append(' ').Append(new string('-', 56)).AppendLine();
            foreach (var state in States)
            {
                var row = Table[state];
                var cells = row.OrderBy(kv => kv.Key).Select(kv => kv.Key == VmAction.None ? $"(waiting) -> {kv.Value}" : $"{kv.Key} -> {kv.Value}");
                sb.Append(state.ToString().PadRight(w)).Append(string.Join(", ", cells)).AppendLine();
            }
            sb.AppendLine();
            sb.AppendLine("Successful operations:");
            foreach (var action in Actions.Where(a => a != VmAction.None))
            {
                var from = States.Where(s => Allowed(s, action));
                sb.Append("  ").Append(action.ToString().PadRight(8)).Append(" [")
                  .Append(string.Join(", ", from)).Append("] -> ").Append(SuccessState(action)).AppendLine();
            }
            return sb.ToString();
        }
    }
}
