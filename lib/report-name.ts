import { host } from './platform/host.js';

/*
 * The JSON report's file name. Several writers can share one process: worker threads (same pid) and
 * second copies of reftrace (a dependency bundling its own). Each gets its own file, so no report
 * overwrites another.
 */

// The names taken in this thread, shared by every copy of reftrace loaded in it (a global, by registered symbol).
const TAKEN = Symbol.for('reftrace.reportFiles');

function takenNames(): Set<string> {
	const holder = globalThis as { [TAKEN]?: Set<string> };
	if (holder[TAKEN] === undefined) Object.defineProperty(holder, TAKEN, { value: new Set<string>() });
	return holder[TAKEN]!;
}

/** `refs.json` + `t2` → `refs.t2.json`: the mark goes before the extension of the file's own name. */
function marked(path: string, mark: string): string {
	const base = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1;
	const dot = path.lastIndexOf('.');
	return dot > base ? `${path.slice(0, dot)}.${mark}${path.slice(dot)}` : `${path}.${mark}`;
}

/**
 * Expands a `reportPath` for this writer: `%p` becomes the pid and `%t` the thread id (0 on the main
 * thread). A worker thread's path without `%t` gets `.t<id>` before the extension; a name another copy
 * of reftrace in this thread already took gets `.2`, `.3`...
 */
export function claimReportName(template: string): string {
	const { pid, threadId } = host();
	let path = template.replaceAll('%p', String(pid)).replaceAll('%t', String(threadId));
	if (threadId !== 0 && !template.includes('%t')) path = marked(path, `t${threadId}`);
	const taken = takenNames();
	let name = path;
	for (let copy = 2; taken.has(name); copy++) name = marked(path, String(copy));
	taken.add(name);
	return name;
}

/** A dump's file from its claimed name: `%n` becomes the dump's number (1, 2, …), or `.<n>` goes before the extension. */
export function dumpName(claimed: string, sequence: number): string {
	return claimed.includes('%n') ? claimed.replaceAll('%n', String(sequence)) : marked(claimed, String(sequence));
}
