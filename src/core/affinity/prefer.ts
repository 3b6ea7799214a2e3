/**
 * Moves the session's deployment to the front of a selection order (when it is among the candidates,
 * i.e. still eligible); the others keep their order. Pure.
 */
export function preferDeployment<T extends { readonly id: string }>(
  ordered: readonly T[],
  deploymentId: string | null,
): T[] {
  if (deploymentId === null) return [...ordered];
  const index = ordered.findIndex((candidate) => candidate.id === deploymentId);
  if (index <= 0) return [...ordered];
  return [ordered[index]!, ...ordered.slice(0, index), ...ordered.slice(index + 1)];
}
