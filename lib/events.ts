import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import { sourceFrame, sourceLine, type SourceFrame } from './source-map.js';
import type { Stack } from './stack.js';
import { milliseconds, type Entry } from './tracked.js';

/** What a reference event did. `use` is a read of `.value`; `dispose` a `[Symbol.dispose]()` call. */
export type EventOp = 'track' | 'acquire' | 'move' | 'release' | 'dispose' | 'use' | 'leak';

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
	 * Call stack, innermost first, as `fn (file:line:column)`; empty when no stack was recorded. Frames of
	 * dependencies below the application's last frame end it as one line, `… N frames in dependencies`.
	 */
	readonly stack: readonly string[];
	readonly pid: number;
	readonly threadId: number;
	/** Milliseconds since the Unix epoch. */
	readonly time: number;
}

/** Owner shown when none was given and none can be derived (no stack in `off` and `list` modes). */
export const NO_OWNER = '<no owner>';
export const PID = process.pid;
export const THREAD_ID = threadId;

function frameText(frame: SourceFrame): string {
	const at = frame.line === 0 ? 'native' : `${frame.file}:${frame.line}:${frame.column}`;
	return frame.fn === null ? at : `${frame.fn} (${at})`;
}

/** The owner a reference gets by default: the function that took it, or `file:line` when anonymous. */
export function derivedOwner(stack: Stack | null): string {
	const top = stack?.frames[0];
	if (top === undefined) return NO_OWNER;
	const frame = sourceFrame(top);
	return frame.fn ?? `${frame.file}:${frame.line}`;
}

/** Owner of an entry as shown in reports. */
export function ownerOf(entry: Entry): string {
	return entry.owner ?? derivedOwner(entry.stack);
}

interface ResolvedStack {
	readonly site: string | null;
	readonly source: string | null;
	readonly frames: readonly string[];
}

const NO_STACK: ResolvedStack = { site: null, source: null, frames: [] };
// Stacks are interned, so a report over 10,000 references from 100 sites maps and formats 100 stacks.
const resolved = new WeakMap<Stack, ResolvedStack>();

const isDependency = (frame: SourceFrame): boolean => frame.file.includes('node_modules/') || frame.line === 0;

/**
 * Frames as printed. Below the application's last frame, a run of frames from dependencies or native
 * code (a test runner's, a framework's) says nothing about the bug: it is folded into one line.
 */
function frameLines(frames: readonly SourceFrame[]): string[] {
	let last = frames.length - 1;
	while (last >= 0 && isDependency(frames[last]!)) last--;
	const folded = frames.length - 1 - last;
	const lines = frames.slice(0, last + 1).map(frameText);
	if (last >= 0 && folded > 1) lines.push(`… ${folded} frames in dependencies`);
	else if (folded === 1 || last < 0) lines.push(...frames.slice(last + 1).map(frameText));
	return lines;
}

function resolve(stack: Stack | null): ResolvedStack {
	if (stack === null) return NO_STACK;
	let result = resolved.get(stack);
	if (result === undefined) {
		const frames = stack.frames.map(sourceFrame);
		const top = frames[0];
		result = {
			site: top === undefined ? null : `${top.file}:${top.line}:${top.column}`,
			source: top === undefined ? null : sourceLine(top),
			frames: frameLines(frames),
		};
		resolved.set(stack, result);
	}
	return result;
}

/** Builds the public form of an event (`ticks` from `clock`); source mapping happens here, only when something is reported. */
export function makeEvent(op: EventOp, ref: number, owner: string, stack: Stack | null, ticks: number): RefEvent {
	const { site, source, frames } = resolve(stack);
	return {
		op,
		ref,
		owner,
		site,
		source,
		stack: frames,
		pid: PID,
		threadId: THREAD_ID,
		time: performance.timeOrigin + milliseconds(ticks),
	};
}

/** The event that began an entry's reference (track, acquire or move). */
export function beginEvent(entry: Entry): RefEvent {
	return makeEvent(entry.origin, entry.id, ownerOf(entry), entry.stack, entry.time);
}

/** The event that ended an entry's reference, or null while it is live. */
export function endEvent(entry: Entry): RefEvent | null {
	const { end } = entry;
	if (end === null) return null;
	const op = end.how === 'released' ? 'release' : end.how === 'moved' ? 'move' : 'leak';
	return makeEvent(op, entry.id, ownerOf(entry), end.stack, end.time);
}
