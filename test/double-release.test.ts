import { expect, test } from 'vitest';
import { DoubleReleaseError, track } from '../lib/index.js';
import { collectViolations, lineOf, siteOf } from './helpers.js';

const site = (marker: string) => siteOf(import.meta.url, marker);

class Pool {
	readonly root = track({ fd: 7 }, { name: 'Conn', owner: 'pool' });
	checkout(owner: string) {
		return this.root.acquire(owner); // @acquire
	}
}

test('a double release names the culprit, the first release and the acquire, each with owner and site', () => {
	const seen = collectViolations();
	const pool = new Pool();
	const conn = pool.checkout('handler');
	conn.release(); // @first-release
	conn.release(); // @culprit
	expect(seen).toHaveLength(1);
	const error = seen[0];
	expect(error).toBeInstanceOf(DoubleReleaseError);
	if (!(error instanceof DoubleReleaseError)) return;
	expect(error.kind).toBe('double-release');
	expect(error.object).toBe(pool.root.label);
	expect(error.count).toBe(1);
	expect(lineOf(error.culprit.site)).toBe(site('culprit'));
	expect(lineOf(error.firstRelease?.site)).toBe(site('first-release'));
	expect(lineOf(error.acquire?.site)).toBe(site('acquire'));
	expect([error.culprit.owner, error.firstRelease?.owner, error.acquire?.owner]).toEqual(['handler', 'handler', 'handler']);
	expect(error.culprit.pid).toBe(process.pid);
	expect(error.acquire?.stack[0]).toMatch(/^Pool\.checkout \(test\/double-release\.test\.ts:\d+:\d+\)$/);
	expect(error.acquire?.source).toBe('return this.root.acquire(owner); // @acquire');
	expect(error.firstRelease!.time).toBeGreaterThanOrEqual(error.acquire!.time);
	expect(error.culprit.time).toBeGreaterThanOrEqual(error.firstRelease!.time);
	pool.root.release();
});

test('the report text reads culprit first, then the first release, then the acquire', () => {
	const seen = collectViolations();
	const pool = new Pool();
	const conn = pool.checkout('handler');
	conn.release(); // @first-release-2
	conn.release(); // @culprit-2
	const lines = seen[0]!.message.split('\n');
	expect(lines[0]).toMatch(/^reftrace: double-release: ref #\d+ of Conn#\d+ was released twice$/);
	const headings = lines.filter((line) => /^ {2}\S/.test(line));
	expect(headings.map((line) => line.replace(/ref #\d+/, 'ref #N').replace(/, pid .*$/, ''))).toEqual([
		'  released here (ref #N held by handler',
		'  first released (ref #N held by handler',
		'  acquired (ref #N held by handler',
		'  Conn#2 count is 1.',
		expect.stringMatching(/^ {2}signature: [0-9a-f]{8}\tdouble-release\tConn\t<anonymous> test\/double-release\.test\.ts$/),
	]);
	const sites = lines.filter((line) => /^ {4}\S/.test(line)).map((line) => line.trim().replace(/:\d+ - .*$/, ''));
	expect(sites).toEqual([site('culprit-2'), site('first-release-2'), site('acquire')]);
	expect(lines[1]).toMatch(new RegExp(`\\(ref #\\d+ held by handler, pid ${process.pid}, thread 0\\)$`));
	pool.root.release();
});

test('each event names the reference and its holder, not the code that released it', () => {
	const seen = collectViolations();
	const pool = new Pool();
	const cached = pool.checkout('cache');
	const evict = (ref: typeof cached) => ref.release();
	evict(cached);
	evict(cached);
	const headings = seen[0]!.message.split('\n').filter((line) => /^ {2}\S/.test(line));
	expect(headings.map((line) => line.replace(/, pid .*$/, ''))).toEqual([
		`  released here (ref #${cached.id} held by cache`,
		`  first released (ref #${cached.id} held by cache`,
		`  acquired (ref #${cached.id} held by cache`,
		`  ${pool.root.label} count is 1.`,
		expect.stringMatching(/^ {2}signature: [0-9a-f]{8}\tdouble-release\tConn\tevict test\/double-release\.test\.ts\t/),
	]);
	pool.root.release();
});

test('a double release does not decrement the count again', () => {
	collectViolations();
	const zeroes: unknown[] = [];
	const root = track({}, { onZero: (v) => zeroes.push(v) });
	const extra = root.acquire();
	extra.release();
	extra.release();
	expect(root.count).toBe(1);
	expect(zeroes).toEqual([]);
	root.release();
	expect(zeroes).toHaveLength(1);
});
