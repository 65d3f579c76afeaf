/*
 * The plain, JSON-serialisable data reftrace reports: events, violations and snapshots. Types only (and
 * the schema name and the list of violation kinds): every other module may read these; these read nothing.
 */

/**
 * How much each tracked object records.
 * - `off`: counts, states and `onZero` only; every misuse is still caught, without history.
 * - `list`: plus a live list of references and a quarantine of ended ones (owners and times, no stacks).
 * - `full`: plus a call-site stack for every event.
 */
export type Mode = 'off' | 'list' | 'full';

/**
 * A reference's state: `live` until it is released or moved away; never live again after that. `revoked`:
 * still counted, but its object was revoked (`ref.revoke()`); it must still be released.
 */
export type RefState = 'live' | 'released' | 'moved' | 'revoked';

/**
 * What a reference event did. `use` is a read of `.value`; `dispose` a `[Symbol.dispose]()` call (or an
 * instrumented dispose/close); `call` a call of an instrumented object's method; `try-acquire` an acquire
 * through a weak handle; `exclusive`, `revoke` and `weak` the `Ref` methods.
 */
export type EventOp = 'track' | 'acquire' | 'move' | 'release' | 'dispose' | 'use' | 'leak' | 'call' | 'try-acquire' | 'exclusive' | 'revoke' | 'weak';

/** One event in a reference's life, as shown in reports and carried by errors. Plain, JSON-serialisable data. */
export interface RefEvent {
	readonly op: EventOp;
	/** Id of the reference the event happened to (`ref #12` in reports). */
	readonly ref: number;
	/** Who held the reference: the name given, or in `full` mode the calling function. */
	readonly owner: string;
	/** Where it happened, `file:line:column` of original source relative to the working directory; null when no stack was recorded. */
	readonly site: string | null;
	/** The text of the site's source line, when readable. */
	readonly source: string | null;
	/**
	 * Call stack, innermost first, as `fn (file:line:column)`; empty when no stack was recorded. Below the
	 * application's first frame, each run of dependency frames is one line, `… N frames in dependencies`.
	 */
	readonly stack: readonly string[];
	readonly pid: number;
	readonly threadId: number;
	/** Milliseconds since the Unix epoch. */
	readonly time: number;
}

/** Every kind of misuse reftrace reports. */
export type ViolationKind =
	| 'double-release'
	| 'release-after-move'
	| 'use-after-move'
	| 'use-after-release'
	| 'acquire-after-release'
	| 'move-after-release'
	| 'double-move'
	| 'on-zero-failed'
	| 'leak'
	| CountKind;

/** The misuses of one reference, caught at the offending call. */
export type MisuseKind = Exclude<ViolationKind, 'on-zero-failed' | 'leak' | CountKind>;

/**
 * What an earlier event is to the culprit: the reference's beginning, its release, its move away, or other
 * history; for the count kinds, the revoke, the exclusive section, or another live reference.
 */
export type PriorRole = 'acquire' | 'release' | 'move' | 'history' | 'revoke' | 'section' | 'other';

/** An earlier event that makes the culprit wrong; `title` is how the report introduces it (`first released`). */
export interface PriorEvent {
	readonly role: PriorRole;
	readonly title: string;
	readonly event: RefEvent;
}

/** Everything a misuse report says, as plain data. */
export interface ViolationData {
	readonly kind: Exclude<ViolationKind, 'leak'>;
	/** The object's label, `Conn#3`. */
	readonly object: string;
	/** One line: what happened to what. */
	readonly summary: string;
	/** The offending call. */
	readonly culprit: RefEvent;
	/** The earlier events, most relevant first. Empty when the object was tracked in `off` mode. */
	readonly earlier: readonly PriorEvent[];
	/** The object's count after the violation (a violation never changes it). */
	readonly count: number;
	/** Why earlier events lack history (`off` mode) or stacks (`list` mode, or a reference not sampled); null when they do not. */
	readonly note: string | null;
	/** More text printed after the events: the stack of what `onZero` threw. */
	readonly detail: string | null;
}

/** Everything a leak report says, as plain data. */
export interface LeakData {
	readonly kind: 'leak';
	/** `collected`: one reference the garbage collector found dropped; `scope`: the references left by a checked scope. */
	readonly found: 'collected' | 'scope';
	/** One line: what leaked, and from where. */
	readonly summary: string;
	/** The leaked references, grouped by the site that took them. */
	readonly leaks: Snapshot;
	/** For `collected`: the event that took the reference; null for `scope`. */
	readonly taken: RefEvent | null;
	/** For `collected`: why `taken` has no stack when it has none (list mode, not sampled, not capturable here). */
	readonly note?: string | null;
}

/** Version of the snapshot and JSON report layout; bumped on any incompatible change. */
export const SNAPSHOT_SCHEMA = 'reftrace.snapshot/2';

/** One live reference in a snapshot. */
export interface SnapshotRef {
	readonly ref: number;
	/** The object's label, `Conn#3`. */
	readonly object: string;
	readonly owner: string;
	/** How the reference began: `track`, `acquire` or `move`. */
	readonly origin: RefEvent['op'];
	/** `file:line:column` of the call that took it, or null when no stack was recorded (list mode). */
	readonly site: string | null;
	/** Index into `Snapshot.stacks`, or null when no stack was recorded. */
	readonly stack: number | null;
	/** Milliseconds since the reference was taken. */
	readonly age: number;
	/** True when the garbage collector found the reference dropped without a release: a certain leak. */
	readonly collected: boolean;
	/** The label of the nested count that holds this reference (`track(v, { holds })`), or null. */
	readonly heldBy: string | null;
}

/** One tracked object that still has references. */
export interface SnapshotObject {
	readonly object: string;
	readonly name: string;
	readonly mode: Mode;
	/** The count: every live reference, collected ones included (their count is never given back). */
	readonly count: number;
	readonly refs: readonly SnapshotRef[];
	/**
	 * Objects counted by their own retain/release (`instrument`'s `counted` shape) in `full` mode: the
	 * balance tree, as lines: every retain (+) and release (−) path merged root-first, paths that cancel
	 * pruned. Absent for other objects.
	 */
	readonly balance?: readonly string[];
	/** The reference of another count that this nested count holds (`track(v, { holds })`), or null. */
	readonly holds: { readonly ref: number; readonly object: string } | null;
	/** When the object was revoked (`ref.revoke()`), and which references taken before are still held; else null. */
	readonly revoked: SnapshotRevocation | null;
}

/** The live references taken at one site (the frame that called track/acquire/move). */
export interface SnapshotSite {
	readonly site: string | null;
	/** The text of the site's source line, when readable. */
	readonly source: string | null;
	/** Per object: its label, references from this site, and its count (`Conn#3 has 2/4 refs`). */
	readonly objects: readonly { readonly object: string; readonly refs: number; readonly count: number }[];
	readonly refs: number;
	readonly collected: number;
	/** Age in milliseconds of the oldest reference from this site. */
	readonly oldest: number;
	/** Distinct full stacks seen at this site (indexes into `Snapshot.stacks`), most frequent first. */
	readonly stacks: readonly { readonly stack: number; readonly refs: number }[];
	/** Owners of the references, most frequent first. */
	readonly owners: readonly { readonly owner: string; readonly refs: number }[];
	/** Triage signature of the group: kind `leak`, the first object's name, the most frequent stack's top application frames (of the group as the leak report shows it, references folded under nested counts left out). */
	readonly signature?: SignatureData;
}

/** Every live reference in the process, by object and by site: plain, JSON-serialisable data. */
export interface Snapshot {
	readonly schema: typeof SNAPSHOT_SCHEMA;
	readonly pid: number;
	readonly threadId: number;
	/** Milliseconds since the Unix epoch. */
	readonly time: number;
	/** `refs` counts every reference in the snapshot, the `collected` ones (found dropped while live) included. */
	readonly totals: { readonly objects: number; readonly refs: number; readonly collected: number; readonly sites: number };
	readonly objects: readonly SnapshotObject[];
	/** Sites with the most references first. */
	readonly sites: readonly SnapshotSite[];
	/** Deduplicated stacks, innermost frame first, as `fn (file:line:column)`. */
	readonly stacks: readonly (readonly string[])[];
	/** Violations reported so far in this process, by kind (suppressed ones not included). */
	readonly violations: Readonly<Partial<Record<ViolationKind, number>>>;
	/**
	 * Live references marked as meant to live until exit (`markLongLived`): listed apart, counted in no
	 * total, never leaks. (Absent only from snapshots made by hand.)
	 */
	readonly longLived?: readonly SnapshotRef[];
	/** Signatures of the violations reported so far, most frequent first (the first 1,000 distinct ones). */
	readonly signatures?: readonly SignatureCount[];
	/** Reports suppressed so far, by kind: neither printed nor counted in `violations`. */
	readonly suppressed?: Readonly<Partial<Record<ViolationKind, number>>>;
	/** The suppression rules in force and how often each was used. */
	readonly suppressions?: readonly SuppressionUse[];
}

/** A triage signature: the kind, the object's name and the application's top frames (function and file, no lines). */
export interface SignatureData {
	/** 8 hex digits, a hash of `line`. */
	readonly hash: string;
	/** Tab-separated: kind, object name, then up to three `function file` frames. */
	readonly line: string;
}

/** How often one signature was reported in this process (`Snapshot.signatures`). */
export interface SignatureCount extends SignatureData {
	readonly kind: ViolationKind;
	readonly count: number;
}

/** One suppression rule in force and how many reports it suppressed (`Snapshot.suppressions`). */
export interface SuppressionUse {
	/** The rule, `leak:Session`. */
	readonly rule: string;
	/** Where it was written: `file:line`, or `suppressions[i]` for rules passed to `configure`. */
	readonly origin: string;
	/** Reports it suppressed: violations, and references left out of the exit report. */
	readonly used: number;
}

/** Version of the merged report layout (`reftrace merge --json`). */
export const MERGE_SCHEMA = 'reftrace.merge/1';

/** One site across many reports. */
export interface MergedSite {
	readonly site: string | null;
	readonly source: string | null;
	readonly signature: SignatureData;
	/** References from this site in all reports together, and how many of them were collected while live. */
	readonly refs: number;
	readonly collected: number;
	/** How many of the reports (one per process or thread) had references from this site. */
	readonly processes: number;
	/** Object labels, per report: `Conn#3`. */
	readonly objects: readonly string[];
	readonly owners: readonly { readonly owner: string; readonly refs: number }[];
	/** The most frequent stack of the first report that saw the site. */
	readonly stack: readonly string[];
}

/** Many reports (processes, CI shards) in one, grouped by site. */
export interface MergedReport {
	readonly schema: typeof MERGE_SCHEMA;
	/** The reports merged, in the order given. */
	readonly reports: readonly { readonly file: string; readonly pid: number; readonly threadId: number; readonly time: number }[];
	/** `folded`: references held by nested counts that are in the same report, left out of `refs` and `sites` (as each exit report counted them). */
	readonly totals: { readonly refs: number; readonly collected: number; readonly sites: number; readonly folded: number };
	/** Most references first. */
	readonly sites: readonly MergedSite[];
	/** Violations of every report, summed by kind. */
	readonly violations: Readonly<Partial<Record<ViolationKind, number>>>;
	/** Signatures of every report's violations, summed, with how many reports saw each. */
	readonly signatures: readonly (SignatureCount & { readonly processes: number })[];
	readonly suppressed: Readonly<Partial<Record<ViolationKind, number>>>;
}

/** The violations of the count semantics: revocation and exclusive sections. */
export type CountKind = 'use-after-revoke' | 'acquire-after-revoke' | 'exclusive-not-unique' | 'acquire-during-exclusive';

/** A revoked object in a snapshot: the revoke, and the references live then that are still not released. */
export interface SnapshotRevocation {
	/** Why, as given to `revoke(reason)`; null when no reason was given. */
	readonly reason: string | null;
	/** The reference it was revoked through, and its owner. */
	readonly ref: number;
	readonly owner: string;
	/** `file:line:column` of the `revoke` call, or null when no stack was recorded (list mode). */
	readonly site: string | null;
	/** Milliseconds since the Unix epoch. */
	readonly time: number;
	/** How many references were live at the revoke. */
	readonly liveAtRevoke: number;
	/** Ids of those references that are still not released (in `refs`), oldest first. */
	readonly stillHeld: readonly number[];
	/**
	 * Present (true) when the object was revoked by its creator's loss (`instrument`'s `revokedWhen`: a lost
	 * GPU device): its references need no release. They are in `refs` and `stillHeld` (those the collector
	 * found dropped are not), and in no site, not in `totals`, not leaks.
	 */
	readonly lost?: true;
}

// Every ViolationKind once (the record's keys must be exactly the union's members, so a kind added to the
// union and not here does not compile): what suppression rules accept, at run time and in `reftrace check`.
const KIND_SET: Readonly<Record<ViolationKind, true>> = {
	'double-release': true,
	'release-after-move': true,
	'use-after-move': true,
	'use-after-release': true,
	'acquire-after-release': true,
	'move-after-release': true,
	'double-move': true,
	'on-zero-failed': true,
	leak: true,
	'use-after-revoke': true,
	'acquire-after-revoke': true,
	'exclusive-not-unique': true,
	'acquire-during-exclusive': true,
};

/** Every kind of violation reftrace reports, as a value (the `ViolationKind` union). */
export const VIOLATION_KINDS: readonly ViolationKind[] = Object.freeze(Object.keys(KIND_SET) as ViolationKind[]);
