import type { EventOp, MisuseKind, ViolationKind } from './data.js';

/*
 * Every title and sentence of the reports, in one place: what each violation kind says, and how each
 * event is introduced. Pure data and string functions.
 */

/** The words of one misuse kind. `subject` is `ref #12 of Conn#3`; `away` how the ref ended: `released`, `moved`, `moved to queue`. */
interface MisuseWording {
	readonly summary: (subject: string, away: string) => string;
	/** How the release that ended the reference is introduced (the holder follows as `ref #2 held by X`). */
	readonly released: string;
}

/** The table of misuse kinds. */
export const MISUSE: { readonly [K in MisuseKind]: MisuseWording } = {
	'double-release': { summary: (subject) => `${subject} was released twice`, released: 'first released' },
	'double-move': { summary: (subject) => `${subject} was moved twice`, released: 'released' },
	'use-after-move': { summary: (subject, away) => `.value of ${subject} was read after the ref was ${away}`, released: 'released' },
	'use-after-release': { summary: (subject, away) => `.value of ${subject} was read after the ref was ${away}`, released: 'released' },
	'acquire-after-release': { summary: (subject, away) => `acquire through ${subject} after the ref was ${away}`, released: 'released' },
	'move-after-release': { summary: (subject, away) => `move of ${subject} after the ref was ${away}`, released: 'released' },
	'release-after-move': { summary: (subject, away) => `release of ${subject} after the ref was ${away}`, released: 'released' },
};

/** The first line of every violation report: `reftrace: double-release:`. */
export const heading = (kind: ViolationKind): string => `reftrace: ${kind}:`;

/** `onZero of Conn#3 threw Error: close failed`. */
export const onZeroSummary = (label: string, reason: string): string => `onZero of ${label} threw ${reason}`;

/**
 * How an event names its reference and the reference's holder: `ref #2 held by cache`. The owner is who
 * held the reference, not the code that made the call (a release in `evict` of a ref held by `cache`).
 */
export const heldBy = (ref: number, owner: string): string => `ref #${ref} held by ${owner}`;

/** The warning when a trace cannot be written (`trace.ts`; a page, which has no files, says it at once). */
export const traceNotWritten = (path: string, error: unknown): string => `reftrace could not write the trace ${path}: ${String(error)}`;

/** How the culprit, the offending call, is introduced. */
export const CULPRIT: { readonly [op in EventOp]?: string } = {
	release: 'released here',
	dispose: 'disposed here',
	use: '.value read here',
	acquire: 'acquire called here',
	move: 'move called here',
	call: 'called here',
	'try-acquire': 'tryAcquire called here, on a weak handle made from',
	exclusive: 'exclusive called here',
	revoke: 'revoke called here',
	weak: 'weak called here',
};

/** How the event that began a reference is introduced, among the earlier events of a misuse. */
export const BEGUN = { track: 'tracked', acquire: 'acquired', move: 'moved to a new ref', 'try-acquire': 'acquired through weak handle' } as const;

/** How the event that began a collected reference is introduced in its leak report. */
export const TAKEN = { track: 'tracked here', acquire: 'acquired here', move: 'moved here', 'try-acquire': 'acquired through weak handle here' } as const;

/** How an ended reference is introduced in the history of an `on-zero-failed` report. */
export const ENDED = { release: 'released', move: 'moved away' } as const;

/** Owner shown when none was given and none can be derived (no stack in `off` and `list` modes). */
export const NO_OWNER = '<no owner>';

/** Why an event has no stack or an object no history. */
export const NOTE = {
	off: (label: string) => `${label} is tracked in off mode: no history recorded (REFTRACE=list or full keeps it)`,
	list: (label: string) => `no stack: ${label} is tracked in list mode (REFTRACE=full records stacks)`,
	sampled: (sample: number) => `no stack: this reference was not sampled (sample ${sample})`,
	uncaptured: 'no stack: this runtime could not capture one (see the REFTRACE_NO_STACKS warning)',
	none: 'no stack recorded',
} as const;

/** `revoked for 'device lost'`, or `revoked` when no reason was given. */
export const revokedFor = (reason: string | null): string => (reason === null ? 'revoked' : `revoked for '${reason}'`);

/** What a call other than a read of `.value` is called in a summary: `exclusive()`. */
const callName = (op: EventOp): string => (op === 'use' ? '.value' : `${op}()`);

/** Summary of `weak()`, `exclusive()` or `revoke()` through a released or moved ref. */
export const deadCall = (op: EventOp, subject: string, away: string): string => `${callName(op)} through ${subject} after the ref was ${away}`;

/** The sentences of the count kinds. `subject` is `ref #12 of Dev#3`; `label` is `Dev#3`. */
export const COUNTS = {
	useAfterRevoke: (op: EventOp, subject: string, label: string, reason: string | null) =>
		`${callName(op)} of ${subject} after ${label} was ${revokedFor(reason)}`,
	acquireAfterRevoke: (op: EventOp, subject: string, label: string, reason: string | null) =>
		`${op === 'move' ? 'move' : 'acquire'} through ${subject} after ${label} was ${revokedFor(reason)}`,
	notUnique: (subject: string, count: number) =>
		`exclusive section through ${subject} entered with count ${count}: ${count - 1} other ${count - 1 === 1 ? 'reference is' : 'references are'} live`,
	intrusion: (op: EventOp, label: string, section: string, owner: string, inside: boolean) =>
		`${op === 'try-acquire' ? 'tryAcquire' : 'acquire'} of ${label} during the exclusive section of ${section} (owner ${owner}), ${inside ? 'from inside the section' : 'from another task while the section ran'}`,
	/** How the earlier events of the count kinds are introduced. */
	section: 'exclusive section entered',
	other: 'also live',
	/** The exit report's line: `Dev#1 revoked at app.ts:3:5 for 'device lost'; 2 references still held:`. */
	stillHeld: (label: string, site: string, reason: string | null, held: number) =>
		`${label} revoked at ${site}${reason === null ? '' : ` for '${reason}'`}; ${held} ${held === 1 ? 'reference' : 'references'} still held:`,
	/** Under a nested count in the exit report: `holds ref #2 of mm_count#1`. */
	holds: (ref: number, label: string) => `holds ref #${ref} of ${label}`,
	folded: (n: number) => `${n} more held by nested counts, shown under them`,
	/** The same where the chains are not printed (`reftrace check`, `reftrace merge`). */
	foldedUnlisted: (n: number) => `${n} more held by nested counts, not listed`,
} as const;

/** Objects revoked by their creator's loss (`instrument`'s `revokedWhen`): their references need no release. */
export const LOST = {
	/** `GPUBuffer#3 revoked by its creator's loss for 'device lost (destroyed)'; 1 reference not given back, none needed:` (`at` the site when the revoke had one: made after the loss). */
	notGivenBack: (label: string, site: string | null, reason: string | null, held: number) =>
		`${label} revoked by its creator's loss${site === null ? '' : ` at ${site}`}${reason === null ? '' : ` for '${reason}'`}; ${held} ${held === 1 ? 'reference' : 'references'} not given back, none needed:`,
	/** After `no live references` in the exit report: the references of lost objects, which are not leaks. */
	none: (refs: number) => ` (${refs} ${refs === 1 ? 'reference' : 'references'} of objects revoked by their creator's loss, not leaks, below)`,
} as const;
