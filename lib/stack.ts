import { fileURLToPath } from 'node:url';

/** One call-site frame, reduced to plain data at capture time (nothing here can keep a caller alive). */
export interface Frame {
	/** Function as V8 names it (`Pool.acquire`, `new Session`), or null for anonymous code. */
	readonly fn: string | null;
	/** File name or URL as V8 reports it (generated code; mapped to sources only when a report is built). */
	readonly file: string;
	readonly line: number;
	readonly column: number;
	/**
	 * The position as the runtime's own stack formatter (a test runner's or an app's source-map hook)
	 * printed it at capture time, when that differs from the generated one; such hooks are only
	 * reachable while the live call site exists.
	 */
	readonly hooked: { readonly file: string; readonly line: number; readonly column: number } | null;
	/** The library's own code or Node's: never shown. */
	readonly hidden: boolean;
}

/** An interned call stack: equal stacks captured anywhere share one Stack object (the kernel's stack depot). */
export interface Stack {
	readonly frames: readonly Frame[];
}

// Files in this directory are the library's own, by URL and by path: never shown in stacks or traces.
const LIB_URL = new URL('.', import.meta.url).href;
export const OWN_DIRECTORIES: readonly string[] = [LIB_URL, fileURLToPath(LIB_URL)];
// Past this many interned nodes the depot stops growing; new stacks are then kept only by their events.
const DEPOT_LIMIT = 200_000;

/*
 * The depot is a trie over frames, top frame first. A frame is looked up by (file, source position),
 * which V8 hands out without computing lines or names; only a frame seen for the first time pays for
 * its line, column and function name. A stack seen 10,000 times is therefore symbolized once and stored once.
 */
interface DepotNode {
	readonly frame: Frame | null;
	readonly parent: DepotNode | null;
	children: Map<Frame, DepotNode> | undefined;
	stack: Stack | undefined;
}

const root: DepotNode = { frame: null, parent: null, children: undefined, stack: undefined };
const framesByFile = new Map<string, Map<number, Frame>>();
let nodeCount = 0;
let depth = 10;
// The prepareStackTrace that was installed when the current capture began (not ours).
let ambient: ((error: Error, sites: NodeJS.CallSite[]) => unknown) | undefined;
const LOCATION = /(?:\(|at (?:async )?)([^()]+):(\d+):(\d+)\)?$/;

function isOwnFile(file: string): boolean {
	return OWN_DIRECTORIES.some((dir) => file.startsWith(dir));
}

function functionName(site: NodeJS.CallSite): string | null {
	// A frame resumed after an await, as Node prints it: `async handleRequest`.
	if (site.isAsync()) return `async ${methodName(site) ?? '<anonymous>'}`;
	return methodName(site);
}

function methodName(site: NodeJS.CallSite): string | null {
	const fn = site.getFunctionName();
	if (site.isConstructor()) return `new ${fn ?? site.getTypeName() ?? '<anonymous>'}`;
	if (fn === null || site.isToplevel()) return fn;
	const type = site.getTypeName();
	return type === null || type === 'Object' || fn.startsWith(`${type}.`) ? fn : `${type}.${fn}`;
}

function internFrame(site: NodeJS.CallSite, file: string): Frame {
	let byPosition = framesByFile.get(file);
	if (byPosition === undefined) {
		byPosition = new Map();
		framesByFile.set(file, byPosition);
	}
	const position = site.getPosition();
	let frame = byPosition.get(position);
	if (frame === undefined) {
		const line = site.getLineNumber() ?? 0;
		const column = site.getColumnNumber() ?? 0;
		// Node's own modules (loader, timers, async_hooks) say nothing about the application.
		const hidden = isOwnFile(file) || file.startsWith('node:');
		frame = { fn: functionName(site), file, line, column, hooked: hidden ? null : viaHook(site, file, line, column), hidden };
		byPosition.set(position, frame);
	}
	return frame;
}

function viaHook(site: NodeJS.CallSite, file: string, line: number, column: number): Frame['hooked'] {
	if (ambient === undefined) return null;
	try {
		const text: unknown = ambient(new Error(), [site]);
		const match = typeof text === 'string' ? LOCATION.exec(text.trimEnd()) : null;
		if (match === null) return null;
		const hooked = { file: match[1] ?? file, line: Number(match[2]), column: Number(match[3]) };
		return hooked.file === file && hooked.line === line && hooked.column === column ? null : hooked;
	} catch {
		return null;
	}
}

function child(node: DepotNode, frame: Frame): DepotNode | undefined {
	let next = node.children?.get(frame);
	if (next === undefined && nodeCount < DEPOT_LIMIT) {
		next = { frame, parent: node, children: undefined, stack: undefined };
		(node.children ??= new Map()).set(frame, next);
		nodeCount++;
	}
	return next;
}

function stackOf(node: DepotNode): Stack {
	if (node.stack !== undefined) return node.stack;
	const frames: Frame[] = [];
	for (let n: DepotNode | null = node; n !== null && n.frame !== null; n = n.parent) frames.push(n.frame);
	frames.reverse();
	node.stack = { frames };
	return node.stack;
}

function collect(_error: Error, sites: NodeJS.CallSite[]): Stack {
	let node = root;
	let overflow: Frame[] | undefined;
	let kept = 0;
	for (const site of sites) {
		if (kept === depth) break;
		const file = site.getFileName() ?? site.getScriptNameOrSourceURL() ?? '<unknown>';
		const frame = internFrame(site, file);
		if (frame.hidden) continue;
		kept++;
		if (overflow !== undefined) {
			overflow.push(frame);
			continue;
		}
		const next = child(node, frame);
		if (next === undefined) overflow = [...stackOf(node).frames, frame];
		else node = next;
	}
	return overflow === undefined ? stackOf(node) : { frames: overflow };
}

/**
 * Captures the stack below the most recent call of `above` (the public function the application
 * called), at most `maxFrames` frames deep, hidden frames removed. The raw V8 trace is reduced to
 * interned plain data before this returns: an unformatted trace would keep every frame's receiver and
 * closures alive.
 */
export function captureStack(maxFrames: number, above: Function): Stack {
	const savedPrepare = Error.prepareStackTrace;
	const savedLimit = Error.stackTraceLimit;
	// Another tool (source-map-support, a test runner) may own prepareStackTrace; borrow it only for this capture.
	ambient = savedPrepare === collect ? undefined : savedPrepare;
	try {
		Error.prepareStackTrace = collect;
		// Exactly the frames asked for: each costs a CallSite. Hidden frames (Node's, or reftrace's own around
		// a callback such as onZero) count against the depth rather than widening every capture.
		Error.stackTraceLimit = maxFrames;
		depth = maxFrames;
		let stack = take(above);
		// `above` not on the stack (it always is on reftrace's own paths): fall back to skipping by file.
		if (stack !== null && stack.frames.length === 0) stack = take(captureStack);
		if (stack !== null) return stack;
	} catch {
		// Frozen intrinsics: fall through to a report without a stack rather than break the application.
	} finally {
		restore(savedPrepare, savedLimit);
	}
	unavailable();
	return NO_FRAMES;
}

function take(above: Function): Stack | null {
	const holder: { stack?: unknown } = {};
	Error.captureStackTrace(holder, above);
	const stack = holder.stack;
	return typeof stack === 'object' && stack !== null && 'frames' in stack ? (stack as Stack) : null;
}

function restore(prepare: typeof Error.prepareStackTrace, limit: number): void {
	try {
		Error.prepareStackTrace = prepare;
		Error.stackTraceLimit = limit;
	} catch {
		// Not writable: then it was not changed either.
	}
}

const NO_FRAMES: Stack = { frames: [] };
let warned = false;

function unavailable(): void {
	if (warned) return;
	warned = true;
	process.emitWarning('reftrace cannot capture stacks here (Error.prepareStackTrace or Error.stackTraceLimit is not writable or is overridden by an accessor); reports will have no sites', {
		code: 'REFTRACE_NO_STACKS',
	});
}
