/**
 * reftrace for Node.js: per-reference refcount debugging.
 * @example
 * import { track } from 'reftrace';
 * const conn = track(new Conn(), { onZero: (c) => c.close() });
 */
import { nodeHost } from './platform/node.js';
import { start } from './start.js';
import { traceWhenAsked } from './trace.js';

export { track, Ref, WeakHandle, type TrackOptions } from './ref.js';
export { configure, settings, type ConfigureOptions, type Settings, type SuppressionsOption, type ViolationPolicy } from './settings.js';
export {
	MERGE_SCHEMA,
	SNAPSHOT_SCHEMA,
	type CountKind,
	type EventOp,
	type MergedReport,
	type MergedSite,
	type Mode,
	type PriorEvent,
	type PriorRole,
	type RefEvent,
	type RefState,
	type SignatureCount,
	type SignatureData,
	type Snapshot,
	type SnapshotObject,
	type SnapshotRef,
	type SnapshotRevocation,
	type SnapshotSite,
	type SuppressionUse,
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
	AfterRevokeError,
	UseAfterRevokeError,
	AcquireAfterRevokeError,
	ExclusiveNotUniqueError,
	AcquireDuringExclusiveError,
	type CountViolation,
	type Violation,
} from './errors.js';
export type { SuppressionRule } from './report/suppression-rules.js';
export { checkLeaks } from './check-leaks.js';
export { beginLeakWindow, type LeakWindow } from './leak-window.js';
export { snapshot } from './snapshot.js';
export { renderSnapshot } from './report/leak-report.js';
export { withOwner } from './owner-context.js';
export { instrument, isAdopted, type InstrumentOptions, type InstrumentShape } from './instrument.js';
export { markLongLived } from './long-lived.js';

// Device loss as a revoke of adopted objects (instrument's `revokedWhen`).
export type { RevokedWhen } from './revoke-adopted.js';

// Last, once every module above has loaded: no module may use the host while it loads.
start(nodeHost, traceWhenAsked);
