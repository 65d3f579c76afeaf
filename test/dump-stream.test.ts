import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, expect, test } from 'vitest';
import { dump } from '../lib/exit-report.js';
import { configure, type Ref, snapshot, track } from '../lib/index.js';
import { host } from '../lib/platform/host.js';
import { collectGarbage } from './helpers.js';

setFlagsFromString('--expose-gc');
// Synchronous, to be called between the dump's slices.
const gc = runInNewContext('gc') as () => void;

afterEach(() => configure({ dumpPath: null }));

/** `count` live references to 20 objects, in list mode. */
function populate(count: number): { roots: Ref<object>[]; held: Ref<object>[] } {
	configure({ mode: 'list', onViolation: 'throw' });
	const roots = Array.from({ length: 20 }, () => track({}, { name: 'Dumped' }));
	const held: Ref<object>[] = [];
	for (let i = 0; i < count; i++) held.push(roots[i % 20]!.acquire(`worker-${i % 5}`));
	return { roots, held };
}

/** Runs `dump()` with `turn` called on every turn of the event loop meanwhile; what it printed. */
async function dumpWhile(turn: () => void): Promise<string[]> {
	const writes: string[] = [];
	const write = host().writeError;
	host().writeError = (text) => void writes.push(text);
	let running = true;
	const loop = (): void => {
		if (!running) return;
		turn();
		setImmediate(loop);
	};
	setImmediate(loop);
	try {
		await dump();
	} finally {
		running = false;
		host().writeError = write;
	}
	return writes;
}

interface DumpFile {
	readonly totals: { readonly refs: number; readonly objects: number };
	readonly objects: readonly { readonly object: string; readonly refs: readonly { readonly ref: number; readonly object: string }[] }[];
	readonly sites: readonly { readonly refs: number }[];
}

test('references taken and given back while a dump is written never corrupt it: each reference once, totals that add up', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'reftrace-dump-'));
	const { roots, held } = populate(300_000);
	configure({ dumpPath: join(dir, 'dump.json') });
	const stable = new Set(held.slice(0, 1000).map((ref) => `${ref.label}:${ref.id}`));
	const churn: Ref<object>[] = [];
	const objects: Ref<object>[] = [];
	let turns = 0;
	let released = 1000;
	const writes = await dumpWhile(() => {
		turns++;
		for (let i = 0; i < 200; i++) churn.push(roots[(turns + i) % 20]!.acquire('churn'));
		for (const ref of churn.splice(0, 150)) ref.release();
		for (let i = 0; i < 100 && released < held.length; i++) held[released++]!.release();
		objects.push(track({}, { name: 'Passing' }));
		if (objects.length > 3) objects.shift()!.release();
	});
	expect(turns).toBeGreaterThan(2);
	expect(writes).toHaveLength(2);
	const data = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8')) as DumpFile;
	const ids = data.objects.flatMap((o) => o.refs.map((r) => `${r.object}:${r.ref}`));
	expect(new Set(ids).size).toBe(ids.length);
	expect(data.totals.refs).toBe(ids.length);
	expect(data.totals.objects).toBe(data.objects.length);
	expect(data.sites.reduce((sum, site) => sum + site.refs, 0)).toBe(ids.length);
	for (const id of stable) expect(ids.includes(id)).toBe(true);
	expect(writes[0]).toMatch(new RegExp(`^reftrace: live references \\(SIGUSR2\\): ${data.totals.refs} live refs to ${data.totals.objects} objects from 1 site\\n`));
	expect(writes[1]).toMatch(/^reftrace: dump 1 written to .*dump\.1\.json\n?$/);
	for (const ref of [...held.slice(released), ...held.slice(0, 1000), ...churn, ...objects, ...roots]) ref.release();
});

test('a dump keeps no per-reference structure: the heap it holds while it runs stays far below what a whole snapshot holds', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'reftrace-dump-'));
	const { roots, held } = populate(200_000);
	configure({ dumpPath: join(dir, 'dump.json') });
	// The leak detector registers new references on a timer, and earlier tests' finalizers free memory: both done before the baseline.
	await new Promise((resolve) => setTimeout(resolve, 50));
	await collectGarbage(() => false, 5);
	const before = process.memoryUsage().heapUsed;
	let most = 0;
	let turns = 0;
	// After a forced full collection the heap holds only what is reachable: what the dump keeps between
	// its slices, whatever the garbage it made meanwhile.
	const writes = await dumpWhile(() => {
		if (turns++ % 8 !== 0) return;
		gc();
		most = Math.max(most, process.memoryUsage().heapUsed - before);
	});
	expect(writes).toHaveLength(2);
	expect(turns).toBeGreaterThan(10);
	const whole = snapshot();
	gc();
	const wholeHeld = process.memoryUsage().heapUsed - before;
	expect(whole.totals.refs).toBe(200_020);
	// A whole snapshot holds about 100 bytes per reference (20 MB here), what the old dump held by its end; the
	// dump holds its tables and one object's list of entries (10,000 here: 80 KB), a few hundred KB in all.
	expect(wholeHeld).toBeGreaterThan(15 * 1024 * 1024);
	expect(most).toBeLessThan(5 * 1024 * 1024);
	for (const ref of [...held, ...roots]) ref.release();
});

test('a dump whose file cannot be written still prints its text, and says why there is no file', async () => {
	const { roots, held } = populate(1000);
	configure({ dumpPath: join(tmpdir(), 'reftrace-no-such-dir', 'sub', 'dump.json') });
	const writes = await dumpWhile(() => {});
	expect(writes).toHaveLength(2);
	expect(writes[0]).toMatch(/^reftrace: could not write the JSON dump: Error: ENOENT/);
	expect(writes[1]).toMatch(/^reftrace: live references \(SIGUSR2\): 1020 live refs to 20 objects from 1 site\n/);
	for (const ref of [...held, ...roots]) ref.release();
});
