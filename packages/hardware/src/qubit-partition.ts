/**
 * Groups of qubits that no multi-qubit gate connects (union-find over the gates' qubits): each
 * group can be simulated on its own, since the state stays a tensor product across groups.
 * `links` lists each gate's qubits; `qubits` are the qubits to partition. Groups come out in order
 * of their smallest qubit, each ascending.
 */
export function partitionQubits(numQubits: number, links: Iterable<readonly number[]>, qubits: Iterable<number>): number[][] {
  const parent = Array.from({ length: numQubits }, (_, i) => i);
  const find = (q: number): number => {
    while (parent[q] !== q) {
      parent[q] = parent[parent[q]];
      q = parent[q];
    }
    return q;
  };
  for (const qs of links) {
    for (let k = 1; k < qs.length; k++) {
      const a = find(qs[0]);
      const b = find(qs[k]);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  const groups = new Map<number, number[]>();
  for (const q of [...new Set(qubits)].sort((a, b) => a - b)) {
    const root = find(q);
    const members = groups.get(root);
    if (members) members.push(q);
    else groups.set(root, [q]);
  }
  return [...groups.values()];
}
