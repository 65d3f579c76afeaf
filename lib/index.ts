/**
 * reftrace for Node.js: per-reference refcount debugging.
 * @example
 * import { track } from 'reftrace';
 * const conn = track(new Conn(), { onZero: (c) => c.close() });
 */
import { nodeHost } from './platform/node.js';
import { start } from './start.js';

export { track, Ref, type RefState, type TrackOptions } from './ref.js';
export { configure, settings, type ConfigureOptions, type Mode, type Settings, type ViolationPolicy } from './settings.js';
export { SNAPSHOT_SCHEMA, type EventOp, type RefEvent, type PriorEvent, type PriorRole, type ViolationData, type ViolationKind } from './data.js';
export type { Snapshot, SnapshotObject, SnapshotRef, SnapshotSite } from './data.js';
export {
	RefTraceError,
	MisuseError,
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

start(nodeHost);
