export { track, Ref, type RefState, type TrackOptions } from './ref.js';
export { configure, settings, type ConfigureOptions, type Mode, type Settings, type ViolationPolicy } from './modes.js';
export type { EventOp, RefEvent } from './events.js';
export {
	RefTraceError,
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
} from './violations.js';
