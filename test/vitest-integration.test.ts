import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { childEnv } from './helpers.js';

const project = fileURLToPath(new URL('./fixtures/vitest-project/', import.meta.url));

/** Runs vitest on the fixture project with `args` (a file filter, options). */
function vitest(...args: string[]) {
	return spawnSync(process.execPath, [fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url)), 'run', '--reporter=verbose', ...args], {
		cwd: project,
		env: childEnv({ CI: '1' }),
		encoding: 'utf8',
	});
}

test('the vitest setup fails a leaking test naming its site, and does not blame a test that already failed', () => {
	const result = vitest('leaky');
	const output = result.stdout + result.stderr;
	expect(result.status).toBe(1);
	expect(output).toMatch(/✓ leaky\.spec\.ts > clean test/);
	expect(output).toMatch(/× leaky\.spec\.ts > leaky test/);
	expect(output).toMatch(/× leaky\.spec\.ts > failing test that also leaks/);
	expect(output).toMatch(/✓ leaky\.spec\.ts > test that allows its leaks/);
	expect(output).toContain('LeakError: reftrace: leak: test "leaky test" left 1 reference live, from 1 site');
	expect(output).toMatch(/Leaky#1 has 1\/1 refs at leaky\.spec\.ts:15:\d+ - pool\.conns\.push\(ref\.acquire\('cache'\)\.value\); \/\/ @leaky-acquire/);
	expect(output).toContain('owners: cache;');
	const block = output.slice(output.indexOf('LeakError: reftrace: leak:'));
	expect(block).toMatch(/\n {6}at leaky\.spec\.ts:15:\d+\n {6}… \d+ frames in dependencies\n/);
	expect(output).not.toContain('test "failing test that also leaks"');
	expect(output).toContain('AssertionError: expected 1 to be 2');
	expect(output).toMatch(/Tests +2 failed \| 2 passed/);
});

test.each(['stack', 'list', 'parallel'])('with sequence.hooks %s, a clean test whose afterEach releases what its beforeEach took passes', (order) => {
	const result = vitest('paired', `--sequence.hooks=${order}`);
	const output = result.stdout + result.stderr;
	expect(output).toMatch(/✓ paired\.spec\.ts > clean test paired by hooks/);
	expect(output).not.toContain('LeakError');
	expect(result.status).toBe(0);
});
