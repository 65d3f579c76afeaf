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

interface Node {
	net: number;
	readonly children: Map<Frame, Node>;
}

// Lines printed per tree at most: a report stays readable however many paths an object saw.
const LINE_LIMIT = 40;

const isDependency = (frame: Frame): boolean => frame.line === 0 || frame.file.startsWith('node:') || frame.file.includes('node_modules/');

function frameText(frame: Frame): string {
	const f = sourceFrame(frame);
	const at = f.line === 0 ? 'native' : `${f.file}:${f.line}:${f.column}`;
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
	const root: Node = { net: 0, children: new Map() };
	for (const [stack, net] of paths) {
		root.net += net;
		let node = root;
		for (let i = stack.frames.length - 1; i >= 0; i--) {
			const frame = stack.frames[i]!;
			let next = node.children.get(frame);
			if (next === undefined) {
				next = { net: 0, children: new Map() };
				node.children.set(frame, next);
			}
			next.net += net;
			node = next;
		}
	}
	const lines: string[] = [];
	const sign = (n: number): string => (n > 0 ? `+${n}` : `${n}`);
	const walk = (node: Node, depth: number): void => {
		for (let [frame, child] of node.children) {
			if (child.net === 0 || lines.length >= LINE_LIMIT) continue;
			let folded = 0;
			// A dependency frame with a single live path below it says nothing of the bug: folded.
			while (isDependency(frame) && [...child.children.values()].filter((c) => c.net !== 0).length === 1) {
				const [nextFrame, nextChild] = [...child.children].find(([, c]) => c.net !== 0)!;
				frame = nextFrame;
				child = nextChild;
				folded++;
			}
			if (folded > 0) lines.push(`${'  '.repeat(depth)}… ${folded} frames in dependencies`);
			lines.push(`${'  '.repeat(depth)}${sign(child.net)} ${frameText(frame)}`);
			walk(child, depth + 1);
		}
	};
	walk(root, 0);
	if (lines.length >= LINE_LIMIT) lines.push('… more paths not shown');
	return lines;
}
