import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { childEnv, packageRoot, siteOf, startWaiting } from './helpers.js';
import { checkTrace } from './trace-checker.js';

const scratch = mkdtempSync(join(tmpdir(), 'reftrace-trace-'));
const FIXTURE = 'test/fixtures/trace-app.mjs';
const fixtureUrl = new URL('fixtures/trace-app.mjs', import.meta.url).href;

interface TraceFile {
	traceEvents: { name: string; ph: string; cat?: string; id?: number; tid: number; ts: number; bp?: string; args?: Record<string, unknown> }[];
	otherData: { reftrace: { events: number; dropped: number; maxEvents: number; note?: string } };
}

function run(name: string, args: string[], env: Record<string, string> = {}) {
	const path = join(scratch, `${name}.json`);
	const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'reftrace/register', FIXTURE, ...args], {
		cwd: packageRoot,
		env: childEnv({ REFTRACE_TRACE: path, ...env }),
		encoding: 'utf8',
	});
	return { result, path, text: () => readFileSync(path, 'utf8') };
}

test('the independent checker finds what makes a trace invalid', () => {
	const event = (extra: object) => ({ name: 'x', pid: 1, tid: 1, ts: 5, ...extra });
	const trace = (...events: object[]) => JSON.stringify({ traceEvents: events });
	expect(checkTrace(trace(event({ ph: 'b', cat: 'c', id: 1 }), event({ ph: 'e', cat: 'c', id: 1 })))).toEqual([]);
	expect(checkTrace('{"traceEvents": [')).toEqual([expect.stringMatching(/^not JSON/)]);
	expect(checkTrace(trace(event({ ph: 'e', cat: 'c', id: 1 })))).toEqual(['event 0: async end without a begin (c 1 x)']);
	expect(checkTrace(trace(event({ ph: 'b', cat: 'c', id: 1 }), event({ ph: 'e', cat: 'c', id: 2 })))).toHaveLength(2);
	expect(checkTrace(trace(event({ ph: 'b', id: 1 })))).toContain('event 0: async event without cat');
	expect(checkTrace(trace({ name: 'x', ph: 'i', pid: 1, tid: 1 }))).toEqual(['event 0: no timestamp']);
	expect(checkTrace(trace(event({ ph: 'f', cat: 'm', id: 3, bp: 'e' })))).toEqual(['event 0: flow finish without a start']);
	expect(checkTrace(trace(event({ ph: 'C', args: { count: 'two' } })))).toEqual(['event 0: counter without numeric args']);
	expect(checkTrace(trace(event({ ph: 'Q' })))).toEqual(['event 0: unknown phase Q']);
	const counts = trace(event({ ph: 'C', args: { count: 1 } }), event({ ph: 'C', args: { count: -1 } }));
	expect(checkTrace(counts)).toEqual(['event 1: counter x count is negative (-1)']);
	expect(checkTrace(counts, { x: [1, -1], y: [2] })).toEqual(['event 1: counter x count is negative (-1)', 'counter y reads [], the real count was [2]']);
	expect(checkTrace(counts, { x: [1, 0] })).toContain('counter x reads [1, -1], the real count was [1, 0]');
});

test('a run is traced as slices per reference, a flow per move, a counter per object, and markers for violations and leaks', () => {
	const { result, text } = run('normal', []);
	expect(result.status).toBe(0);
	expect(checkTrace(text())).toEqual([]);
	const { traceEvents: events, otherData } = JSON.parse(text()) as TraceFile;
	expect(otherData.reftrace).toEqual({ events: events.length, dropped: 0, maxEvents: 1_000_000 });
	const slices = events.filter((e) => e.ph === 'b');
	expect(slices.map((e) => [e.name, e.args?.['origin'], e.args?.['owner']])).toEqual([
		['Pool#1', 'track', 'test/fixtures/trace-app.mjs:6'],
		['Pool#1', 'acquire', 'request'],
		['Pool#1', 'move', 'worker'],
		['Pool#1', 'acquire', 'request'],
	]);
	const [, taken, handedOn, dropped] = slices;
	expect(taken?.args?.['site']).toMatch(/^test\/fixtures\/trace-app\.mjs:8:14$/);
	const endOf = (id: number | undefined) => events.find((e) => e.ph === 'e' && e.id === id);
	expect(endOf(taken?.id)?.args?.['ended']).toBe('moved');
	expect(endOf(handedOn?.id)?.args?.['ended']).toBe('released');
	expect(endOf(dropped?.id)?.args?.['ended']).toBe('leaked');
	const [start, finish] = [events.find((e) => e.ph === 's'), events.find((e) => e.ph === 'f')];
	expect(start).toMatchObject({ cat: 'move', name: `move ref #${taken?.id} → ref #${handedOn?.id}`, ts: handedOn?.ts });
	expect(start!.ts).toBeGreaterThanOrEqual(taken!.ts);
	expect(start!.ts).toBeLessThanOrEqual(endOf(taken?.id)!.ts);
	expect(finish).toMatchObject({ cat: 'move', id: start?.id, bp: 'e', ts: handedOn?.ts });
	expect(events.filter((e) => e.ph === 'C').map((e) => e.args?.['count'])).toEqual([1, 2, 1, 2]);
	const violation = events.find((e) => e.ph === 'i' && e.name === 'double-release');
	const culprit = violation?.args?.['culprit'] as { site: string; owner: string };
	expect(`${culprit.site.replace(/:\d+$/, '')}`).toBe(siteOf(fixtureUrl, 'double-release'));
	expect(culprit.owner).toBe('worker');
	expect((violation?.args?.['earlier'] as { title: string }[]).map((e) => e.title)).toEqual(['first released', 'moved to a new ref']);
	expect(violation?.args?.['signature']).toMatch(/^[0-9a-f]{8}\tdouble-release\tPool\t/);
	const leak = events.find((e) => e.ph === 'i' && e.name === 'leak');
	expect((leak?.args?.['taken'] as { stack: string[] }).stack[1]).toMatch(new RegExp(`^drop \\(${siteOf(fixtureUrl, 'dropped')}:\\d+\\)$`));
	expect(events.filter((e) => e.ph === 'M').map((e) => e.args?.['name'])).toEqual([`reftrace pid ${result.pid}`, 'violations and leaks', 'Pool#1']);
});

test('the trace is valid JSON after process.exit and after an uncaught exception', () => {
	const exited = run('exit', ['exit']);
	expect(exited.result.status).toBe(3);
	expect(checkTrace(exited.text())).toEqual([]);
	const thrown = run('throw', ['throw']);
	expect(thrown.result.status).toBe(1);
	expect(thrown.result.stderr).toContain('uncaught on purpose');
	expect(checkTrace(thrown.text())).toEqual([]);
	const live = (JSON.parse(thrown.text()) as TraceFile).traceEvents.filter((e) => e.args?.['ended'] === 'live at the end of the trace');
	expect(live.map((e) => e.name)).toEqual(['Pool#1']);
});

test.each(['SIGINT', 'SIGTERM'] as const)('the trace is valid JSON when %s ends the process under the preload', async (signal) => {
	const path = join(scratch, `${signal}.json`);
	const child = startWaiting(['--expose-gc', '--import', 'reftrace/register', FIXTURE, 'wait'], { REFTRACE_TRACE: path });
	await child.ready;
	expect(await child.stop(signal)).toEqual({ code: null, signal });
	expect(checkTrace(readFileSync(path, 'utf8'))).toEqual([]);
});

test('events are written in batches while the run goes on', async () => {
	const path = join(scratch, 'streamed.json');
	const child = startWaiting(['--expose-gc', '--import', 'reftrace/register', FIXTURE, 'wait', '3000'], { REFTRACE_TRACE: path });
	await child.ready;
	// Still running: everything but the last partial batch is in the file already, and the JSON is not closed yet.
	const during = readFileSync(path, 'utf8');
	expect(during.split('\n').filter((line) => line.includes('"ph":"b"')).length).toBeGreaterThan(2500);
	expect(checkTrace(during)).toEqual([expect.stringMatching(/^not JSON/)]);
	await child.stop('SIGTERM');
	const data = JSON.parse(readFileSync(path, 'utf8')) as TraceFile;
	expect(checkTrace(readFileSync(path, 'utf8'))).toEqual([]);
	expect(data.traceEvents.filter((e) => e.ph === 'b')).toHaveLength(3004);
});

test('a cap on events stops the trace with a note in the file', () => {
	const capped = run('capped', ['normal', '3000'], { REFTRACE_TRACE_MAX_EVENTS: '100' });
	const cut = JSON.parse(capped.text()) as TraceFile;
	expect(cut.otherData.reftrace).toMatchObject({ events: 100, maxEvents: 100, note: 'truncated at traceMaxEvents' });
	expect(cut.otherData.reftrace.dropped).toBeGreaterThan(6000);
	expect(cut.traceEvents).toHaveLength(101);
	expect(cut.traceEvents.at(-1)?.name).toBe(`reftrace: the trace stopped at traceMaxEvents (100); ${cut.otherData.reftrace.dropped} later record events were dropped`);
	expect(checkTrace(capped.text()).every((problem) => problem.includes('never ended'))).toBe(true);
});

test('configure({ trace }) starts a trace and configure({ trace: null }) closes it as valid JSON', () => {
	const path = join(scratch, 'configured-%p.json');
	const result = spawnSync(process.execPath, ['--expose-gc', FIXTURE, 'configure', path], { cwd: packageRoot, env: childEnv(), encoding: 'utf8' });
	expect(result.status).toBe(0);
	const text = readFileSync(path.replace('%p', String(result.pid)), 'utf8');
	expect(checkTrace(text)).toEqual([]);
	expect((JSON.parse(text) as TraceFile).traceEvents.filter((e) => e.ph === 'b')).toHaveLength(4);
});

// Two traces started by configure({ trace }) while objects already hold references; run once, read by the next two tests.
let midRun: { one: string; two: string; seen: Record<'first' | 'second', { conn: number[]; counted: number[] }> } | undefined;
function runMid() {
	if (midRun !== undefined) return midRun;
	const [first, second] = [join(scratch, 'mid-1.json'), join(scratch, 'mid-2.json')];
	const result = spawnSync(process.execPath, ['--expose-gc', 'test/fixtures/trace-mid.mjs', first, second], { cwd: packageRoot, env: childEnv(), encoding: 'utf8' });
	expect(result.status).toBe(0);
	midRun = { one: readFileSync(first, 'utf8'), two: readFileSync(second, 'utf8'), seen: JSON.parse(result.stdout) as NonNullable<typeof midRun>['seen'] };
	return midRun;
}

test('traces started and restarted mid-run by configure({ trace }) match every end to a begin, name their objects and follow the real counts', () => {
	const { one, two, seen } = runMid();
	// What the program saw: Conn#1 is at 2 when the first trace starts, at 3 when the second does.
	expect([seen.first.conn, seen.second.conn]).toEqual([
		[2, 3, 2],
		[4, 3, 2],
	]);
	expect(checkTrace(one, { 'Conn#1 count': seen.first.conn }).filter((p) => !p.includes('Raw#'))).toEqual([]);
	expect(checkTrace(two, { 'Conn#1 count': seen.second.conn }).filter((p) => !p.includes('Raw#'))).toEqual([]);
	const threads = (text: string) => (JSON.parse(text) as TraceFile).traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.args?.['name']);
	expect(threads(one)).toEqual(['violations and leaks', 'Conn#1', 'Raw#2']);
	expect(threads(two)).toEqual(['violations and leaks', 'Conn#1', 'Raw#1']);
	// The move of a reference taken before the first trace: its successor's slice, and no arrow from a slice never opened.
	const events = (JSON.parse(one) as TraceFile).traceEvents;
	expect(events.filter((e) => e.ph === 'b' && e.name === 'Conn#1').map((e) => e.args?.['owner'])).toEqual(['b', 'worker']);
	expect(events.filter((e) => e.ph === 's' || e.ph === 'f')).toEqual([]);
});

test("the count track of an instrument(..., { shape: 'counted' }) object follows its retains and releases", () => {
	const { one, two, seen } = runMid();
	// The object's own count: made and taken to 3 in the first trace; made before the second and retained once.
	expect([seen.first.counted, seen.second.counted]).toEqual([
		[1, 2, 3, 2, 1, 0],
		[3, 2, 1, 0],
	]);
	expect(checkTrace(one, { 'Raw#2 count': seen.first.counted })).toEqual([]);
	expect(checkTrace(two, { 'Raw#1 count': seen.second.counted })).toEqual([]);
});

test('a trace that cannot be written is a warning, and the program and its reports go on', () => {
	for (const path of ['/dev/full', join(scratch, 'no-such-dir', 'trace.json')]) {
		const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'reftrace/register', FIXTURE], { cwd: packageRoot, env: childEnv({ REFTRACE_TRACE: path }), encoding: 'utf8' });
		expect(result.status).toBe(0);
		expect(result.stderr).toContain(`reftrace could not write the trace ${path}: Error: `);
		expect(result.stderr).toMatch(/^reftrace: double-release: /m);
		expect(result.stderr).toMatch(/^SUMMARY: reftrace: /m);
	}
});

test('configure rejects a trace path that is not a non-empty string and a cap outside 1 to 1,000,000,000', async () => {
	const { configure } = await import('../lib/index.js');
	expect(() => configure({ trace: '' })).toThrow('Expected `trace` to be a non-empty string or null, got string');
	expect(() => configure({ traceMaxEvents: 0 })).toThrow('Expected `traceMaxEvents` to be an integer from 1 to 1000000000, got 0');
	expect(configure({}).trace).toBeNull();
});

test("the demo's trace shows each connection's references, the job's move as an arrow, the double release and the leak", () => {
	execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/tsconfig.json'], { cwd: packageRoot });
	const path = join(scratch, 'demo.json');
	const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'reftrace/register', 'examples/.build/demo/main.js'], { cwd: packageRoot, env: childEnv({ REFTRACE_TRACE: path }), encoding: 'utf8' });
	expect(result.status).toBe(0);
	const text = readFileSync(path, 'utf8');
	expect(checkTrace(text)).toEqual([]);
	const { traceEvents: events } = JSON.parse(text) as TraceFile;
	const owners = (name: string) => events.filter((e) => e.ph === 'b' && e.name === name).map((e) => e.args?.['owner']);
	expect([...owners('Connection#1'), ...owners('Connection#2')].sort()).toEqual(['Session', 'enqueueJob', 'handleRequest', 'handleRequest', 'jobQueue', 'pool', 'pool']);
	const move = events.find((e) => e.ph === 's');
	const moved = events.find((e) => e.ph === 'b' && e.args?.['owner'] === 'jobQueue');
	expect(move?.args).toEqual({ from: events.find((e) => e.ph === 'b' && e.args?.['owner'] === 'enqueueJob')?.id, to: moved?.id });
	expect(events.filter((e) => e.ph === 'i').map((e) => e.name)).toEqual(['double-release', 'leak']);
});
