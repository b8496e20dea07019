namespace Propeller.Core.Proplets;

/// <summary>One page of <c>GET /proplets</c>.</summary>
public sealed record PropletPage(int Offset, int Limit, long Total, IReadOnlyList<Proplet> Proplets);
