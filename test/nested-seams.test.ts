import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { COMMANDS } from '../lib/cli/commands.js';
import type { ReadFile } from '../lib/cli/read-report.js';
import { checkLeaks, markLongLived, renderSnapshot, snapshot, track, type LeakError, type MergedReport, type Ref, type Snapshot } from '../lib/index.js';
import { plain } from '../lib/report/paint.js';
import { signatureText } from '../lib/report/signature.js';
import { childEnv, collectViolations, packageRoot } from './helpers.js';

/*
 * Where nested counts meet signatures, long-lived references and suppressions: the exit report, snapshot(),
 * checkLeaks, the exit code and `reftrace check`/`merge`/`diff` follow one rule (a reference a nested count
 * holds goes with that count: folded under it, long-lived with it, suppressed with it).
 */

class Socket {}
class Conn {}
class Pool {}

const scratch = mkdtempSync(join(tmpdir(), 'reftrace-nested-seams-'));

/** test/fixtures/nested-seams.mjs run with the preload's exit report; `env` adds REFTRACE_* settings. */
function runCase(name: string, env: Record<string, string> = {}) {
	return spawnSync(process.execPath, ['test/fixtures/nested-seams.mjs', name], {
		cwd: packageRoot,
		env: childEnv({ REFTRACE_EXIT_CODE: '23', ...env }),
		encoding: 'utf8',
	});
}

function scratchFile(name: string, text: string): string {
	const path = join(scratch, name);
	writeFileSync(path, text);
	return path;
}

/** Runs a `reftrace` command on files in memory. */
function command(name: string, files: Record<string, string>, args: string[], options: Record<string, string | true> = {}) {
	const read: ReadFile = (path) => (path in files ? { text: files[path]! } : { error: 'no such file' });
	return COMMANDS[name]!.run({ files: args, options: new Map(Object.entries(options)) }, { read, paint: plain });
}

test('a site a nested count shares with the ref it holds is signed by the object the report shows, in JSON and text alike', () => {
	collectViolations();
	const socket = track(new Socket(), { owner: 'pool' });
	const conn = (function openConn() {
		return track(new Conn(), { holds: socket, owner: 'app' }); // both refs are taken here: Conn's, and Socket's moved to it
	})();
	const data = snapshot();
	const site = data.sites.find((s) => s.objects.some((o) => o.object === conn.label))!;
	expect(site.objects.map((o) => o.object).sort()).toEqual([conn.label, socket.label].sort());
	expect(site.signature!.line.split('\t').slice(0, 3)).toEqual(['leak', 'Conn', `openConn test/nested-seams.test.ts`]);
	const lines = renderSnapshot(data).split('\n');
	const group = lines.findIndex((line) => line.startsWith(`  ${conn.label} has 1/1 refs at `));
	const signed = lines.slice(group).find((line) => line.startsWith('    signature: '));
	expect(signed).toBe(`    ${signatureText(site.signature!)}`);
	expect(lines[lines.indexOf(signed!) + 1]).toBe(`    ${conn.label} holds ref #${socket.id + 1} of ${socket.label} (count 1)`);
	conn.release();
	expect(socket.count).toBe(0);
});

test('a long-lived nested count makes what it holds long-lived, down its chain: no leak for checkLeaks, listed apart by snapshot()', async () => {
	let socket!: Ref<Socket>;
	let pool!: Ref<Pool>;
	await checkLeaks(() => {
		socket = track(new Socket(), { owner: 'boot' });
		const conn = track(new Conn(), { holds: socket, owner: 'pool' });
		pool = markLongLived(track(new Pool(), { holds: conn, owner: 'app' }));
	});
	const data = snapshot();
	expect(data.objects.filter((o) => [socket.label, pool.label].includes(o.object) || o.object.startsWith('Conn#'))).toEqual([]);
	const listed = data.longLived!.filter((r) => r.heldBy === pool.label || r.object === pool.label || r.object === socket.label);
	expect(listed.map((r) => [r.object.replace(/#\d+$/, ''), r.heldBy?.replace(/#\d+$/, '') ?? null]).sort()).toEqual([
		['Conn', 'Pool'],
		['Pool', null],
		['Socket', 'Conn'],
	]);
	// A nested count also left live by a reference that is no leak of its own is reported, the held ref folded under it.
	const leak = pool.acquire('request');
	const now = snapshot();
	expect(now.longLived!.some((r) => r.object === socket.label)).toBe(false);
	expect(now.objects.find((o) => o.object === pool.label)!.refs.map((r) => r.owner)).toEqual(['request']);
	expect(renderSnapshot(now)).toMatch(/\(2 more held by nested counts, shown under them\)/);
	leak.release();
	pool.release();
	expect(socket.count).toBe(0);
});

test('the exit code stays 0 when a long-lived pool root holds its socket', () => {
	const run = runCase('long');
	expect(run.stderr).toMatch(
		/^reftrace: no live references\n {2}expected to live until exit \(not leaks\): 2 references\n {4}Socket#1 ref #3 owned by Pool#1 at test\/fixtures\/nested-seams\.mjs:20:\d+\n {4}Pool#1 ref #4 owned by app at test\/fixtures\/nested-seams\.mjs:20:\d+\n$/,
	);
	expect(run.status).toBe(0);
});

test('suppressing a nested count’s leak suppresses the ref it holds: the run passes, nothing innocent is blamed', () => {
	const unsuppressed = runCase('nested-leak');
	expect(unsuppressed.status).toBe(23);
	expect(unsuppressed.stderr).toMatch(/^reftrace: leak report: 1 live ref to 1 object from 1 site \(1 more held by nested counts, shown under them\)\n {2}Conn#1 /);
	const rules = scratchFile('legacy.supp', 'leak:rememberInLegacy\n');
	const suppressed = runCase('suppressed', { REFTRACE_SUPPRESSIONS: rules });
	expect(suppressed.stderr).toBe(`reftrace: no live references\n  suppressed: 1 leak\n    leak:rememberInLegacy (${rules}:1) used 1 time\n`);
	expect(suppressed.status).toBe(0);
});

test('a leak rule that matches a long-lived reference suppresses nothing and is reported unused', () => {
	const run = runCase('long-suppressed');
	expect(run.stderr).toContain('  expected to live until exit (not leaks): 2 references\n');
	expect(run.stderr).toContain('  warning: suppression rule leak:bootPool (suppressions[0]) matched nothing\n');
	expect(run.stderr).not.toContain('suppressed:');
	expect(run.status).toBe(0);
});

test('reftrace check suppresses a nested count’s leak with what it holds, and its status agrees with its SUMMARY', () => {
	const report = join(scratch, 'nested.json');
	expect(runCase('nested-leak', { REFTRACE_REPORT: report }).status).toBe(23);
	const files = { 'r.json': readFileSync(report, 'utf8'), 'rules.supp': 'leak:rememberInLegacy\n' };
	const dirty = command('check', files, ['r.json']);
	expect(dirty).toEqual({ out: 'SUMMARY: reftrace: 1 live reference to 1 object from 1 site (1 more held by nested counts, not listed); 0 violations\n', status: 23 });
	const verdict = JSON.parse(command('check', files, ['r.json'], { json: true }).out) as { totals: unknown };
	expect(verdict.totals).toEqual({ objects: 1, refs: 1, collected: 0, sites: 1, folded: 1 });
	const clean = command('check', files, ['r.json'], { suppressions: 'rules.supp' });
	expect(clean).toEqual({
		out: 'SUMMARY: reftrace: 0 live references to 0 objects from 0 sites; 0 violations\n  suppressed: 1 leak\n    leak:rememberInLegacy (rules.supp:1) used 1 time\n',
		status: 0,
	});
	const cleanJson = JSON.parse(command('check', files, ['r.json'], { suppressions: 'rules.supp', json: true }).out) as { status: number; totals: unknown };
	expect(cleanJson).toMatchObject({ status: 0, totals: { objects: 0, refs: 0, collected: 0, sites: 0, folded: 0 } });
	// Suppressing the held ref alone leaves the nested count's own leak, with nothing folded under it any more.
	const socketOnly = command('check', { ...files, 'socket.supp': 'leak:openConn\n' }, ['r.json'], { suppressions: 'socket.supp' });
	expect(socketOnly.status).toBe(23);
	expect(socketOnly.out).toMatch(/^SUMMARY: reftrace: 1 live reference to 1 object from 1 site; 0 violations\n {2}suppressed: 1 leak\n/);
});

test('merge counts each report as its exit report did: references held by nested counts folded', () => {
	const report = join(scratch, 'merge.json');
	expect(runCase('nested-leak', { REFTRACE_REPORT: report }).status).toBe(23);
	const text = readFileSync(report, 'utf8');
	const files = { 'a.json': text, 'b.json': text };
	const merged = JSON.parse(command('merge', files, ['a.json', 'b.json'], { json: true }).out) as MergedReport;
	expect(merged.totals).toEqual({ refs: 2, collected: 0, sites: 1, folded: 2 });
	expect(merged.sites.map((s) => [s.refs, s.processes, s.objects, s.signature.line.split('\t')[1]])).toEqual([[2, 2, ['Conn#1', 'Conn#1'], 'Conn']]);
	expect(command('merge', files, ['a.json', 'b.json']).out.split('\n')[0]).toBe('reftrace merge: 2 references from 1 site in 2 reports (2 more held by nested counts, not listed)');
});

test('diff folds a new reference held by a nested count that is new too, and its JSON keeps it, signed as shown', () => {
	collectViolations();
	const socket = track(new Socket(), { owner: 'boot' });
	const before = snapshot();
	const conn = track(new Conn(), { holds: socket.acquire('conn'), owner: 'app' });
	const cached = conn.acquire('cache');
	conn.release();
	const after = snapshot();
	const files = { 'before.json': JSON.stringify(before), 'after.json': JSON.stringify(after) };
	const out = command('diff', files, ['before.json', 'after.json']).out.split('\n');
	expect(out[0]).toBe('reftrace diff: 1 ref live in after.json that were not live in before.json, from 1 site (1 more held by nested counts, shown under them)');
	expect(out).toContain(`    ${conn.label} holds ref #${cached.id - 2} of ${socket.label} (count 2)`);
	const delta = JSON.parse(command('diff', files, ['before.json', 'after.json'], { json: true }).out) as Snapshot;
	expect(delta.totals.refs).toBe(2);
	expect(delta.sites.map((s) => s.signature!.line.split('\t')[1]).sort()).toEqual(['Conn', 'Socket']);
	cached.release();
	socket.release();
	expect(socket.count).toBe(0);
});

test('checkLeaks blames a leaked nested count, the ref it holds folded under it, in its message, totals and signature', async () => {
	const socket = track(new Socket(), { owner: 'boot' });
	let conn!: Ref<Conn>;
	const error = (await checkLeaks(() => {
		conn = track(new Conn(), { holds: socket.acquire('conn'), owner: 'app' }); // both refs taken here
	}).catch((e: unknown) => e)) as LeakError;
	const lines = error.message.split('\n');
	expect(lines[0]).toBe('reftrace: leak: checkLeaks() left 1 reference live, from 1 site (1 more held by nested counts, shown under them)');
	expect(lines[1]).toMatch(new RegExp(`^  ${conn.label} has 1/1 refs at test/nested-seams\\.test\\.ts:`));
	expect(lines.find((line) => line.startsWith('    signature: '))!.split('\t')[2]).toBe('Conn');
	expect(lines).toContain(`    ${conn.label} holds ref #${conn.id - 1} of ${socket.label} (count 2)`);
	expect(error.leaks.totals).toMatchObject({ refs: 1, objects: 1, sites: 1 });
	conn.release();
	socket.release();
	expect(socket.count).toBe(0);
});

let bootedPool: Ref<Pool> | undefined;

test('the vitest helper does not fail a test that leaves a long-lived pool root holding its socket', () => {
	const socket = track(new Socket(), { owner: 'boot' });
	bootedPool = markLongLived(track(new Pool(), { holds: socket, owner: 'app' }));
	expect(snapshot().longLived!.filter((r) => r.object === socket.label).map((r) => r.heldBy)).toEqual([bootedPool.label]);
	// The test ends with both live: the suite's setup file (reftrace/vitest) checks this test's references after it.
});
