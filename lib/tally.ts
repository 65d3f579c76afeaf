import type { SignatureCount, SignatureData, ViolationKind } from './data.js';

/** Adds one to `key`'s count. */
export function increment<K>(counts: Map<K, number>, key: K): void {
	counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Violations seen in this process, per kind (snapshots and the exit report recap them). */
export const violationCounts = new Map<ViolationKind, number>();

/** Distinct violation signatures kept; later new ones are not listed (their violations are still counted by kind). */
const SIGNATURES_LIMIT = 1_000;

/** Violations reported per signature hash, with the signature and kind. */
export const signatureCounts = new Map<string, SignatureCount>();

/** Counts one reported violation under its signature. */
export function countSignature(kind: ViolationKind, signature: SignatureData): void {
	const known = signatureCounts.get(signature.hash);
	if (known === undefined && signatureCounts.size >= SIGNATURES_LIMIT) return;
	signatureCounts.set(signature.hash, { kind, hash: signature.hash, line: signature.line, count: (known?.count ?? 0) + 1 });
}

/** Reports suppressed by a rule, per kind. */
export const suppressedCounts = new Map<ViolationKind, number>();
