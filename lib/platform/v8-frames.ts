import type { Frame, Position } from './host.js';

/*
 * The frame table behind V8 stack capture. A call site is looked up by its script and source *position*,
 * which V8 hands out without computing a line or a name; only a frame seen for the first time pays for
 * its line, column and function name, so equal frames are one object however often they are captured.
 *
 * A script is its name *and* its source hash: code from `eval` and `new Function` has no name, every
 * `vm` script without a file name is `evalmachine.<anonymous>`, and a reloaded module keeps its file
 * while its code changes. Keyed by name alone, two such scripts would share frames and one function's
 * references would be reported as another's. V8 computes a script's hash once and keeps it.
 */

/*
 * Frames are held weakly: the stacks that use a frame keep it, and once none does, the collector takes it
 * and its slot leaves the table (and a script left without slots leaves too). The table therefore holds the
 * frames in use, however many distinct sites there are, and frames stay one object per position as long as
 * anything refers to them. A new frame pays a WeakRef and a registration once; a capture pays a `deref` per frame
 * not among the recent frames (see `frameOf`), which are held strongly, 256 at most.
 */

function functionName(site: NodeJS.CallSite): string | null {
	// A frame resumed after an await, as Node prints it: `async handleRequest`.
	if (site.isAsync()) return `async ${methodName(site) ?? '<anonymous>'}`;
	return methodName(site);
}

// JavaScriptCore (Bun) names anonymous functions '' and unknown types 'undefined'; V8 says null for both.
const nameOrNull = (name: string | null): string | null => (name === '' || name === 'undefined' ? null : name);

function methodName(site: NodeJS.CallSite): string | null {
	const fn = nameOrNull(site.getFunctionName());
	if (site.isConstructor()) return `new ${fn ?? nameOrNull(site.getTypeName()) ?? '<anonymous>'}`;
	if (fn === null || site.isToplevel()) return fn;
	const type = nameOrNull(site.getTypeName());
	return type === null || type === 'Object' || fn.startsWith(`${type}.`) ? fn : `${type}.${fn}`;
}

/** One script's frames by source position (null: a frame never shown), and the other scripts of the same name. */
interface Script {
	readonly name: string;
	readonly hash: string;
	// A module URL names one script: a reloaded module gets a new URL (`?t=2`), so its hash need not be read.
	readonly byUrl: boolean;
	readonly byPosition: Map<number, WeakRef<Frame> | null>;
	/** The first script of this name, for the others (which it lists). */
	readonly first: Script | null;
	others: Map<string, Script> | undefined;
}

/*
 * Deno's and Bun's call sites have no `getPosition` and no `getScriptHash`: there a frame is keyed by its
 * line and column (exact up to line 2^21, far past any real file), and a script by its id where the
 * runtime has one (Bun's `getScriptId`), else by its name and, for code from eval, where it was compiled. Which kind of call site this runtime
 * has is looked up once, at load, so that V8's path stays a direct call.
 */
const LINE_STRIDE = 2 ** 32;
// Slots of the table's cache of recent frames (a power of two).
const RECENT = 256;
type Site = NodeJS.CallSite & { getPosition?: () => number; getScriptHash?: () => string; getScriptId?: () => number | string };

function callSitesHavePosition(): boolean {
	const saved = Error.prepareStackTrace;
	try {
		Error.prepareStackTrace = (_error, sites) => sites;
		const sites = new Error().stack as unknown as Site[] | undefined;
		return typeof sites?.[0]?.getPosition === 'function';
	} catch {
		// No CallSite API to ask: captures will find out and say so.
		return true;
	} finally {
		try {
			Error.prepareStackTrace = saved;
		} catch {
			// Not writable: then it was not changed either.
		}
	}
}
const HAS_POSITION = callSitesHavePosition();
const positionOf = (site: Site): number => (HAS_POSITION ? site.getPosition!() : (site.getLineNumber() ?? 0) * LINE_STRIDE + (site.getColumnNumber() ?? 0));
const hashOf = (site: Site): string => (HAS_POSITION ? site.getScriptHash!() : String(site.getScriptId?.() ?? (site.isEval() ? (site.getEvalOrigin() ?? '') : '')));

/** What the runtime's own stack hook prints for a frame, when that differs from the generated position. */
export type ViaHook = (site: NodeJS.CallSite, file: string, line: number, column: number) => Position | null;

/** Frames interned by script and position. */
export interface FrameTable {
	/** The frame of a call site, the same object for the same script and position; null for a hidden one. */
	readonly frameOf: (site: NodeJS.CallSite) => Frame | null;
}

/** A frame table; frames of files `isHidden` accepts are null, and `viaHook` fills a new frame's `hooked`. */
export function frameTable(isHidden: (file: string) => boolean, viaHook: ViaHook): FrameTable {
	// Scripts by name; code from eval has none and goes under ''.
	const scripts = new Map<string, Script>();
	// Builtins (`Array.map`) have no script and no position: by function name (a few hundred at most).
	const natives = new Map<string, Frame>();

	const forget = ({ script, position }: { script: Script; position: number }): void => {
		const held = script.byPosition.get(position);
		if (held === null || held?.deref() !== undefined) return;
		script.byPosition.delete(position);
		if (script.byPosition.size > 0 || (script.others?.size ?? 0) > 0) return;
		if (script.first === null) scripts.delete(script.name);
		else script.first.others?.delete(script.hash);
	};
	const reaper = new FinalizationRegistry(forget);

	const scriptOf = (first: Script | undefined, name: string, hash: string): Script => {
		if (first !== undefined && first.hash === hash) return first;
		let script = first?.others?.get(hash);
		if (script === undefined) {
			script = { name, hash, byUrl: first === undefined && name.startsWith('file://'), byPosition: new Map(), first: first ?? null, others: undefined };
			if (first === undefined) scripts.set(name, script);
			else (first.others ??= new Map()).set(hash, script);
		}
		return script;
	};

	const makeFrame = (site: NodeJS.CallSite, name: string | null): Frame | null => {
		const file = name ?? '<anonymous>';
		if (isHidden(file)) return null;
		const line = site.getLineNumber() ?? 0;
		const column = site.getColumnNumber() ?? 0;
		const evalOrigin = name === null ? (site.getEvalOrigin() ?? null) : null;
		const hooked = evalOrigin === null ? viaHook(site, file, line, column) : null;
		return { fn: functionName(site), file, line, column, hooked, evalOrigin, dependency: file.includes('node_modules/') || line === 0 };
	};

	const nativeFrame = (site: NodeJS.CallSite): Frame => {
		const fn = functionName(site);
		let frame = natives.get(fn ?? '');
		if (frame === undefined) {
			frame = { fn, file: '<unknown>', line: 0, column: 0, hooked: null, evalOrigin: null, dependency: true };
			natives.set(fn ?? '', frame);
		}
		return frame;
	};

	const lookUp = (site: NodeJS.CallSite, name: string | null, script: Script, position: number): Frame | null => {
		const held = script.byPosition.get(position);
		if (held === null) return null;
		let frame = held?.deref();
		if (frame === undefined) {
			const made = makeFrame(site, name);
			if (made === null) {
				script.byPosition.set(position, null);
				return null;
			}
			frame = made;
			script.byPosition.set(position, new WeakRef(frame));
			reaper.register(frame, { script, position });
		}
		return frame;
	};

	/*
	 * The frames looked up last, by position modulo RECENT: a hit costs no map lookup and no `deref` (whose
	 * bookkeeping in V8 cost about 2% of a `full` pair). Held strongly, so at most RECENT frames stay in the
	 * table a little longer than the stacks that used them; a slot is overwritten by the next frame that maps
	 * to it.
	 */
	const recentScripts: (Script | undefined)[] = new Array<Script | undefined>(RECENT).fill(undefined);
	const recentPositions: number[] = new Array<number>(RECENT).fill(-1);
	const recentFrames: (Frame | null)[] = new Array<Frame | null>(RECENT).fill(null);

	const frameOf = (site: NodeJS.CallSite): Frame | null => {
		const name = site.getFileName() ?? site.getScriptNameOrSourceURL() ?? null;
		if (name === null && !site.isEval()) return nativeFrame(site);
		const first = scripts.get(name ?? '');
		const script = first !== undefined && first.byUrl ? first : scriptOf(first, name ?? '', hashOf(site));
		const position = positionOf(site);
		const slot = position & (RECENT - 1);
		if (recentScripts[slot] === script && recentPositions[slot] === position) return recentFrames[slot]!;
		const frame = lookUp(site, name, script, position);
		recentScripts[slot] = script;
		recentPositions[slot] = position;
		recentFrames[slot] = frame;
		return frame;
	};

	return { frameOf };
}
