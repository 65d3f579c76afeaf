import { epochMilliseconds } from './clock.js';
import type { EventOp, RefEvent } from './data.js';
import { host } from './platform/host.js';
import { endTime, type EndedEntry, type Entry } from './record.js';
import { sourceFrame, sourceLine, type SourceFrame } from './sources.js';
import type { Stack } from './stack.js';
import { NO_OWNER } from './wording.js';

function frameText(frame: SourceFrame): string {
	const at = frame.line === 0 ? 'native' : `${frame.file}:${frame.line}:${frame.column}`;
	return frame.fn === null ? at : `${frame.fn} (${at})`;
}

/** The owner a reference gets by default: the function that took it, or `file:line` when anonymous. */
function derivedOwner(stack: Stack | null): string {
	const top = stack?.frames[0];
	if (top === undefined) return NO_OWNER;
	const frame = sourceFrame(top);
	return frame.fn ?? `${frame.file}:${frame.line}`;
}

/** Owner of an entry as shown in reports. */
export function ownerOf(entry: Pick<Entry, 'owner' | 'stack'>): string {
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
 * Frames as printed. Below the application's first frame, each run of frames from dependencies or native
 * code (an assertion library's, a test runner's, a framework's) says nothing about the bug: it is folded
 * into one line. A lone such frame is shown, and so are the top frames, which name the site.
 */
function frameLines(frames: readonly SourceFrame[]): string[] {
	const lines: string[] = [];
	let app = false;
	for (let i = 0; i < frames.length; ) {
		let end = i;
		while (app && end < frames.length && isDependency(frames[end]!)) end++;
		if (end - i > 1) {
			lines.push(`… ${end - i} frames in dependencies`);
			i = end;
			continue;
		}
		const frame = frames[i++]!;
		app ||= !isDependency(frame);
		lines.push(frameText(frame));
	}
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
	const { pid, threadId } = host();
	return { op, ref, owner, site, source, stack: frames, pid, threadId, time: epochMilliseconds(ticks) };
}

/** The event that began an entry's reference (track, acquire or move). */
export function beginEvent(entry: Entry): RefEvent {
	return makeEvent(entry.origin, entry.id, ownerOf(entry), entry.stack, entry.time);
}

/** The event that ended an entry's reference, or null while it is live. */
export function endEvent(entry: EndedEntry): RefEvent | null {
	const { end } = entry;
	if (end === null) return null;
	const op = end.how === 'released' ? 'release' : end.how === 'moved' ? 'move' : 'leak';
	return makeEvent(op, entry.id, ownerOf(entry), end.stack, endTime(end));
}
