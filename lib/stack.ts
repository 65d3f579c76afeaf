import { host, type Frame } from './platform/host.js';

/** An interned call stack: equal stacks captured anywhere share one Stack object (the kernel's stack depot). */
export interface Stack {
	readonly frames: readonly Frame[];
}

/*
 * The depot is a trie over frames, top frame first, keyed by frame identity (the host interns frames).
 * A stack seen 10,000 times is therefore stored once, and reports resolve it once.
 */
interface DepotNode {
	readonly frame: Frame | null;
	readonly parent: DepotNode | null;
	children: Map<Frame, DepotNode> | undefined;
	stack: Stack | undefined;
}

/*
 * Past this many interned nodes the depot starts afresh: the old trie is then kept only by the stacks
 * still referenced (each holds its own frames), and code generated without end (a `new Function` per
 * request) cannot grow it without bound. Stacks captured before and after are equal but not the same
 * object; snapshots group equal stacks by their text.
 */
const DEPOT_LIMIT = 65_536;
const newRoot = (): DepotNode => ({ frame: null, parent: null, children: undefined, stack: undefined });
let root = newRoot();
let nodeCount = 0;
const NO_FRAMES: Stack = { frames: [] };
let warned = false;

function child(node: DepotNode, frame: Frame): DepotNode {
	let next = node.children?.get(frame);
	if (next === undefined) {
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

/**
 * Interns frames the host captured, never keeping the host's array (it may be reused). Where the runtime
 * cannot capture stacks (null), warns once and returns an empty stack: reports then have no sites, and
 * the application is not disturbed. The hot paths call `host().captureFrames` themselves and pass the
 * result here: every frame between the capture and the application's call costs V8 a frame to walk.
 */
export function internFrames(frames: readonly Frame[] | null): Stack {
	if (frames === null) return unavailable();
	if (nodeCount >= DEPOT_LIMIT) {
		root = newRoot();
		nodeCount = 0;
	}
	let node = root;
	for (const frame of frames) node = child(node, frame);
	return stackOf(node);
}

function unavailable(): Stack {
	if (!warned) {
		warned = true;
		host().warn(`reftrace cannot capture stacks here (${host().captureFailure()}); reports will have no sites`, 'REFTRACE_NO_STACKS');
	}
	return NO_FRAMES;
}

/**
 * Captures the stack below the most recent call of `above` (the public function the application
 * called), at most `maxFrames` frames deep, reftrace's own frames removed, interned in the depot.
 */
export function captureStack(maxFrames: number, above: Function): Stack {
	return internFrames(host().captureFrames(maxFrames, above));
}
