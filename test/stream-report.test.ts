import { afterEach, expect, test, vi } from 'vitest';
import { configure, markLongLived, type Ref, renderSnapshot, snapshot, track } from '../lib/index.js';
import { markLost } from '../lib/lost.js';
import { ObjectRecord, type Entry } from '../lib/record.js';
import { belowAdapter } from '../lib/ref.js';
import { gatherReport, liveReport } from '../lib/report-stream.js';
import { renderDump, renderExitReport, renderFoldedDump, renderFoldedExitReport } from '../lib/report/leak-report.js';
import { plain } from '../lib/report/paint.js';
import { collectSnapshot } from '../lib/snapshot.js';
import { collectViolations } from './helpers.js';

afterEach(() => {
	vi.restoreAllMocks();
	configure({ mode: 'list' });
});

// Full-mode references from three sites of this file, each its own line.
const fromA = (root: Ref<object>): Ref<object> => root.acquire('a-owner');
const fromB = (root: Ref<object>): Ref<object> => root.acquire('b-owner');
const fromC = (root: Ref<object>): Ref<object> => root.acquire();

/** Live references of every kind a report shows: bulk list-mode ones, nested counts, a revocation, long-lived ones, full-mode sites. */
function population(bulk: number): Ref<object>[] {
	collectViolations({ mode: 'list' });
	const roots = Array.from({ length: 10 }, (_, i) => track({ i }, { name: 'Bulk' }));
	const held: Ref<object>[] = [...roots];
	for (let i = 0; i < bulk; i++) held.push(roots[i % 10]!.acquire(`holder-${i % 7}`));
	// A chain of nested counts in list mode: its held references share the one list-mode site with the bulk.
	const mm = {};
	const bare = track(mm, { name: 'mm_bare_refs', owner: 'task' });
	const count = track(mm, { name: 'mm_count', holds: bare });
	const users = track(mm, { name: 'mm_users', owner: 'task', holds: count });
	held.push(users, users.acquire('reader'));
	const device = track({}, { name: 'Device' });
	const lease = device.acquire('renderer');
	held.push(device, lease, device.acquire('uploader'));
	device.revoke('device lost');
	// Revoked by its creator's loss, as instrument's revokedWhen does it: listed under the loss, in no site or
	// total, also the reference a nested count holds and a long-lived one.
	const buffer = track({}, { name: 'LostBuffer' });
	held.push(buffer, buffer.acquire('user'), track({}, { name: 'Binding', holds: buffer.acquire('bound') }), markLongLived(buffer.acquire('kept')));
	markLost(belowAdapter.revoke(buffer, 'device lost (destroyed)', null)!);
	held.push(markLongLived(track({}, { name: 'Config', owner: 'app' })));
	configure({ mode: 'full' });
	const pools = [track({}, { name: 'Pool' }), track({}, { name: 'Cache' })];
	held.push(...pools);
	for (let i = 0; i < 30; i++) held.push([fromA, fromB, fromC][i % 3]!(pools[i % 2]!));
	held.push(track({}, { name: 'Nested', holds: pools[0]!.acquire('nested') }));
	return held;
}

function bothWays(accepts: (entry: Entry) => boolean): void {
	// One time for both, so that ages and the report's time agree.
	vi.spyOn(performance, 'now').mockReturnValue(1_000_000);
	const whole = collectSnapshot(accepts);
	const chunks: string[] = [];
	const { report, failure } = liveReport(accepts, (pieces) => {
		for (const piece of pieces) chunks.push(piece);
	});
	expect(failure).toBe(null);
	const text = chunks.join('');
	expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(whole)));
	expect(report.totals).toEqual(whole.totals);
	expect(renderFoldedExitReport(report.view, report.folded, plain)).toBe(renderExitReport(whole, plain));
	expect(renderFoldedDump(report.view, report.folded, plain)).toBe(renderDump(whole, plain));
}

test('the streamed JSON report holds what the whole snapshot holds, and the text reports made from its tables are the same', () => {
	const held = population(20_000);
	bothWays(() => true);
	const text = renderExitReport(collectSnapshot(() => true), plain);
	// What the comparison covers: folded nested counts, a revocation, long-lived references, full-mode sites.
	expect(text).toMatch(/Nested#\d+ holds ref #\d+ of Pool#\d+ \(count 17\)/);
	expect(text).toContain('(3 more held by nested counts, shown under them)');
	expect(text).toContain('still held');
	expect(text).toMatch(/LostBuffer#\d+ revoked by its creator's loss for 'device lost \(destroyed\)'; 3 references not given back/);
	expect(text).toContain('expected to live until exit (not leaks): 2 references');
	expect(text).toMatch(/stream-report\.test\.ts:\d+:\d+/);
	// A part of the references, as the exit report takes all but the suppressed ones.
	bothWays((entry) => entry.id % 3 !== 0);
	for (const ref of held.reverse()) ref.release();
});

test('the JSON report lists the references before the tables and totals, which are known only once all are read', () => {
	const held = population(100);
	const chunks: string[] = [];
	liveReport(
		() => true,
		(pieces) => {
			for (const piece of pieces) chunks.push(piece);
		},
	);
	const keys = Object.keys(JSON.parse(chunks.join('')));
	expect(keys).toEqual(['schema', 'pid', 'threadId', 'time', 'objects', 'sites', 'stacks', 'totals', 'violations', 'signatures', 'suppressed', 'suppressions', 'longLived']);
	for (const ref of held.reverse()) ref.release();
});

test('a file that fails while the report is written loses the file, not the text report', () => {
	const held = population(30_000);
	let written = 0;
	const { report, failure } = liveReport(
		() => true,
		(pieces) => {
			for (const _ of pieces) if (++written === 2) throw new Error('disk full');
		},
	);
	expect(String(failure)).toBe('Error: disk full');
	expect(report.totals).toEqual(collectSnapshot(() => true).totals);
	for (const ref of held.reverse()) ref.release();
});

test('a site of 150,000 references beside folded ones is rendered from a snapshot too (the oldest age was a spread of every age: a stack overflow)', () => {
	const held = population(150_000);
	const text = renderSnapshot(snapshot());
	expect(text).toMatch(/^reftrace: leak report: 150049 live refs to 16 objects from 7 sites \(3 more held by nested counts, shown under them\)/);
	for (const ref of held.reverse()) ref.release();
});

test('a walk that throws while the JSON report is written is thrown, not spun on; a dump it stops leaves no file', async () => {
	const held = population(10);
	const broken = (): boolean => {
		throw new RangeError('walk failed');
	};
	const written: string[] = [];
	expect(() =>
		liveReport(broken, (pieces) => {
			for (const piece of pieces) written.push(piece);
		}),
	).toThrow('walk failed');
	// A dump whose walk fails aborts its file.
	const calls: string[] = [];
	const sink = { write: () => void calls.push('write'), commit: () => void calls.push('commit'), abort: () => void calls.push('abort') };
	const spy = vi.spyOn(ObjectRecord.prototype, 'live').mockImplementation(() => {
		throw new RangeError('walk failed');
	});
	await expect(gatherReport(sink, () => Promise.resolve())).rejects.toThrow('walk failed');
	spy.mockRestore();
	expect(calls.at(-1)).toBe('abort');
	expect(calls).not.toContain('commit');
	for (const ref of held.reverse()) ref.release();
});

test('after the file fails, the rest of the walk makes no more JSON', () => {
	const held = population(5_000);
	const stringify = vi.spyOn(JSON, 'stringify');
	let pieces = 0;
	const { report, failure } = liveReport(
		() => true,
		(chunks) => {
			for (const _piece of chunks) if (++pieces === 2) throw new Error('disk full');
		},
	);
	expect(String(failure)).toBe('Error: disk full');
	expect(report.totals.refs).toBeGreaterThan(5_000);
	const afterFailure = stringify.mock.calls.length;
	stringify.mockRestore();
	// Two pieces of 256 references each were made: the other ~4,700 references were never turned into JSON.
	expect(afterFailure).toBeLessThan(2_000);
	for (const ref of held.reverse()) ref.release();
});
