/**
 * reftrace for Node.js: per-reference refcount debugging.
 * @example
 * import { track } from 'reftrace';
 * const conn = track(new Conn(), { onZero: (c) => c.close() });
 */
import { nodeHost } from './platform/node.js';
import { start } from './start.js';

export { track, Ref, type TrackOptions } from './ref.js';
export { configure, settings, type ConfigureOptions, type Settings, type ViolationPolicy } from './settings.js';
export {
	SNAPSHOT_SCHEMA,
	type EventOp,
	type Mode,
	type PriorEvent,
	type PriorRole,
	type RefEvent,
	type RefState,
	type Snapshot,
	type SnapshotObject,
	type SnapshotRef,
	type SnapshotSite,
	type ViolationData,
	type ViolationKind,
} from './data.js';
export {
	RefTraceError,
	MisuseError,
	AfterMoveError,
	DoubleReleaseError,
	ReleaseAfterMoveError,
	UseAfterMoveError,
	UseAfterReleaseError,
	AcquireAfterReleaseError,
	MoveAfterReleaseError,
	DoubleMoveError,
	OnZeroFailedError,
	LeakError,
	type Violation,
} from './errors.js';
export { checkLeaks } from './check-leaks.js';
export { snapshot } from './snapshot.js';
export { renderSnapshot } from './report/leak-report.js';
export { beginLeakWindow, type LeakWindow } from './leak-window.js';

// Adoption without rewriting (issue 10).
export { withOwner } from './owner-context.js';
export { instrument, isAdopted, type InstrumentOptions, type InstrumentShape } from './instrument.js';
export { markLongLived } from './long-lived.js';

// Count semantics (issue 9): nested counts, weak handles, exclusive sections, revocation.
export { WeakHandle } from './ref.js';
export {
	AfterRevokeError,
	UseAfterRevokeError,
	AcquireAfterRevokeError,
	ExclusiveNotUniqueError,
	AcquireDuringExclusiveError,
	type CountViolation,
} from './errors.js';
export type { CountKind, SnapshotRevocation } from './data.js';

start(nodeHost);

// Reports people work with: triage signatures, suppressions, merged reports (`reftrace merge`).
export {
	MERGE_SCHEMA,
	type MergedReport,
	type MergedSite,
	type SignatureCount,
	type SignatureData,
	type SuppressionUse,
} from './data.js';
export type { SuppressionsOption } from './settings.js';
export type { SuppressionRule } from './report/suppression-rules.js';
