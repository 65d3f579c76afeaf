import { spawnSync } from 'node:child_process';
import { afterEach, expect, test } from 'vitest';
import { checkLeaks, configure, instrument, LeakError, markLongLived, renderSnapshot, snapshot, track, type Mode, type Ref } from '../lib/index.js';
import { allowLeaks } from '../lib/vitest.js';
import { childEnv, collectGarbage, lineOf, packageRoot, siteOf } from './helpers.js';

afterEach(() => {
	configure({ mode: 'full', onViolation: 'report' });
});

class Cache {}
let cacheRoot: Ref<Cache> | undefined;

for (const mode of ['list', 'full'] as Mode[]) {
	test(`in ${mode} mode a reference marked long-lived is listed apart and is no leak for checkLeaks or the vitest helper`, async () => {
		configure({ mode });
		let leaked: Ref<Cache> | undefined;
		const error = await checkLeaks(() => {
			const root = markLongLived(track(new Cache(), { owner: 'app' })); // @singleton
			cacheRoot = root;
			leaked = root.acquire('request'); // @real-leak
		}).catch((e: unknown) => e);
		// The real leak is still reported; the singleton is not.
		expect((error as LeakError).leaks.totals.refs).toBe(1);
		expect((error as LeakError).leaks.objects[0]!.refs[0]!.owner).toBe('request');
		leaked!.release();
		const now = snapshot();
		const mine = now.longLived!.filter((r) => r.ref === cacheRoot!.id);
		expect(mine).toHaveLength(1);
		expect(mine[0]!.owner).toBe('app');
		expect(lineOf(mine[0]!.site)).toBe(mode === 'full' ? siteOf(import.meta.url, 'singleton') : null);
		expect(now.objects.flatMap((o) => o.refs).some((r) => r.ref === cacheRoot!.id)).toBe(false);
		expect(renderSnapshot(now)).toMatch(new RegExp(`expected to live until exit \\(not leaks\\): \\d+ references?\\n(.*\\n)*    Cache#\\d+ ref #${cacheRoot!.id} owned by app`));
		// This test ends with the singleton live: the vitest helper (the suite's setup file) must not fail it.
	});
}

test('a long-lived reference collected while live is still reported as a leak', async () => {
	allowLeaks();
	const leaks: LeakError[] = [];
	configure({ mode: 'full', onViolation: (error) => void (error instanceof LeakError && leaks.push(error)) });
	(() => {
		markLongLived(track(new Cache(), { owner: 'lost singleton' }));
	})();
	await collectGarbage(() => leaks.length === 1);
	expect(leaks.map((l) => l.leaks.objects[0]?.refs[0]?.owner)).toEqual(['lost singleton']);
});

test('objects adopted by instrument can be marked; anything else is refused', () => {
	class RawPool {
		end(): void {}
	}
	const Pool = instrument(RawPool, { shape: 'disposable', release: ['end'] });
	const pool = markLongLived(new Pool());
	expect(snapshot().longLived!.some((r) => r.object.startsWith('RawPool#'))).toBe(true);
	pool.end();
	expect(() => markLongLived({})).toThrow('Expected `target` to be a Ref or an object adopted by instrument or traceEmbind, got object');
});

test('the exit code stays 0 when only long-lived references are left', () => {
	const script = "import { markLongLived, track } from 'reftrace'; markLongLived(track({}, { name: 'Root', owner: 'app' }));";
	const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot, env: childEnv({ REFTRACE_EXIT_CODE: '3' }), encoding: 'utf8' });
	expect(result.stderr).toMatch(/^reftrace: no live references\n {2}expected to live until exit \(not leaks\): 1 reference\n {4}Root#1 ref #1 owned by app at \[eval1\]:1:\d+\n$/);
	expect(result.status).toBe(0);
});
