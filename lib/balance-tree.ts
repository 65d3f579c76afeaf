import { balanceOf } from './balance.js';
import type { Frame } from './platform/host.js';
import type { ObjectRecord } from './record.js';
import { sourceFrame } from './sources.js';

/*
 * The balance tree of an object counted without tokens (Mozilla's refcount balancer, Instruments'
 * retain/release pairing): every retain (+1) and release (−1) path merged root-first; a subtree whose
 * retains and releases cancel is pruned, so what is left is the path that retained without releasing
 * (or released once too often).
 */

/*
 * Every frame is a node per function (file and name), whatever line in it made the call: a function that
 * retains through one call and releases through another is balanced, and its subtree cancels. Below the
 * innermost function, one node per position (`leaf`) keeps the exact lines of the retains and releases.
 */
interface Node {
	net: number;
	readonly leaf: boolean;
	/** The positions of this function the paths went through, with their net counts. */
	readonly frames: Map<Frame, number>;
	readonly children: Map<Frame | string, Node>;
}

function childOf(node: Node, key: Frame | string, leaf: boolean): Node {
	let next = node.children.get(key);
	if (next === undefined) {
		next = { net: 0, leaf, frames: new Map(), children: new Map() };
		node.children.set(key, next);
	}
	return next;
}

// Lines printed per tree at most: a report stays readable however many paths an object saw.
const LINE_LIMIT = 40;

const isDependency = (frame: Frame): boolean => frame.line === 0 || frame.file.startsWith('node:') || frame.file.includes('node_modules/');

/**
 * A node's text: `fn (file:line:column)`, or `fn (file:12, 14)` for a function whose unbalanced paths
 * left it from several lines (lines whose paths cancel are not shown).
 */
function nodeText(positions: ReadonlyMap<Frame, number>): string {
	const shown = [...positions].filter(([, net]) => net !== 0).map(([frame]) => sourceFrame(frame));
	const f = shown[0] ?? sourceFrame(positions.keys().next().value!);
	const lines = [...new Set(shown.map((s) => s.line))];
	const at = f.line === 0 ? 'native' : lines.length === 1 ? `${f.file}:${f.line}:${f.column}` : `${f.file}:${lines.join(', ')}`;
	return f.fn === null ? at : `${f.fn} (${at})`;
}

/**
 * The balance tree of `record` as indented lines (`+1 handle (app.ts:12:3)`), innermost calls deepest;
 * runs of dependency frames with one path through them are folded into one line. Empty when nothing
 * is unbalanced or nothing was noted (list and off modes note nothing).
 */
export function balanceLines(record: ObjectRecord): string[] {
	const paths = balanceOf(record);
	if (paths === undefined || paths.size === 0) return [];
	const root: Node = { net: 0, leaf: false, frames: new Map(), children: new Map() };
	for (const [stack, net] of paths) {
		root.net += net;
		let node = root;
		for (let i = stack.frames.length - 1; i >= 0; i--) {
			const frame = stack.frames[i]!;
			node = childOf(node, `${frame.file}\0${frame.fn ?? ''}`, false);
			node.frames.set(frame, (node.frames.get(frame) ?? 0) + net);
			node.net += net;
			if (i > 0) continue;
			node = childOf(node, frame, true);
			node.frames.set(frame, net + (node.frames.get(frame) ?? 0));
			node.net += net;
		}
	}
	const lines: string[] = [];
	const sign = (n: number): string => (n > 0 ? `+${n}` : `${n}`);
	const unbalanced = (node: Node): Node[] => [...node.children.values()].filter((c) => c.net !== 0);
	const walk = (node: Node, depth: number): void => {
		for (let child of unbalanced(node)) {
			if (lines.length >= LINE_LIMIT) return;
			let folded = 0;
			// A dependency frame with a single unbalanced path below it says nothing of the bug: folded.
			while (!child.leaf && isDependency(child.frames.keys().next().value!) && unbalanced(child).length === 1 && !unbalanced(child)[0]!.leaf) {
				child = unbalanced(child)[0]!;
				folded++;
			}
			if (folded > 0) lines.push(`${'  '.repeat(depth)}… ${folded} frames in dependencies`);
			const below = unbalanced(child);
			// A function whose only unbalanced line is one position is printed as that position.
			const single = below.length === 1 && below[0]!.leaf && below[0]!.net === child.net ? below[0]! : null;
			lines.push(`${'  '.repeat(depth)}${sign(child.net)} ${nodeText((single ?? child).frames)}`);
			if (single === null) walk(child, depth + 1);
		}
	};
	walk(root, 0);
	if (lines.length >= LINE_LIMIT) lines.push('… more paths not shown');
	return lines;
}
