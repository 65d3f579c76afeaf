import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

// The layout docs/architecture.md describes, checked so that it cannot erode silently.
const LIB = fileURLToPath(new URL('../lib/', import.meta.url));

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((item) => {
		const path = join(dir, item.name);
		return item.isDirectory() ? sourceFiles(path) : /\.c?ts$/.test(item.name) ? [path] : [];
	});
}

/** A file's code without its comments (good enough for TypeScript written in this project's style). */
function code(path: string): string {
	return readFileSync(path, 'utf8')
		.replace(/\/\*[\s\S]*?\*\//g, '')
		.split('\n')
		.map((line) => line.replace(/(^|\s)\/\/.*$/, ''))
		.join('\n');
}

/** Every relative import of every file in lib/ (type-only ones too: they are arrows all the same), as paths relative to lib/. */
function importGraph(): Map<string, string[]> {
	const graph = new Map<string, string[]>();
	for (const path of sourceFiles(LIB)) {
		const targets = [...code(path).matchAll(/(?:from\s+|import\s+|require\()'(\.{1,2}\/[^']+)\.js'/g)].map((match) => relative(LIB, join(dirname(path), `${match[1]}.ts`)));
		graph.set(relative(LIB, path), targets);
	}
	return graph;
}

/** The circles of a directed graph: its strongly connected parts of more than one node, or a node importing itself (Tarjan). */
function findCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const circles: string[][] = [];
	const visit = (node: string): void => {
		index.set(node, index.size);
		low.set(node, index.get(node)!);
		stack.push(node);
		for (const next of graph.get(node) ?? []) {
			if (!index.has(next)) {
				visit(next);
				low.set(node, Math.min(low.get(node)!, low.get(next)!));
			} else if (stack.includes(next)) {
				low.set(node, Math.min(low.get(node)!, index.get(next)!));
			}
		}
		if (low.get(node) !== index.get(node)) return;
		const part: string[] = [];
		let member: string;
		do {
			member = stack.pop()!;
			part.push(member);
		} while (member !== node);
		if (part.length > 1 || (graph.get(node) ?? []).includes(node)) circles.push(part.sort());
	};
	for (const node of graph.keys()) if (!index.has(node)) visit(node);
	return circles;
}

test('the circle finder finds circles and nothing else', () => {
	const graph = new Map([
		['a.ts', ['b.ts']],
		['b.ts', ['c.ts', 'd.ts']],
		['c.ts', ['a.ts']],
		['d.ts', ['e.ts']],
		['e.ts', []],
		['f.ts', ['f.ts']],
	]);
	expect(findCircles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['f.ts']]);
	expect(findCircles(new Map([...graph, ['c.ts', []], ['f.ts', []]]))).toEqual([]);
});

test('no file in lib/ imports, directly or through others, a file that imports it', () => {
	const graph = importGraph();
	expect(graph.size).toBeGreaterThan(20);
	for (const [file, targets] of graph) for (const target of targets) expect(graph.has(target), `${file} imports ${target}`).toBe(true);
	expect(findCircles(graph)).toEqual([]);
});

const NODE_ONLY = [/from 'node:/, /\bprocess\b/, /\bNodeJS\./, /source-map-support/, /\bBuffer\b/, /\bsetImmediate\b/, /(?<!\bimport\s+\w+\s*=\s*)\brequire\(/, /__dirname/]; // `import x = require('./y.js')` is a CommonJS file's import (jest-cjs.cts)

test('Node APIs are used only under lib/platform/', () => {
	const offenders = sourceFiles(LIB)
		.filter((path) => !relative(LIB, path).startsWith('platform/'))
		.flatMap((path) => NODE_ONLY.filter((pattern) => pattern.test(code(path))).map((pattern) => `${relative(LIB, path)}: ${pattern}`));
	expect(offenders).toEqual([]);
});

test('lower layers never import the ones above them', () => {
	// Entry points → Ref/track → detectors and consumers → record → capture; data, errors and rendering are leaves.
	const LAYERS = [
		['index.ts', 'register.ts', 'vitest.ts', 'start.ts', 'node-test.ts', 'jest-cjs.cts', 'jest.ts', 'bin.ts', 'embind.ts', 'browser.ts'],
		['cli/main.ts', 'cli/commands.ts', 'cli/read-report.ts'],
		['embind-adapter.ts', 'long-lived.ts', 'instrument.ts', 'revoke-adopted.ts'],
		['ref.ts', 'leak-window.ts', 'check-leaks-browser.ts'],
		['check-leaks.ts', 'gc-leaks.ts', 'exit-report.ts', 'trace.ts'],
		['report-stream.ts', 'explain.ts', 'dispatch.ts', 'snapshot.ts', 'snapshot-walk.ts', 'balance-tree.ts', 'events.ts', 'sources.ts', 'suppress.ts', 'trace-format.ts', 'explain-counts.ts'],
		['entry-log.ts'],
		['record.ts', 'gate.ts', 'scope.ts', 'owner-context.ts', 'balance.ts', 'expected-refs.ts', 'stack.ts', 'settings.ts', 'tally.ts', 'clock.ts', 'report-name.ts', 'lost.ts'],
		['errors.ts', 'report/violation.ts', 'report/leak-report.ts', 'report/format.ts', 'report/paint.ts', 'report/escape.ts', 'report/json.ts', 'wording.ts', 'data.ts', 'report/signature.ts', 'report/suppression-rules.ts', 'report/frames.ts', 'report/diff.ts', 'report/merge.ts', 'report/lifelines.ts', 'report/chain.ts'],
		[
			'platform/node.ts',
			'platform/node-source-map.ts',
			'platform/v8-stack.ts',
			'platform/v8-frames.ts',
			'platform/node-exit.ts',
			'platform/node-report-file.ts',
			'platform/node-write.ts',
			'platform/node-cli.ts',
			'platform/host.ts',
			'platform/runtime.ts',
			'platform/node-test-hooks.ts',
			'platform/node-vm.ts',
			'platform/browser.ts',
			'platform/browser-console.ts',
			'platform/string-stacks.ts',
			'platform/browser-tail-calls.ts',
		],
	];
	const layerOf = new Map(LAYERS.flatMap((files, layer) => files.map((file) => [file, layer] as const)));
	const graph = importGraph();
	expect([...graph.keys()].filter((file) => !layerOf.has(file))).toEqual([]);
	const upward = [...graph].flatMap(([file, targets]) => targets.filter((target) => layerOf.get(target)! < layerOf.get(file)!).map((target) => `${file} → ${target}`));
	expect(upward).toEqual([]);
});

test('the browser entry reaches no Node API, through any import', () => {
	const graph = importGraph();
	const reached = new Set<string>();
	const visit = (file: string): void => {
		if (reached.has(file)) return;
		reached.add(file);
		for (const target of graph.get(file) ?? []) visit(target);
	};
	visit('browser.ts');
	expect(reached.has('platform/browser.ts')).toBe(true);
	expect(reached.has('platform/node.ts')).toBe(false);
	// Type-only uses of Node's types (\`NodeJS.CallSite\` in the V8 capture) vanish when compiled; values may not appear.
	const VALUES = NODE_ONLY.filter((pattern) => pattern.source !== String.raw`\bNodeJS\.`);
	const offenders = [...reached].flatMap((file) => VALUES.filter((pattern) => pattern.test(code(join(LIB, file)))).map((pattern) => `${file}: ${pattern}`));
	expect(offenders).toEqual([]);
});
