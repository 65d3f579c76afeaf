import { expect, test } from 'vitest';
import { renderSnapshot, snapshot, SNAPSHOT_SCHEMA, track, type Snapshot, type SnapshotSite } from '../lib/index.js';
import { collectSnapshot } from '../lib/snapshot.js';
import { collectViolations, lineOf, siteOf } from './helpers.js';

class Conn {}

function newConn() {
	return track(new Conn(), { name: 'SnapConn', owner: 'pool' }); // @track
}

function openConn(root: ReturnType<typeof track<Conn>>) {
	return root.acquire('handler'); // @open
}

test('snapshot groups live references by object and by site as JSON-serialisable data', () => {
	collectViolations();
	const a = newConn();
	const b = newConn();
	const refs = [openConn(a), openConn(a), openConn(b)];
	const data = snapshot();
	expect(JSON.parse(JSON.stringify(data))).toEqual(data);
	expect(data.schema).toBe(SNAPSHOT_SCHEMA);
	expect(data.pid).toBe(process.pid);
	expect(data.totals).toEqual({ objects: 2, refs: 5, collected: 0, sites: 2 });
	expect(data.objects.map((o) => [o.object, o.count, o.refs.length])).toEqual([
		[a.label, 3, 3],
		[b.label, 2, 2],
	]);
	const [open, tracked] = data.sites;
	expect(lineOf(open?.site)).toBe(siteOf(import.meta.url, 'open'));
	expect(open?.objects).toEqual([
		{ object: a.label, refs: 2, count: 3 },
		{ object: b.label, refs: 1, count: 2 },
	]);
	expect(open?.owners).toEqual([{ owner: 'handler', refs: 3 }]);
	expect(data.stacks[open!.stacks[0]!.stack]![0]).toMatch(/^openConn \(test\/snapshot\.test\.ts:\d+:\d+\)$/);
	expect(lineOf(tracked?.site)).toBe(siteOf(import.meta.url, 'track'));
	const text = renderSnapshot(data);
	expect(text.split('\n')[0]).toBe('reftrace: leak report: 5 live refs to 2 objects from 2 sites');
	expect(text).toContain(`  ${a.label} has 2/3 refs at ${open?.site} - return root.acquire('handler'); // @open`);
	expect(text).toContain(`    also ${b.label} has 1/2: 3 refs in all here`);
	expect(text.split('\n').at(-1)).toBe('SUMMARY: reftrace: 5 live references to 2 objects from 2 sites; 0 violations');
	for (const ref of [...refs, a, b]) ref.release();
	expect(snapshot().totals.refs).toBe(0);
	expect(renderSnapshot(snapshot())).toBe('reftrace: no live references');
});

test('objects tracked in off mode are not in snapshots', () => {
	collectViolations({ mode: 'off' });
	const ref = track(new Conn());
	expect(snapshot().totals.refs).toBe(0);
	ref.release();
});

test('the report limits the objects shown per site with "and N more"', () => {
	collectViolations();
	const roots = Array.from({ length: 12 }, (_, i) => track(new Conn(), { name: `Many${i}` }));
	const text = renderSnapshot(collectSnapshot((entry) => entry.record.name.startsWith('Many')));
	expect(text).toContain('    also Many1#1 has 1/1, Many2#1 has 1/1, Many3#1 has 1/1 and 8 more objects: 12 refs in all here');
	for (const root of roots) root.release();
});

test('the report limits the owners shown per site with "and N more owners"', () => {
	collectViolations();
	const root = track(new Conn(), { name: 'Owned' });
	const refs = Array.from({ length: 12 }, (_, i) => root.acquire(`o${i}`));
	const lines = renderSnapshot(collectSnapshot((entry) => entry.record.name === 'Owned' && entry.origin === 'acquire')).split('\n');
	expect(lines.filter((line) => line.startsWith('    owners:')).map((line) => line.replace(/; oldest .*/, ''))).toEqual([
		'    owners: o11, o10, o9, o8, o7 and 7 more owners',
	]);
	for (const ref of [...refs, root]) ref.release();
});

/** Site `n` of a made-up snapshot: one object with `refs` references from owner `x`, `collected` of them collected. */
function madeUpSite(n: number, refs: number, collected: number): SnapshotSite {
	return {
		site: `app.ts:${n}:1`,
		source: null,
		objects: [{ object: `Obj#${n}`, refs, count: refs }],
		refs,
		collected,
		oldest: 5,
		stacks: [],
		owners: [{ owner: 'x', refs }],
	};
}

/** A made-up snapshot of the given sites, each with its own object. */
function madeUpSnapshot(sites: SnapshotSite[], violations: Snapshot['violations']): Snapshot {
	const sum = (key: 'refs' | 'collected') => sites.reduce((total, site) => total + site[key], 0);
	return {
		schema: SNAPSHOT_SCHEMA,
		pid: 1,
		threadId: 0,
		time: 0,
		totals: { objects: sites.length, refs: sum('refs'), collected: sum('collected'), sites: sites.length },
		objects: [],
		sites,
		stacks: [],
		violations,
	};
}

test('the exit report counts references collected while live apart from live ones', () => {
	const text = renderSnapshot(madeUpSnapshot([madeUpSite(1, 3, 1)], {}));
	expect(text.split('\n')).toEqual([
		'reftrace: leak report: 2 live refs and 1 collected while live, to 1 object from 1 site',
		'  Obj#1 has 3/3 refs at app.ts:1:1',
		'    owners: x ×3; oldest 5.0 ms; 1 collected while live',
		expect.stringMatching(/^ {4}signature: [0-9a-f]{8}\tleak\tObj\t<no stack>$/),
		'SUMMARY: reftrace: 2 live references and 1 collected while live, to 1 object from 1 site; 0 violations',
	]);
});

test('the report limits the sites shown with "... and N more sites"', () => {
	const sites = Array.from({ length: 13 }, (_, i) => madeUpSite(i + 1, 1, 0));
	const text = renderSnapshot(madeUpSnapshot(sites, { 'double-release': 2 }));
	expect(text.split('\n')).toEqual([
		'reftrace: leak report: 13 live refs to 13 objects from 13 sites',
		...sites.slice(0, 10).flatMap((s) => [`  ${s.objects[0]!.object} has 1/1 refs at ${s.site}`, '    owners: x; oldest 5.0 ms', expect.stringMatching(/^ {4}signature: [0-9a-f]{8}\tleak\tObj\t<no stack>$/)]),
		'  ... and 3 more sites with 3 refs',
		'  violations reported: 2 double-release',
		'SUMMARY: reftrace: 13 live references to 13 objects from 13 sites; 2 violations',
	]);
});
