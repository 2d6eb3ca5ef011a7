using System.Management.Automation;
using Xunit;

namespace DockerVm.Tests.Cmdlets;

/// <summary>Assertions the cmdlet tests share: the contract's error records, the engine's change requests.</summary>
internal static class Expect
{
    /// <summary>The fake engine's operations that change a container or an image (everything but inspect, ps, logs, images).</summary>
    public static readonly string[] ChangeOperations = { "create", "start", "stop", "pause", "unpause", "rm", "exec", "cp", "commit", "rmi", "rename" };

    public static IReadOnlyList<FakeCall> Changes(FakeEngine engine) =>
        engine.Calls.Where(c => ChangeOperations.Contains(c.Operation)).ToList();

    /// <summary>
    /// An error record as the contract has it: the FullyQualifiedErrorId is the contract id then the
    /// cmdlet's type, the category is the id's, a recommended action is given, and the exception is
    /// the Core's DockerVmException of that id.
    /// </summary>
    public static ErrorRecord Error(ErrorRecord? record, string id, string commandType, ErrorCategory category, bool recommendedAction = true)
    {
        Assert.NotNull(record);
        Assert.Equal($"{id},DockerVm.Commands.{commandType}", record!.FullyQualifiedErrorId);
        Assert.StartsWith(id + ",", record.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(category, record.CategoryInfo.Category);
        if (recommendedAction)
        {
            Assert.False(string.IsNullOrWhiteSpace(record.ErrorDetails?.RecommendedAction), $"{id} has no RecommendedAction");
        }
        Assert.False(string.IsNullOrWhiteSpace(record.ErrorDetails?.Message), $"{id} has no message");
        var e = Assert.IsType<DockerVmException>(record.Exception);
        Assert.Equal(id, e.ErrorId);
        return record;
    }

    /// <summary>The only error of a run, checked as <see cref="Error"/> does.</summary>
    public static ErrorRecord OnlyError(RunResult run, string id, string commandType, ErrorCategory category, bool recommendedAction = true)
    {
        Assert.Null(run.Terminating);
        return Error(Assert.Single(run.Errors), id, commandType, category, recommendedAction);
    }

    public static object? Target(ErrorRecord record) => record.TargetObject is PSObject p ? p.BaseObject : record.TargetObject;

    /// <summary>The record's target is the VM <paramref name="name"/> (the instance, not a string).</summary>
    public static DockerVmInstance TargetVm(ErrorRecord record, string name)
    {
        var vm = Assert.IsType<DockerVmInstance>(Target(record));
        Assert.Equal(name, vm.Name);
        return vm;
    }
}
