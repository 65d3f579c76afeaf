import { host, type Frame } from './platform/host.js';

/** An interned call stack: equal stacks captured anywhere share one Stack object (the kernel's stack depot). */
export interface Stack {
	readonly frames: readonly Frame[];
}

/*
 * The depot is a trie over frames, top frame first, keyed by frame identity (the host interns frames).
 * A stack seen 10,000 times is therefore stored once, and reports resolve it once.
 *
 * A node holds its Stack weakly: the entries and quarantines that refer to a stack keep it, and once none
 * does, the collector takes it and the node (with any ancestors left without stacks or children) leaves the
 * trie. So the depot holds what is in use, however many distinct sites the program has: sharing keeps
 * working at 100,000 sites, and sites nothing refers to any more cost nothing. The WeakRef and the
 * registration are paid once per distinct stack; each capture pays one `deref`.
 */
interface DepotNode {
	readonly frame: Frame | null;
	readonly parent: DepotNode | null;
	children: Map<Frame, DepotNode> | undefined;
	stack: WeakRef<Stack> | undefined;
}

const root: DepotNode = { frame: null, parent: null, children: undefined, stack: undefined };
let nodeCount = 0;
const NO_FRAMES: Stack = { frames: [] };
let warned = false;

function prune(node: DepotNode): void {
	// A newer Stack may have been made for this node since the collected one.
	if (node.stack?.deref() !== undefined) return;
	node.stack = undefined;
	for (let n = node; n.parent !== null && n.stack === undefined && (n.children === undefined || n.children.size === 0); n = n.parent) {
		n.parent.children!.delete(n.frame!);
		nodeCount--;
	}
}

const reaper = new FinalizationRegistry<DepotNode>(prune);

/** How many nodes the depot holds (for tests: it shrinks as stacks are collected). */
export function depotSize(): number {
	return nodeCount;
}

function child(node: DepotNode, frame: Frame): DepotNode {
	let next = node.children?.get(frame);
	if (next === undefined) {
		next = { frame, parent: node, children: undefined, stack: undefined };
		(node.children ??= new Map()).set(frame, next);
		nodeCount++;
	}
	return next;
}

// Small, so that V8 inlines it where stacks are captured (see `captureFrames` in v8-stack.ts); a new stack is made out of line.
function stackOf(node: DepotNode): Stack {
	return node.stack?.deref() ?? newStack(node);
}

function newStack(node: DepotNode): Stack {
	const frames: Frame[] = [];
	for (let n: DepotNode | null = node; n !== null && n.frame !== null; n = n.parent) frames.push(n.frame);
	frames.reverse();
	const stack = { frames };
	node.stack = new WeakRef(stack);
	reaper.register(stack, node);
	return stack;
}

/**
 * Interns frames the host captured, never keeping the host's array (it may be reused). Where the runtime
 * cannot capture stacks (null), warns once and returns an empty stack: reports then have no sites, and
 * the application is not disturbed. The hot paths call `host().captureFrames` themselves and pass the
 * result here: every frame between the capture and the application's call costs V8 a frame to walk.
 */
export function internFrames(frames: readonly Frame[] | null): Stack {
	if (frames === null) return unavailable();
	if (frames.length === 0) return NO_FRAMES;
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
