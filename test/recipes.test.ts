import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { childEnv, packageRoot, siteOf } from './helpers.js';

// The recipes of docs/adapters.md, each run as the application it is, against the real packages.
function run(example: string, tsx = true): { status: number | null; stdout: string; stderr: string } {
	const args = [...(tsx ? ['--import', 'tsx'] : []), `examples/adapters/${example}`];
	return spawnSync(process.execPath, args, { cwd: packageRoot, env: childEnv(), encoding: 'utf8' });
}

const at = (example: string, marker: string): string => siteOf(new URL(`../examples/adapters/${example}`, import.meta.url).href, marker);
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The report block that starts with `heading`, up to the next report. */
function block(stderr: string, heading: string): string {
	const start = stderr.indexOf(heading);
	expect(start, `no "${heading}" in:\n${stderr}`).toBeGreaterThanOrEqual(0);
	const next = stderr.indexOf('\nreftrace: ', start + 1);
	return stderr.slice(start, next < 0 ? undefined : next);
}

test('generic-pool with per-lease tokens names the double release, the stale release (not the second holder) and the forgotten release', () => {
	const { status, stdout, stderr } = run('pool-app.ts');
	expect(status).toBe(0);
	expect(stdout).toContain('GET /b still holds conn 1: live');
	const reports = stderr.split(/\n(?=reftrace: )/);
	expect(reports.map((r) => r.split('\n')[0])).toEqual([
		'reftrace: double-release: ref #2 of Conn#1 was released twice',
		// GET /a's lease: #1 is the pool's root, #2 the report job's lease (a misuse takes no id).
		'reftrace: double-release: ref #3 of Conn#1 was released twice',
		'reftrace: leak report: 1 live ref to 1 object from 1 site',
	]);
	const sites = (report: string) => [...report.matchAll(/^ {4}(\S+):\d+ - /gm)].map((m) => m[1]);
	expect(sites(reports[0]!)).toEqual([at('pool-app.ts', 'double-second'), at('pool-app.ts', 'double-first'), expect.stringMatching(/pool-app\.ts:11$/)]);
	// The stale release is blamed on the request that made it: GET /a, both its releases and its acquire.
	expect(reports[1]).toContain('held by GET /a');
	expect(reports[1]).not.toContain('GET /b');
	expect(sites(reports[1]!)).toEqual([at('pool-app.ts', 'stale-second'), at('pool-app.ts', 'stale-first'), at('pool-app.ts', 'stale-acquire')]);
	expect(reports[2]).toMatch(new RegExp(`Conn#1 has 1/2 refs at ${escape(at('pool-app.ts', 'forgotten'))}:\\d+ `));
	expect(reports[2]).toContain('expected to live until exit (not leaks): 1 reference');
	expect(stderr).not.toMatch(/leases\.ts|generic-pool\.ts/);
});

test('pg-pool (with an in-memory Client) and per-lease tokens: the stale release names GET /a, the forgotten one its line', () => {
	const { status, stdout, stderr } = run('pg-app.ts');
	expect(status).toBe(0);
	expect(stdout).toContain('GET /b still holds client 1: live');
	const double = block(stderr, 'reftrace: double-release:');
	expect(double.split('\n')[0]).toBe('reftrace: double-release: ref #2 of PgClient#1 was released twice');
	expect(double).toContain(`${at('pg-app.ts', 'pg-stale-release')}:`);
	expect(double).toContain(`${at('pg-app.ts', 'pg-first-release')}:`);
	expect(double).toContain(`${at('pg-app.ts', 'pg-acquire')}:`);
	expect(block(stderr, 'reftrace: leak report:')).toMatch(new RegExp(`PgClient#1 has 1/2 refs at ${escape(at('pg-app.ts', 'pg-forgotten'))}:\\d+ `));
	expect(stderr).not.toMatch(/leases\.ts|pg-pool\.ts/);
});

test('the CanvasKit recipe: the exit report counts the one application site of the leaked Paints, not the adapter', () => {
	const { status, stderr } = run('canvaskit-app.mjs', false);
	expect(status).toBe(0);
	expect(stderr).toContain('reftrace: leak report: 20 live refs to 20 objects from 1 site');
	expect(stderr).toMatch(new RegExp(`Paint#\\d+ has 1/1 refs at ${escape(at('canvaskit-app.mjs', 'leaked-paint'))}:\\d+ - const paint = new CK\\.Paint\\(\\);`));
	expect(stderr).not.toMatch(/embind/);
	expect(stderr).toContain('SUMMARY: reftrace: 20 live references to 20 objects from 1 site; 0 violations');
});

test('a TypeScript class with retain/release: the release too many and the balance tree of the cached texture', () => {
	const { status, stderr } = run('texture-app.ts');
	expect(status).toBe(0);
	const underflow = block(stderr, 'reftrace: double-release:');
	expect(underflow.split('\n')[0]).toMatch(/^reftrace: double-release: Texture#2 was released at count 0: more releases than retains/);
	expect(underflow).toContain(`${at('texture-app.ts', 'logo-again')}:`);
	expect(underflow).toContain(`${at('texture-app.ts', 'logo-release')}:`);
	const leak = block(stderr, 'reftrace: leak report:');
	const tree = leak.slice(leak.indexOf('    balance of Texture#1')).split('\n').slice(1, 6);
	const line = (marker: string) => at('texture-app.ts', marker).split(':').at(-1);
	expect(tree.map((text) => text.replace(/:\d+\)?$/, ''))).toEqual([
		`      +1 ${at('texture-app.ts', 'atlas-new')}, ${line('render')}, ${line('atlas-release')}`,
		`        +1 ${at('texture-app.ts', 'atlas-new')}`,
		`        +1 renderScene (${at('texture-app.ts', 'cache-call')}`,
		`          +1 cacheSprite (${at('texture-app.ts', 'cache-retain')}`,
		`        -1 ${at('texture-app.ts', 'atlas-release')}`,
	]);
	expect(leak).not.toContain('drawSprite');
});
