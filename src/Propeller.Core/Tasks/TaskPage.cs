namespace Propeller.Core.Tasks;

/// <summary>One page of <c>GET /tasks</c>, upstream's shape.</summary>
public sealed record TaskPage(int Offset, int Limit, long Total, IReadOnlyList<PropellerTask> Tasks);
