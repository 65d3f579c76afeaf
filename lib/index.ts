export { track, Ref, type RefState, type TrackOptions } from './ref.js';
export { configure, settings, type ConfigureOptions, type Mode, type Settings, type ViolationPolicy } from './modes.js';
export type { EventOp, RefEvent } from './events.js';
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
	type PriorEvent,
	type PriorRole,
	type ViolationData,
	type ViolationKind,
	type Violation,
} from './violations.js';
export { checkLeaks, LeakError } from './leaks.js';
export { snapshot, SNAPSHOT_SCHEMA, type Snapshot, type SnapshotObject, type SnapshotRef, type SnapshotSite } from './snapshot.js';
export { renderSnapshot } from './report/leaks.js';
